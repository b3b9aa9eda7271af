"""The question routes' fast path answers what FastAPI's routes would, byte for byte, and takes
exactly the parameters the OpenAPI schema documents for them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from service.api import create_app
from service.api.fastpath import QuestionFastPath, query_pairs
from service.api.routes import answer, search

FAST_ROUTES = {**search.FAST_ROUTES, **answer.FAST_ROUTES}


def _without_fast_path(app: FastAPI) -> FastAPI:
    """``app`` answering every request through FastAPI's routes (the stack is built on the
    first request, so dropping the middleware before it takes it out)."""
    app.user_middleware = [m for m in app.user_middleware if m.cls is not QuestionFastPath]
    return app


@pytest.fixture(scope="module")
def clients(hashing_engine, hashing_settings) -> Iterator[tuple[TestClient, TestClient]]:
    fast = create_app(hashing_settings, hashing_engine)
    slow = _without_fast_path(create_app(hashing_settings, hashing_engine))
    with TestClient(fast) as f, TestClient(slow) as s:
        yield f, s


def test_the_fast_path_is_in_the_app(hashing_engine, hashing_settings):
    app = create_app(hashing_settings, hashing_engine)
    assert any(m.cls is QuestionFastPath for m in app.user_middleware)
    assert set(FAST_ROUTES) == {"/search", "/projects/search", "/answer"}


@pytest.mark.parametrize("path", sorted(FAST_ROUTES))
def test_query_models_take_the_documented_parameters(hashing_engine, hashing_settings, path):
    """Each field of the route's query model is a parameter of the route's OpenAPI operation
    with the same schema (type, bounds, default, description), and no parameter is missing."""
    operation = create_app(hashing_settings, hashing_engine).openapi()["paths"][path]["get"]
    params = operation["parameters"]
    documented = {p["name"]: (p.get("required", False), p["schema"]) for p in params}
    model = FAST_ROUTES[path].query.model_json_schema()
    properties: dict[str, Any] = model["properties"]
    required = model.get("required", [])
    ours = {name: (name in required, _documented(schema)) for name, schema in properties.items()}
    assert ours == documented


def _documented(schema: dict[str, Any]) -> dict[str, Any]:
    """A field's JSON schema as FastAPI documents a query parameter (no ``default: null``)."""
    return {k: v for k, v in schema.items() if not (k == "default" and v is None)}


# Well-formed queries (answered by the fast path) and malformed ones (passed on to FastAPI, or
# refused by the engine inside the fast path), each as a list of query pairs.
QUERIES: list[list[tuple[str, str]]] = [
    [("q", "子育て支援に取り組んでいる事業は？")],
    [("q", "  空き家対策  "), ("top_k", "3")],
    [("q", "ごみの減量"), ("doc_id", "isesaki-jisshi-r3"), ("city", "伊勢崎市")],
    [("q", "防災"), ("city", "伊勢原市"), ("city", "伊勢崎市"), ("year", "令和4年度")],
    [("q", "取組成果"), ("department", ""), ("year", ""), ("project", "")],
    [("q", "防災"), ("section", "安全安心"), ("project", "3-"), ("top_k", "20")],
    [("q", "a"), ("q", "公園の整備"), ("top_k", "7"), ("extra", "ignored")],
    [("q", "婚活セミナーは令和4年度に何回開催する予定ですか"), ("mode", "dense")],
    [("q", "")],
    [("q", "   ")],
    [("top_k", "5")],
    [("q", "子育て"), ("top_k", "0")],
    [("q", "子育て"), ("top_k", "ten")],
    [("q", "子育て"), ("top_k", "101")],
    [("q", "子育て"), ("mode", "fuzzy")],
    [("q", "子育て"), ("doc_id", "no-such-document")],
    [("q", "子育て"), ("year", "来年")],
    [("q", "子育て"), ("project", "1" * 41)],
    [("q", "字" * 1001)],
]


@pytest.mark.parametrize("path", sorted(FAST_ROUTES))
@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_same_response_as_fastapi(clients, path, query):
    fast, slow = clients
    expected = slow.get(path, params=query)
    got = fast.get(path, params=query)
    assert got.status_code == expected.status_code < 500
    assert got.content == expected.content
    assert got.headers.get("content-type") == expected.headers.get("content-type")


def test_no_engine_is_answered_by_fastapi(hashing_settings, tmp_path):
    settings = hashing_settings.model_copy(update={"index_dir": tmp_path / "none"})
    with TestClient(create_app(settings)) as client:
        r = client.get("/search", params={"q": "子育て"})
    assert r.status_code == 503
    assert r.json()["code"] == "index_missing" or "index" in r.json()["detail"]


def _ask(fast: QuestionFastPath, app: FastAPI, path: str, query: bytes) -> list[dict[str, Any]]:
    """The messages ``fast`` sends for a GET of ``path?query`` in ``app``."""
    return asyncio.run(_sent(fast, app, path, query))


async def _sent(
    fast: QuestionFastPath, app: FastAPI, path: str, query: bytes
) -> list[dict[str, Any]]:
    """``_ask`` within a running loop (so that several requests can share one turn of it)."""
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "root_path": "",
        "query_string": query,
        "headers": [],
        "app": app,
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await fast(scope, receive, send)
    return sent


def test_well_formed_questions_do_not_reach_fastapi(hashing_engine, hashing_settings):
    app = create_app(hashing_settings, hashing_engine)
    passed_on: list[str] = []

    async def fastapi(scope: Any, receive: Any, send: Any) -> None:
        passed_on.append(scope["path"])

    fast = QuestionFastPath(fastapi, FAST_ROUTES)
    for path in FAST_ROUTES:
        asked = {"q": "子育て支援", "doc_id": "isesaki-jisshi-r3"}
        sent = _ask(fast, app, path, urlencode(asked).encode())
        assert sent[0]["status"] == 200 and b'"query":"' in sent[1]["body"]
        refused = _ask(fast, app, path, urlencode({**asked, "doc_id": "nope"}).encode())
        assert refused[0]["status"] == 422 and b"invalid_filter" in refused[1]["body"]  # engine
    assert passed_on == []
    _ask(fast, app, "/search", b"q=&top_k=0")  # FastAPI says what is wrong
    _ask(fast, app, "/projects", b"")  # not a question route
    assert passed_on == ["/search", "/projects"]


# Query strings as clients send them (percent-encoded text) and as they may come malformed:
# stray or short escapes, backslashes, raw bytes outside ASCII, empty fields, names alone.
_PIECES = st.sampled_from(["%", "%E5", "%AD%90", "%zz", "%4", "+", "&", "=", "\\", "\\x41", "a"])
_RAW = st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=12).map("".join)
_ENCODED = st.lists(st.tuples(st.text(max_size=5), st.text(max_size=8)), max_size=4).map(
    lambda pairs: "&".join(f"{quote(n)}={quote(v)}" for n, v in pairs)
)


@given(st.one_of(_RAW, _ENCODED))
def test_query_pairs_read_as_starlette_reads_them(text):
    raw = text.encode("utf-8")
    assert query_pairs(raw) == parse_qsl(raw.decode("latin-1"), keep_blank_values=True)


def _asked_on(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch, engine: Any, together: int
) -> list[bool]:
    """For ``together`` questions to /search started in one turn of the loop, whether each
    was answered on the event loop's own thread (True) or on the thread pool (False)."""
    on_loop: list[bool] = []
    search_full = engine.search_full

    def recording(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:  # a worker thread runs no loop
            on_loop.append(False)
        return search_full(*args, **kwargs)

    monkeypatch.setattr(engine, "search_full", recording)
    fast = QuestionFastPath(app, FAST_ROUTES)
    questions = ["子育て支援", "空き家対策", "ごみの減量", "防災訓練"][:together]

    async def main() -> list[list[dict[str, Any]]]:
        asked = (_sent(fast, app, "/search", urlencode({"q": q}).encode()) for q in questions)
        return await asyncio.gather(*asked)

    for sent in asyncio.run(main()):
        assert sent[0]["status"] == 200
    return on_loop


def test_a_question_asked_alone_is_answered_on_the_loop(
    hashing_engine, hashing_settings, monkeypatch
):
    """No thread hand-off for a lone question (two thread wake-ups and anyio's bookkeeping)."""
    app = create_app(hashing_settings, hashing_engine)
    assert _asked_on(app, monkeypatch, hashing_engine, 1) == [True]


def test_questions_asked_together_go_to_the_thread_pool(
    hashing_engine, hashing_settings, monkeypatch
):
    """Requests started in the same turn of the loop see each other before deciding: none
    blocks the loop for the others (the first would, deciding before they counted)."""
    app = create_app(hashing_settings, hashing_engine)
    assert _asked_on(app, monkeypatch, hashing_engine, 4) == [False] * 4
