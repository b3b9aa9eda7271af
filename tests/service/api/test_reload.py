"""README: the service swaps to a newly published build without stopping, checking every
``PLANSEARCH_RELOAD_INTERVAL`` seconds (0: never), and keeps the old engine when a new build
fails to load (service/holder.py)."""

from __future__ import annotations

import logging
import time

import pytest
from conftest import hashing_settings_in
from fastapi.testclient import TestClient

from indexer.build import build_index
from indexer.embedding.hashing import HashingEmbedder
from indexer.settings import Settings
from indexer.store import publish
from service.api import create_app
from service.holder import EngineHolder

OLD = ["isesaki-gyokaku-r2-r5"]
NEW = ["isesaki-gyokaku-r2-r5", "isesaki-manifesto-r6"]
TOKEN = "t" * 32


@pytest.fixture()
def settings(tmp_path) -> Settings:
    return hashing_settings_in(tmp_path, reload_interval=0)


def _build(settings: Settings, doc_ids: list[str]) -> None:
    build_index(settings, HashingEmbedder(), doc_ids=doc_ids, progress=False)


def _publish_damaged(settings: Settings) -> None:
    """Publish a complete build with one file damaged (as a bad disk would leave it)."""
    staging = settings.model_copy(update={"index_dir": settings.index_dir.with_name("staging")})
    _build(staging, NEW)
    build_dir = staging.index_dir.resolve()
    path = build_dir / "chunks.jsonl"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    publish(build_dir, settings.index_dir)  # how `plansearch index` publishes a build


def _documents(c: TestClient) -> set[str]:
    r = c.get("/health")
    assert r.status_code == 200, r.text
    return {d["doc_id"] for d in r.json()["documents"]}


def _wait(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_holder_keeps_the_old_engine_when_the_new_build_is_damaged(settings, caplog):
    _build(settings, OLD)
    holder = EngineHolder(settings)
    assert holder.load() is True and holder.error is None
    old = holder.engine
    _publish_damaged(settings)
    with caplog.at_level(logging.ERROR, logger="plansearch"):
        assert holder.refresh_if_changed() is False
    assert holder.engine is old and holder.current() is old
    assert holder.error and "chunks.jsonl is missing or damaged" in holder.error
    assert "plansearch index" in holder.error
    assert any("chunks.jsonl" in r.getMessage() for r in caplog.records)
    hits = old.search(
        "証明書 コンビニ交付", top_k=3
    )  # the old build's files are gone; memory serves
    assert hits and hits[0].project_id == "1-(1)-③"
    _build(settings, NEW)  # a good build next time: swapped in, error cleared
    assert holder.refresh_if_changed() is True
    assert holder.engine is not old and holder.error is None
    assert set(holder.engine.index.documents) == set(NEW)


def test_service_keeps_answering_from_the_old_index_when_a_reload_fails(settings):
    settings = settings.model_copy(update={"reload_interval": 0.05, "admin_token": TOKEN})
    _build(settings, OLD)
    with TestClient(create_app(settings)) as c:
        holder: EngineHolder = c.app.state.holder
        built_at = c.get("/health").json()["built_at"]
        _publish_damaged(settings)
        _wait(lambda: holder.error is not None)  # the watcher tried the damaged build
        assert "damaged" in holder.error
        health = c.get("/health").json()
        assert health["built_at"] == built_at and _documents(c) == set(OLD)
        assert c.get("/search", params={"q": "証明書"}).json()["hits"]
        r = c.post("/admin/reload", headers={"authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 503 and "damaged" in r.json()["detail"]
        assert _documents(c) == set(OLD)
        _build(settings, NEW)  # the watcher survived the failure and takes the next good build
        _wait(lambda: _documents(c) == set(NEW))
        assert holder.error is None


def _count_checks(c: TestClient) -> list[float]:
    """Record each call of the holder's check for a new build (made by the watcher only)."""
    holder: EngineHolder = c.app.state.holder
    calls: list[float] = []
    check = holder.refresh_if_changed

    def counted() -> bool:
        calls.append(time.monotonic())
        return check()

    holder.refresh_if_changed = counted  # type: ignore[method-assign]
    return calls


def test_reload_interval_zero_never_picks_up_a_new_build(settings):
    assert settings.reload_interval == 0
    _build(settings, OLD)
    with TestClient(create_app(settings)) as c:
        calls = _count_checks(c)
        assert _documents(c) == set(OLD)
        _build(settings, NEW)
        time.sleep(1.0)  # 20 checks' worth at the interval the next test uses
        assert calls == [] and _documents(c) == set(OLD)
        # The build was loadable: only the missing watcher kept it out.
        assert c.app.state.holder.refresh_if_changed() is True
        assert _documents(c) == set(NEW)


def test_positive_reload_interval_picks_up_a_new_build(settings):
    settings = settings.model_copy(update={"reload_interval": 0.05})
    _build(settings, OLD)
    with TestClient(create_app(settings)) as c:
        calls = _count_checks(c)
        assert _documents(c) == set(OLD)
        _wait(lambda: len(calls) >= 2)  # the watcher checks even when nothing changed
        assert _documents(c) == set(OLD)
        _build(settings, NEW)
        _wait(lambda: _documents(c) == set(NEW))
