"""Bad input, limits, the read-only surface and unexpected errors.

Live index swaps: test_live_reindex.py (a real server) and test_reload.py."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

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


LIMIT = 16 * 1024  # README: "a body over 16 KiB (413)"; PLANSEARCH_MAX_BODY_BYTES 16384
JSON = {"content-type": "application/json"}


def _padded(size: int) -> bytes:
    """A valid search body of exactly ``size`` bytes (JSON white space as padding)."""
    head, tail = '{"q": "子育て支援"'.encode(), b"}"
    return head + b" " * (size - len(head) - len(tail)) + tail


def test_oversized_body_is_413(client):
    r = client.post("/search", json={"q": "あ" * 500, "doc_id": ["x" * 40] * 400})
    assert r.status_code == 413 and "bytes" in r.json()["detail"]


def test_body_limit_is_16_kib_exactly(client):
    assert len(_padded(LIMIT)) == LIMIT
    r = client.post("/search", content=_padded(LIMIT), headers=JSON)
    assert r.status_code == 200 and r.json()["hits"]
    r = client.post("/search", content=_padded(LIMIT + 1), headers=JSON)
    assert r.status_code == 413
    assert r.json()["detail"] == f"request body over {LIMIT} bytes"


def test_chunked_body_over_the_limit_is_413(client):
    def chunks():
        body = _padded(LIMIT + 1000)
        for i in range(0, len(body), 1000):
            yield body[i : i + 1000]

    r = client.post("/search", content=chunks(), headers=JSON)
    assert r.request.headers.get("transfer-encoding") == "chunked"
    assert r.status_code == 413


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "JSON decode error"),
        (b'{"q": ', "JSON decode error"),
        (b'{"q": "a"} trailing', "JSON decode error"),
        (b"[1, 2]", "valid dictionary"),
        (b"", "Field required"),
    ],
)
def test_malformed_json_bodies_get_422_with_a_message(client, body, message):
    r = client.post("/search", content=body, headers=JSON)
    assert r.status_code == 422 and message in r.json()["detail"]


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
