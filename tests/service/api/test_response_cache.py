"""Repeated questions are answered from the response cache: the same bytes, no second
retrieval; other parameters, errors and a newly published index are not answered from it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.api.middleware import ResponseCache


class CountingEngine:
    """The hashing engine, counting the searches that reach it."""

    def __init__(self, engine) -> None:
        self._engine, self.searches = engine, 0

    def __getattr__(self, name: str):
        return getattr(self._engine, name)

    def search_full(self, *args, **kwargs):
        self.searches += 1
        return self._engine.search_full(*args, **kwargs)


@pytest.fixture()
def counted(hashing_engine, hashing_settings):
    engine = CountingEngine(hashing_engine)
    with TestClient(create_app(hashing_settings, engine)) as client:  # type: ignore[arg-type]
        yield client, engine


def test_a_repeated_question_is_answered_from_the_cache(counted):
    client, engine = counted
    params = {"q": "ごみの分別の方法は？（応答キャッシュ）", "top_k": 5}
    first = client.get("/search", params=params)
    again = client.get("/search", params=params)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and engine.searches == 1
    assert first.json()["hits"], "the question finds passages"
    other = client.get("/search", params={**params, "top_k": 3})
    assert other.status_code == 200 and len(other.json()["hits"]) == 3 and engine.searches == 2


def test_errors_are_not_kept(counted):
    client, engine = counted
    for _ in range(2):
        refused = client.get("/search", params={"q": "空き家", "doc_id": "nope"})
        assert refused.status_code == 422 and "isesaki-jisshi-r3" in refused.text
    assert client.get("/search", params={"q": "空き家"}).status_code == 200
    assert client.get("/search", params={"q": "空き家"}).status_code == 200
    assert engine.searches == 1  # the two refused requests never kept anything


def test_the_cache_stays_within_its_bytes():
    answer = [
        {"type": "http.response.start", "status": 200, "headers": []},
        {"type": "http.response.body", "body": b"x" * 100, "more_body": False},
    ]

    async def app(scope, receive, send):
        for message in answer:
            await send(message)

    class State:
        holder = type("H", (), {"engine": type("E", (), {"index": type("I", (), {"path": "b"})})})

    cache = ResponseCache(app, frozenset({"/search"}), max_bytes=1600)  # 16 answers of 100 B

    async def ask(i: int) -> None:
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/search",
            "query_string": f"q={i}".encode(),
            "app": type("A", (), {"state": State})(),
        }

        async def send(message):
            pass

        await cache(scope, None, send)  # type: ignore[arg-type]

    import asyncio

    for i in range(100):
        asyncio.run(ask(i))
    assert len(cache) == 16
