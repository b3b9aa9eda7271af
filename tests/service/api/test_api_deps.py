"""The route dependencies alone: the engine (503 with what to run), settings, admin token."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from fastapi import HTTPException

from indexer.errors import UnavailableError
from indexer.settings import Settings
from service.api.deps import get_app_settings, get_engine, get_holder, require_admin
from service.holder import EngineHolder


@pytest.fixture()
def no_index(tmp_path) -> Settings:
    return Settings(embedder="hashing", index_dir=tmp_path / "none", cache_dir=tmp_path)


def _request(**state):
    return SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(**state)))


def test_engine_missing_is_unavailable_with_what_to_run(no_index):
    with pytest.raises(UnavailableError, match="run `plansearch index`") as caught:
        asyncio.run(get_engine(_request(holder=EngineHolder(no_index))))  # type: ignore[arg-type]
    assert caught.value.status_code == 503


def test_engine_missing_reports_why_the_last_load_failed(no_index):
    holder = EngineHolder(no_index)
    assert holder.load() is False and holder.error
    with pytest.raises(UnavailableError) as caught:
        asyncio.run(get_engine(_request(holder=holder)))  # type: ignore[arg-type]
    assert str(caught.value) == holder.error


def test_engine_present_is_served(hashing_engine, hashing_settings):
    request = _request(holder=EngineHolder(hashing_settings, hashing_engine))
    assert asyncio.run(get_engine(request)) is hashing_engine  # type: ignore[arg-type]


def test_holder_and_settings_come_from_the_application_state(no_index):
    holder = EngineHolder(no_index)
    request = _request(holder=holder, settings=no_index)
    assert asyncio.run(get_holder(request)) is holder  # type: ignore[arg-type]
    assert get_app_settings(request) is no_index  # type: ignore[arg-type]


@pytest.mark.parametrize("given", ["", "Bearer nope", "bearer " + "t" * 32, "Bearer é"])
def test_admin_needs_the_exact_bearer_token(no_index, given):
    settings = no_index.model_copy(update={"admin_token": "t" * 32})
    with pytest.raises(HTTPException) as caught:
        require_admin(settings, given)
    assert caught.value.status_code == 401
    require_admin(settings, "Bearer " + "t" * 32)  # no exception


def test_admin_is_refused_when_no_token_is_configured(no_index):
    with pytest.raises(HTTPException):
        require_admin(no_index, "Bearer None")
