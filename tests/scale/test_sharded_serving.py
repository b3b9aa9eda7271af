"""Sharded serving on a two-node Ray cluster gives the single index's results."""

from __future__ import annotations

import pytest

from tests.scale.conftest import gold_questions

pytestmark = pytest.mark.ray


def _top(outcome) -> list[tuple[int, float]]:
    return [(h.chunk_id, h.score) for h in outcome.hits]


def test_the_shard_actors_run_on_both_nodes(ray_cluster, sharded):
    nodes = {n["NodeManagerAddress"] for n in ray_cluster.nodes() if n["Alive"]}
    assert nodes == {"127.0.0.1", "127.0.0.2"}
    assert sharded.backend.names == ["shard-0", "shard-1", "shard-2"]
    # Both replicas of a shard on different nodes, so one node lost loses no shard.
    assert all(sorted(p) == sorted(nodes) for p in sharded.placement), sharded.placement


def test_sharded_top10_equals_the_single_index_on_every_gold_question(hashing_engine, sharded):
    questions = gold_questions()
    assert len(questions) > 200
    filters = hashing_engine.make_filters()
    differ = []
    for q in questions:
        parsed = hashing_engine.parse(q)
        single = hashing_engine.search_full(parsed, 10, filters)
        shard = sharded.engine.search_full(parsed, 10, filters)
        assert not shard.partial, shard.missing_shards
        if _top(single) != _top(shard):
            differ.append(q)
    assert differ == []


@pytest.mark.parametrize("mode", ["dense", "lexical"])
def test_each_retriever_alone_is_equal_too(hashing_engine, sharded, mode):
    filters = hashing_engine.make_filters()
    for q in gold_questions()[:40]:
        parsed = hashing_engine.parse(q, mode)
        single = hashing_engine.search_full(parsed, 10, filters, mode)
        assert _top(sharded.engine.search_full(parsed, 10, filters, mode)) == _top(single)


def test_filters_and_projects_are_equal(hashing_engine, sharded):
    city = hashing_engine.index.cities[0]
    doc = sorted(hashing_engine.index.documents)[-1]
    for filters in (hashing_engine.make_filters(cities=[city]), hashing_engine.make_filters([doc])):
        for q in gold_questions()[:15]:
            single = hashing_engine.search_full(q, 10, filters)
            assert _top(sharded.engine.search_full(q, 10, filters)) == _top(single)
            assert [p.model_dump() for p in sharded.engine.search_projects(q, 5, filters)[0]] == [
                p.model_dump() for p in hashing_engine.search_projects(q, 5, filters)[0]
            ]
