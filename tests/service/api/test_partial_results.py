"""A sharded index that lost a shard answers with what it has, and every question route
says so (``partial``, ``missing_shards``), instead of failing. The backend here is the
in-process one with one document's rows withheld, as a shard that did not answer leaves them;
the Ray tests (tests/scale) show the real shards doing it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.backends.base import Candidates
from service.search import SearchEngine

LOST = "isehara-chuki-r3-r4"
QUESTION = "木造住宅の耐震診断に補助はありますか"


class _LostShard:
    """The local backend with the rows of one document missing, named shard-1."""

    def __init__(self, engine: SearchEngine) -> None:
        self.inner = engine.backend
        self.lost = np.array([c.doc_id == LOST for c in engine.index.chunks])

    def candidates(self, query, rows, depth, mode) -> Candidates:
        found = self.inner.candidates(query, rows[~self.lost[rows]], depth, mode)
        return dataclasses.replace(found, missing_shards=("shard-1",))


@pytest.fixture(scope="module")
def client(hashing_engine, hashing_settings) -> TestClient:
    e = hashing_engine
    engine = SearchEngine(
        e.index, e.embedder, e.fusion, e.analyzer, e.questions, e.no_match_floor, _LostShard(e)
    )
    return TestClient(create_app(hashing_settings, engine))


@pytest.mark.parametrize("route", ["/search", "/projects/search", "/answer"])
def test_every_question_route_names_the_missing_shard(client, route):
    response = client.get(route, params={"q": QUESTION})
    assert response.status_code == 200
    body = response.json()
    assert (body["partial"], body["missing_shards"]) == (True, ["shard-1"])
    cards = body.get("hits") or body.get("projects")
    assert cards and all(c["doc_id"] != LOST for c in cards)


def test_a_whole_index_is_not_partial(hashing_settings, hashing_engine):
    body = (
        TestClient(create_app(hashing_settings, hashing_engine))
        .get("/search", params={"q": QUESTION})
        .json()
    )
    assert (body["partial"], body["missing_shards"]) == (False, [])
    assert any(h["doc_id"] == LOST for h in body["hits"])
