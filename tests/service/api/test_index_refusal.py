"""README: "A missing or mismatched index gets 503 with the command to run", and the service
refuses an index whose corpus, embedder or format differs from its own — through the API."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, hashing_settings_in
from fastapi.testclient import TestClient

from indexer.build import build_index
from indexer.embedding.hashing import HashingEmbedder
from indexer.settings import Settings
from service.api import create_app

DOC = "isesaki-gyokaku-r2-r5"
ROUTES = [
    ("/search", {"q": "証明書"}),
    ("/projects/search", {"q": "証明書"}),
    ("/projects", {}),
    ("/health", {}),
]


@pytest.fixture()
def settings(tmp_path) -> Settings:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    return hashing_settings_in(tmp_path, corpus, reload_interval=0)


def _build(settings: Settings, dim: int = 256) -> None:
    build_index(settings, HashingEmbedder(dim=dim), doc_ids=[DOC], progress=False)


def _refused(settings: Settings, *expected: str) -> None:
    """Every route answers 503 naming the cause and `plansearch index`; nothing else leaks."""
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        for path, params in ROUTES:
            r = c.get(path, params=params)
            assert r.status_code == 503, (path, r.text)
            detail = r.json()["detail"]
            assert "`plansearch index`" in detail, detail
            for part in expected:
                assert part in detail, (part, detail)


def test_the_service_serves_the_index_it_was_built_for(settings):
    _build(settings)
    with TestClient(create_app(settings)) as c:
        assert c.get("/health").status_code == 200
        assert c.get("/search", params={"q": "証明書"}).json()["hits"]


def test_index_of_a_changed_corpus_gets_503(settings):
    _build(settings)
    # corpus/isesaki-gyokaku-r2-r5.txt line 270: 交付件数 53,124 枚 (取組状況, 令和2年度).
    text = settings.corpus_dir / "isesaki-gyokaku-r2-r5.txt"
    changed = text.read_text(encoding="utf-8").replace("53,124", "53,125")
    text.write_text(changed, encoding="utf-8")
    _refused(settings, "corpus changed")


def test_index_of_another_embedder_gets_503(settings):
    _build(settings, dim=128)  # the service's settings make a 256-dimension hashing encoder
    _refused(settings, "char-bigram-hash-128", "char-bigram-hash-256", "PLANSEARCH_EMBEDDER")


def _tamper(settings: Settings, **changes) -> None:
    path: Path = settings.index_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if isinstance(value, dict):
            manifest[key] = {**manifest[key], **value}
        else:
            manifest[key] = value
    path.write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"format_version": 0}, "index format 0"),
        ({"embedder": {"model": "intfloat/multilingual-e5-small"}}, "embedder model="),
        ({"files": {"chunks.jsonl": "0" * 64}}, "chunks.jsonl is missing or damaged"),
    ],
)
def test_tampered_manifest_gets_503(settings, changes, expected):
    _build(settings)
    _tamper(settings, **changes)
    _refused(settings, expected)


def test_unreadable_manifest_gets_503(settings):
    _build(settings)
    (settings.index_dir / "manifest.json").write_text("{not json", encoding="utf-8")
    _refused(settings, "unreadable")
