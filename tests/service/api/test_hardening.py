"""Bad input, limits, the read-only surface, unexpected errors and live index swaps."""

from __future__ import annotations

import json
import time

import pytest
from conftest import CORPUS
from fastapi.testclient import TestClient

from indexer.build import build_index
from indexer.embedding.hashing import HashingEmbedder
from indexer.settings import Settings
from service.api import create_app


@pytest.fixture(scope="module")
def client(hashing_engine, hashing_settings):
    with TestClient(create_app(hashing_settings, hashing_engine)) as c:
        yield c


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("子育て\x00支援", "control characters"),
        ("子育て\x1b[31m", "control characters"),
        ("子育て\ud800", "unicode"),
    ],
)
def test_control_characters_and_lone_surrogates_are_refused(client, query, message):
    body = json.dumps({"q": query})  # escapes become \u0000, \ud800 … in the JSON text
    r = client.post("/search", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and message in r.json()["detail"].lower()


@pytest.mark.parametrize("query", ["子育て支援 👶", "childcare support", "DV被害者 support"])
def test_emoji_english_and_mixed_questions_are_answered(client, query):
    r = client.get("/search", params={"q": query, "top_k": 3})
    assert r.status_code == 200 and r.json()["hits"]


def test_oversized_body_is_413(client):
    r = client.post("/search", json={"q": "あ" * 500, "doc_id": ["x" * 40] * 400})
    assert r.status_code == 413 and "bytes" in r.json()["detail"]


def test_path_parameters_are_looked_up_not_opened(client):
    for path in [
        "/projects/..%2F..%2Fetc/passwd",
        "/projects/isesaki-jisshi-r3/..%2Fmanifest.json",
    ]:
        r = client.get(path)
        assert r.status_code == 404 and "passwd" not in r.text.lower().replace("%2f", "")


def test_surface_is_read_only_and_cors_off_by_default(client):
    assert client.post("/admin/reload").status_code in (404, 405)
    assert {m for p in client.get("/openapi.json").json()["paths"].values() for m in p} <= {
        "get",
        "post",
    }
    r = client.get("/health", headers={"origin": "https://example.org"})
    assert "access-control-allow-origin" not in r.headers


def test_admin_reload_needs_the_token(hashing_engine, hashing_settings):
    settings = hashing_settings.model_copy(update={"admin_token": "t" * 32, "reload_interval": 0})
    with TestClient(create_app(settings, hashing_engine)) as c:
        assert c.post("/admin/reload").status_code == 401
        assert c.post("/admin/reload", headers={"authorization": "Bearer nope"}).status_code == 401
        r = c.post("/admin/reload", headers={"authorization": "Bearer " + "t" * 32})
        assert r.status_code == 200 and r.json()["status"] == "reloaded"


def test_unexpected_errors_are_500_without_internals(hashing_engine, hashing_settings, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret stack detail")

    with TestClient(
        create_app(hashing_settings, hashing_engine), raise_server_exceptions=False
    ) as c:
        monkeypatch.setattr(hashing_engine, "search_full", boom)
        r = c.get("/search", params={"q": "子育て"})
    assert r.status_code == 500
    assert "secret" not in r.text and "Traceback" not in r.text


def test_reindexing_while_serving_swaps_to_the_new_index(tmp_path):
    settings = Settings(
        embedder="hashing",
        corpus_dir=CORPUS,
        index_dir=tmp_path / "index",
        cache_dir=tmp_path / "cache",
        reload_interval=0.1,
    )
    build_index(settings, HashingEmbedder(), doc_ids=["isesaki-gyokaku-r2-r5"], progress=False)
    with TestClient(create_app(settings)) as c:
        docs = lambda: {d["doc_id"] for d in c.get("/health").json()["documents"]}  # noqa: E731
        assert docs() == {"isesaki-gyokaku-r2-r5"}
        build_index(
            settings,
            HashingEmbedder(),
            doc_ids=["isesaki-gyokaku-r2-r5", "isesaki-manifesto-r6"],
            progress=False,
        )
        deadline = time.monotonic() + 30
        while docs() != {"isesaki-gyokaku-r2-r5", "isesaki-manifesto-r6"}:
            assert time.monotonic() < deadline, "the new index was not picked up"
            assert c.get("/search", params={"q": "証明書"}).status_code == 200  # old one serves
            time.sleep(0.1)
