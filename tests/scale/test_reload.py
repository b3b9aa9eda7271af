"""A reload of a sharded service (``service.holder``) stops the old engine's shard actors, after
its grace period, and serves whole results from the new ones."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from service.holder import REQUEST_ROUNDS, EngineHolder
from tests.conftest import hashing_settings_in
from tests.scale.conftest import gold_questions

pytestmark = pytest.mark.ray

TIMEOUT = 1.0  # shard_timeout: the old actors live on for REQUEST_ROUNDS times this
STOP_SECONDS = 30


def _top(outcome) -> list[tuple[int, float]]:
    return [(h.chunk_id, h.score) for h in outcome.hits]


def _publish(link, build) -> None:
    """What ``plansearch index`` does: the index link replaced atomically."""
    fresh = link.with_name(link.name + ".new")
    fresh.symlink_to(build)
    os.replace(fresh, link)


def _alive(ray, handle) -> bool:
    try:
        ray.get(handle.ping.remote(), timeout=10)
    except ray.exceptions.RayActorError:
        return False
    return True


def _all_stopped(ray, handles) -> bool:
    """Whether every actor is gone within STOP_SECONDS: ``ray.kill`` returns before the
    process is, so a call made at once may still reach a dying actor."""
    deadline = time.monotonic() + STOP_SECONDS
    while any(_alive(ray, h) for h in handles):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def test_a_reload_stops_the_old_shard_actors(
    ray_cluster, hashing_engine, hashing_settings, tmp_path
):
    ray = ray_cluster
    builds = [tmp_path / "builds" / name for name in ("a", "b")]
    for build in builds:
        shutil.copytree(hashing_settings.index_dir.resolve(), build)
    settings = hashing_settings_in(tmp_path, shards=3, shard_timeout=TIMEOUT)
    _publish(settings.index_dir, builds[0])
    holder = EngineHolder(settings)
    try:
        assert holder.load()
        old = holder.current().backend
        old_actors = [h for replicas in old.replicas for h in replicas]
        assert len(old_actors) == 3

        _publish(settings.index_dir, builds[1])
        assert holder.refresh_if_changed()
        new = holder.current().backend
        assert holder.current().index.path == builds[1]
        new_actors = [h for replicas in new.replicas for h in replicas]
        assert {h._actor_id for h in new_actors}.isdisjoint(h._actor_id for h in old_actors)
        # A request that began on the old engine can still finish on its actors...
        assert all(_alive(ray, h) for h in old_actors)
        # ...and after the grace period they are stopped for good (no restart).
        time.sleep(REQUEST_ROUNDS * TIMEOUT)
        deadline = time.monotonic() + STOP_SECONDS
        while any(_alive(ray, h) for h in old_actors) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not any(_alive(ray, h) for h in old_actors)

        # The new engine's results are whole and equal the single index's.
        engine = holder.current()
        filters = engine.make_filters()
        for q in gold_questions()[:20]:
            outcome = engine.search_full(q, 10, filters)
            assert not outcome.partial, outcome.missing_shards
            assert _top(outcome) == _top(hashing_engine.search_full(q, 10, filters))
    finally:
        holder.close()
    assert _all_stopped(ray, new_actors)
