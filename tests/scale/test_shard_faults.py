"""A lost shard actor: the other replica answers; with none left, results are partial and
name the shard; after Ray restarts the actors, results are whole again."""

from __future__ import annotations

import time

import pytest

from service.cli import _partial
from tests.scale.conftest import gold_questions

pytestmark = pytest.mark.ray

RESTART_SECONDS = 90


def _top(outcome) -> list[tuple[int, float]]:
    return [(h.chunk_id, h.score) for h in outcome.hits]


def _shard_docs(engine, backend, shard: int) -> list[str]:
    rows = (backend._owner == shard).nonzero()[0]
    return sorted({engine.index.chunks[r].doc_id for r in rows})


def test_a_killed_shard_gives_partial_results_then_full_ones(ray_cluster, hashing_engine, sharded):
    backend, engine = sharded.backend, sharded.engine
    questions = gold_questions()[:5]
    filters = hashing_engine.make_filters()
    full = {q: _top(hashing_engine.search_full(q, 10, filters)) for q in questions}

    # One replica lost: the other one answers, nothing is missing.
    ray_cluster.kill(backend.replicas[1][0], no_restart=False)
    for _ in range(2):  # both turns of the round robin
        outcome = engine.search_full(questions[0], 10, filters)
        assert not outcome.partial
        assert _top(outcome) == full[questions[0]]

    # Every replica of shard-1 lost: partial, named, and exactly the other shards' results.
    for handle in backend.replicas[1]:
        ray_cluster.kill(handle, no_restart=False)
    # A call to a restarting actor waits for it: the shard is missing once the timeout
    # (2 s) is over, well before the restart (about 6 s here: a process, imports, the part).
    try:
        # ray.kill returns before the process is gone: a first call may still reach it.
        for _ in range(3):
            outcome = engine.search_full(questions[0], 10, filters)
            if outcome.partial:
                break
        assert outcome.partial
        assert outcome.missing_shards == ("shard-1",)
        # What `plansearch search --json` adds to its result then.
        assert _partial(outcome) == {"partial": True, "missing_shards": ["shard-1"]}
        others = [d for s in (0, 2) for d in _shard_docs(hashing_engine, backend, s)]
        rest = hashing_engine.search_full(questions[0], 10, hashing_engine.make_filters(others))
        assert _top(outcome) == _top(rest)
    finally:
        # Ray restarts them (max_restarts); wait even on a failure, so the next test of the
        # session's cluster does not meet a restarting shard.
        deadline = time.monotonic() + RESTART_SECONDS
        while backend.missing() and time.monotonic() < deadline:
            time.sleep(0.5)

    # Whole results again, equal to the single index.
    assert backend.missing() == []
    for q in questions:
        outcome = engine.search_full(q, 10, filters)
        assert not outcome.partial
        assert _top(outcome) == full[q]
