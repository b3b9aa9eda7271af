"""``plansearch add`` / ``remove`` on a temporary copy of the corpus (hashing encoder): the new
document is parsed, searchable, filterable and served; only its chunks are embedded; bad input
and a failed build change nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from indexer.build import build_index
from indexer.embedding import make_embedder
from indexer.store import load_chunks, load_records
from service.api import create_app
from service.cli import app
from service.search import open_engine
from tests.conftest import CORPUS, hashing_settings_in

NEW = "isesaki-manifesto-r6"  # left out of the starting corpus, then added as a new plan
TITLE = "市長マニフェストの達成状況（令和6年3月末時点）"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus of four documents (the manifesto left out) with its index and cache."""
    root = tmp_path_factory.mktemp("base")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / f"{NEW}.txt").unlink()
    listed = json.loads((corpus / "documents.json").read_text(encoding="utf-8"))
    listed["documents"] = [d for d in listed["documents"] if d["doc_id"] != NEW]
    (corpus / "documents.json").write_text(json.dumps(listed, ensure_ascii=False), "utf-8")
    settings = hashing_settings_in(root, corpus)
    build_index(settings, make_embedder(settings), progress=False)
    return root


@pytest.fixture()
def site(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the base corpus, index and cache, with the CLI pointed at it."""
    root = tmp_path / "site"
    shutil.copytree(base, root, symlinks=True)
    for name, value in {
        "EMBEDDER": "hashing",
        "CORPUS_DIR": root / "corpus",
        "INDEX_DIR": root / "index",
        "CACHE_DIR": root / "cache",
    }.items():
        monkeypatch.setenv(f"PLANSEARCH_{name}", str(value))
    return root


def _add(path: Path, *more: str, doc_id: str = NEW):
    args = ["add", str(path), "--doc-id", doc_id, "--city", "伊勢崎市", "--title", TITLE]
    return CliRunner().invoke(app, [*args, "--period", "〜令和6年度", *more])


def _state(root: Path) -> tuple[bytes, str, list[str]]:
    """documents.json, the published build and the corpus files: what a failure must keep."""
    corpus = root / "corpus"
    manifest = (corpus / "documents.json").read_bytes()
    files = sorted(p.name for p in corpus.iterdir() if not p.name.startswith("."))
    return manifest, str((root / "index").resolve()), files


def test_add_text_embeds_only_the_new_chunks_and_serves_the_document(site: Path):
    before = {c.indexed_text for c in load_chunks(site / "index")}
    result = _add(CORPUS / f"{NEW}.txt")
    assert result.exit_code == 0, result.output
    assert "layout manifesto (chosen by auto), 138 projects" in result.output
    new_chunks = [c for c in load_chunks(site / "index") if c.doc_id == NEW]
    fresh = {c.indexed_text for c in new_chunks} - before
    assert new_chunks and f"({len(fresh)} embedded," in result.output
    entry = json.loads((site / "corpus" / "documents.json").read_text("utf-8"))["documents"][-1]
    assert entry["doc_id"] == NEW and entry["layout"] == "manifesto"
    records = [r for r in load_records(site / "index") if r.doc_id == NEW]
    assert sum(r.kind == "project" for r in records) == 138

    settings = hashing_settings_in(site, site / "corpus")
    with TestClient(create_app(settings, open_engine(settings))) as client:
        health = client.get("/health").json()
        assert NEW in {d["doc_id"] for d in health["documents"]}
        listed = client.get("/projects", params={"doc_id": NEW}).json()
        assert "1-(1)-①" in json.dumps(listed, ensure_ascii=False)
        hits = client.get(
            "/search", params={"q": "企業誘致 市内企業との連携", "doc_id": NEW, "top_k": 5}
        ).json()["hits"]
        assert hits and {h["doc_id"] for h in hits} == {NEW}
        assert any(h["project_id"] == "1-(1)-①" for h in hits)


def test_re_add_of_a_changed_file_embeds_only_the_changed_chunks(site: Path, tmp_path: Path):
    assert _add(CORPUS / f"{NEW}.txt").exit_code == 0
    changed = tmp_path / "changed.txt"
    text = (CORPUS / f"{NEW}.txt").read_text(encoding="utf-8")
    changed.write_text(text.replace("企業立地促進奨励金を助成しました", "奨励金を増額しました"))
    assert "exists already" in _add(changed).output  # no silent replacement
    result = _add(changed, "--replace")
    assert result.exit_code == 0, result.output
    embedded = int(result.output.split("(")[-1].split(" embedded")[0])
    assert 1 <= embedded <= 3
    stored = (site / "corpus" / f"{NEW}.txt").read_text(encoding="utf-8")
    assert "奨励金を増額しました" in stored
    ids = [
        d["doc_id"]
        for d in json.loads((site / "corpus" / "documents.json").read_text())["documents"]
    ]
    assert ids.count(NEW) == 1


def test_remove_drops_the_document_and_embeds_nothing(site: Path):
    gone = "isesaki-gyokaku-r2-r5"
    result = CliRunner().invoke(app, ["remove", gone])
    assert result.exit_code == 0, result.output
    assert not (site / "corpus" / f"{gone}.txt").exists()
    assert gone not in (site / "corpus" / "documents.json").read_text(encoding="utf-8")
    assert gone not in {c.doc_id for c in load_chunks(site / "index")}
    again = CliRunner().invoke(app, ["remove", gone])
    assert again.exit_code == 2 and "no document 'isesaki-gyokaku-r2-r5'" in again.output


@pytest.mark.parametrize(
    ("name", "content", "doc_id", "message"),
    [
        ("plan.xls", b"x", NEW, "unknown format '.xls'"),
        ("empty.txt", b"\n \n", NEW, "holds no text"),
        ("missing.txt", None, NEW, "no file at"),
        ("plan.txt", "事業番号\t1\t担当課\tX課".encode(), "../escape", "not a safe file name"),
        ("plan.txt", "事業番号\t1\t担当課\tX課".encode(), "a/b", "not a safe file name"),
        ("plan.txt", "事業番号\t1\t担当課\tX課".encode(), "isesaki-jisshi-r3", "exists already"),
        ("bad.pdf", b"%PDF-1.4 not really", NEW, "not a readable PDF"),
        ("bad.docx", b"PK not really", NEW, "not a readable .docx"),
        ("plan.txt", "事業番号\t1\t担当課\tX課".encode(), NEW, "unknown layout 'nope'"),
    ],
)
def test_bad_input_gets_one_line_and_changes_nothing(
    site: Path, tmp_path: Path, name: str, content: bytes | None, doc_id: str, message: str
):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    before = _state(site)
    more = ["--layout", "nope"] if "layout" in message else []
    result = _add(path, *more, doc_id=doc_id)
    assert result.exit_code == 2
    assert message in result.output and result.output.count("\n") == 1, result.output
    assert _state(site) == before


def test_a_failed_build_leaves_corpus_and_index_as_they_were(
    site: Path, monkeypatch: pytest.MonkeyPatch
):
    before = _state(site)

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("indexer.store.publish", full_disk)  # the last step of staged_build
    result = _add(CORPUS / f"{NEW}.txt")
    assert result.exit_code == 2 and "No space left on device" in result.output
    assert _state(site) == before
    removed = CliRunner().invoke(app, ["remove", "isesaki-jisshi-r3"])
    assert removed.exit_code == 2 and _state(site) == before


def test_add_pdf_of_corpus_text_gives_the_projects_of_the_text(site: Path, tmp_path: Path):
    from tests.indexer.test_extract import jisshi_excerpt, projects_of, write_pdf

    pdf = tmp_path / "jisshi.pdf"
    write_pdf(jisshi_excerpt(), pdf)
    result = _add(pdf, doc_id="isesaki-jisshi-pdf")
    assert result.exit_code == 0, result.output
    assert "layout jisshi (chosen by auto), 40 projects" in result.output
    stored = (site / "corpus" / "isesaki-jisshi-pdf.txt").read_text(encoding="utf-8")
    expected = projects_of(jisshi_excerpt(), "jisshi")
    assert [p[:4] for p in projects_of(stored, "jisshi")] == [p[:4] for p in expected]
    indexed = [r for r in load_records(site / "index") if r.doc_id == "isesaki-jisshi-pdf"]
    assert [(r.project_id, r.project_name, r.department) for r in indexed] == [
        p[1:4] for p in expected
    ]
    new_chunks = sum(c.doc_id == "isesaki-jisshi-pdf" for c in load_chunks(site / "index"))
    assert f"({new_chunks} embedded," in result.output  # the rest of the corpus was cached
    settings = hashing_settings_in(site, site / "corpus")
    with TestClient(create_app(settings, open_engine(settings))) as client:
        hits = client.get(
            "/search",
            params={"q": "特定健診 特定保健指導", "doc_id": "isesaki-jisshi-pdf", "top_k": 5},
        ).json()["hits"]
    assert any(h["project_id"] == "27" for h in hits)
