"""Dependencies of the routes: settings, the engine (503 when there is none), the question,
``top_k`` and the filters.

Those of every question (holder, engine, filters) are ``async`` although none waits on
anything: FastAPI runs a plain ``def`` dependency on its thread pool, a thread hop each, and
these take microseconds and never block.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Query, Request

from indexer.settings import Settings
from service.filters import SearchFilters
from service.holder import EngineHolder
from service.limits import MAX_QUERY_CHARS, MAX_TOP_K
from service.schemas import FilterParams
from service.search import SearchEngine


async def get_holder(request: Request) -> EngineHolder:
    """The holder of the served engine (set by ``create_app``)."""
    return request.app.state.holder


HolderDep = Annotated[EngineHolder, Depends(get_holder)]


def get_app_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


async def get_engine(request: Request) -> SearchEngine:
    """The current engine; UnavailableError (503) with the reason no index could be loaded.

    Read from the application state itself rather than through ``HolderDep``: every question
    resolves this, and each dependency level costs FastAPI tens of microseconds a request."""
    holder: EngineHolder = request.app.state.holder
    return holder.current()


EngineDep = Annotated[SearchEngine, Depends(get_engine)]

QueryParam = Annotated[
    str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="the question (質問)")
]
TopKParam = Annotated[int, Query(ge=1, le=MAX_TOP_K)]


async def get_filters(engine: EngineDep, params: Annotated[FilterParams, Query()]) -> SearchFilters:
    """The filters of a request (its query parameters), validated against the index."""
    return params.search_filters(engine)


FiltersDep = Annotated[SearchFilters, Depends(get_filters)]


def require_admin(settings: SettingsDep, authorization: Annotated[str, Header()] = "") -> None:
    """401 unless the request carries ``Authorization: Bearer <admin token>``."""
    expected = f"Bearer {settings.admin_token or ''}".encode()
    given = authorization.encode("latin-1")  # how the header arrived
    if not settings.admin_token or not hmac.compare_digest(given, expected):
        raise HTTPException(401, "a valid bearer token is required")
