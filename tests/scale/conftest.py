"""A real two-node Ray cluster on loopback for the scale tests, started once per session.

The head node is pinned to 127.0.0.1 and the second node to 127.0.0.2, each with one CPU and
a worker port range of its own (23000–23999, clear of the ephemeral ports the API tests bind);
the cluster is stopped at the end of the session, whatever the tests did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from indexer.ray_cluster import import_ray

if TYPE_CHECKING:
    from service.backends.ray_shards import RayShardBackend
    from service.search import SearchEngine

ROOT = Path(__file__).resolve().parents[2]
GOLD = [ROOT / "eval" / "gold" / "dev.jsonl", ROOT / "eval" / "gold" / "test.jsonl"]
NODES = (("127.0.0.1", 23000), ("127.0.0.2", 23500))


def gold_questions() -> list[str]:
    """Every question of the Japanese gold sets (dev and test)."""
    return [
        json.loads(line)["query"]
        for path in GOLD
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


@pytest.fixture(scope="session")
def ray_cluster():
    """The ``ray`` module joined to a fresh two-node cluster on loopback."""
    ray = import_ray()  # pins 127.0.0.1 (see indexer/ray_cluster.py) before Ray starts
    from indexer.ray_cluster import connect, loopback_cluster

    cluster = loopback_cluster(NODES)
    try:
        connect(cluster.address)
        yield ray
    finally:
        ray.shutdown()
        cluster.shutdown()


@dataclass(frozen=True)
class Sharded:
    """An engine over shard actors, and the nodes each shard's replicas started on."""

    engine: SearchEngine
    backend: RayShardBackend
    placement: list[list[str]]


@pytest.fixture(scope="session")
def sharded(ray_cluster, hashing_engine):
    """The hashing index served from 3 shards × 2 replicas on the two nodes."""
    from service.backends.ray_shards import RayShardBackend
    from service.search import SearchEngine

    backend = RayShardBackend.start(hashing_engine.index, shards=3, replicas=2, timeout=2.0)
    placement = [ray_cluster.get([h.node.remote() for h in r]) for r in backend.replicas]
    e = hashing_engine
    engine = SearchEngine(
        e.index, e.embedder, e.fusion, e.analyzer, e.questions, e.no_match_floor, backend
    )
    yield Sharded(engine, backend, placement)
    backend.close()
