"""README: `plansearch serve` builds the index when absent (``PLANSEARCH_BUILD_IF_MISSING``,
default true), then serves it. uvicorn.run is replaced: nothing listens."""

from __future__ import annotations

import json
import shutil

import pytest
import uvicorn
from conftest import CORPUS
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from indexer.build import build_index
from indexer.embedding.hashing import HashingEmbedder
from indexer.settings import Settings
from service import cli

DOC = "isesaki-gyokaku-r2-r5"


@pytest.fixture()
def env(tmp_path, monkeypatch) -> Settings:
    """A one-document corpus and an empty place for the index, in PLANSEARCH_* variables."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    listed = json.loads((CORPUS / "documents.json").read_text(encoding="utf-8"))
    doc = next(d for d in listed["documents"] if d["doc_id"] == DOC)
    (corpus / "documents.json").write_text(json.dumps({"documents": [doc]}), encoding="utf-8")
    shutil.copy(CORPUS / doc["file"], corpus / doc["file"])
    values = {
        "EMBEDDER": "hashing",
        "CORPUS_DIR": str(corpus),
        "INDEX_DIR": str(tmp_path / "var" / "index"),
        "CACHE_DIR": str(tmp_path / "var" / "cache"),
        "RELOAD_INTERVAL": "0",
    }
    for name, value in values.items():
        monkeypatch.setenv(f"PLANSEARCH_{name}", value)
    monkeypatch.delenv("PLANSEARCH_BUILD_IF_MISSING", raising=False)
    return Settings()


@pytest.fixture()
def served(monkeypatch) -> list[dict]:
    """The calls of uvicorn.run (what would have been served, and where)."""
    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    return calls


def test_serve_builds_the_missing_index_then_serves_it(env, served):
    assert not (env.index_dir / "manifest.json").exists()
    result = CliRunner().invoke(cli.app, ["serve", "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert "no index yet: building it first" in result.output
    assert (env.index_dir / "manifest.json").is_file() and env.index_dir.is_symlink()
    assert len(served) == 1
    assert served[0]["host"] == "127.0.0.1" and served[0]["port"] == 8765
    with TestClient(served[0]["app"]) as c:  # the app handed to uvicorn serves the new index
        health = c.get("/health").json()
        assert [d["doc_id"] for d in health["documents"]] == [DOC]
        hits = c.get("/search", params={"q": "証明書 コンビニ交付"}).json()["hits"]
        assert hits and hits[0]["project_id"] == "1-(1)-③"


def test_serve_uses_an_existing_index_without_rebuilding(env, served):
    build_index(env, HashingEmbedder(), progress=False)
    build_dir = env.index_dir.resolve()
    result = CliRunner().invoke(cli.app, ["serve"])
    assert result.exit_code == 0, result.output
    assert "building" not in result.output
    assert env.index_dir.resolve() == build_dir and len(served) == 1
    assert served[0]["port"] == 8000  # PLANSEARCH_PORT's default


@pytest.mark.parametrize(
    ("args", "build_if_missing"), [(["serve", "--no-build"], None), (["serve"], "false")]
)
def test_serve_without_building_refuses_a_missing_index(
    env, served, monkeypatch, args, build_if_missing
):
    if build_if_missing is not None:
        monkeypatch.setenv("PLANSEARCH_BUILD_IF_MISSING", build_if_missing)
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 2
    assert "run `plansearch index`" in result.output
    assert served == [] and not env.index_dir.exists()


NUMBA_LOADED = """
import sys
from service.__main__ import main
sys.argv = ["plansearch", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
import bm25s
print(bm25s.NUMBA_AVAILABLE, sys.modules.get("numba") is not None)
"""


@pytest.mark.parametrize(("command", "loaded"), [("serve", "False False"), ("search", "True True")])
def test_only_the_serving_process_goes_without_numba(command, loaded):
    # numba is installed here (ranx brings it) and bm25s imports it when it can; the server
    # never calls it (BM25 scores are numpy either way), so `serve` keeps its 56 MB out.
    import subprocess
    import sys

    run = [sys.executable, "-c", NUMBA_LOADED, command, "--help"]
    out = subprocess.run(run, capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip().splitlines()[-1] == loaded
