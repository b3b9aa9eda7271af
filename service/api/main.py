"""The application: settings and engine holder, lifespan (load, then watch for new builds),
middleware, error handlers, and every router mounted in one place."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from indexer.settings import Settings, get_settings
from service.api.errors import install_error_handlers
from service.api.middleware import BodyLimitMiddleware
from service.api.routes import admin, answer, health, page, projects, search
from service.holder import EngineHolder
from service.search import SearchEngine

log = logging.getLogger("plansearch")


def create_app(settings: Settings | None = None, engine: SearchEngine | None = None) -> FastAPI:
    """The application; tests pass a ready ``engine``, servers let the lifespan load one."""
    settings = settings or get_settings()
    app = FastAPI(
        title="plansearch",
        version="0.1.0",
        summary="Search Japanese municipal plans (総合計画・実施計画・行政改革) by question.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.holder = EngineHolder(settings, engine)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"]
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    install_error_handlers(app)
    for module in (search, answer, projects, health, page):
        app.include_router(module.router)
    if settings.admin_token:  # state-changing routes exist only with a token
        app.include_router(admin.router)
    return app


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the index unless an engine was given; watch for newly published builds."""
    holder: EngineHolder = app.state.holder
    if holder.engine is None:
        await run_in_threadpool(holder.load)
    interval = holder.settings.reload_interval
    watcher = asyncio.create_task(_watch(holder)) if interval else None
    yield
    if watcher is not None:
        watcher.cancel()


async def _watch(holder: EngineHolder) -> None:
    """Poll for a newly published index and swap it in without stopping the service."""
    while True:
        await asyncio.sleep(holder.settings.reload_interval)
        try:
            await run_in_threadpool(holder.refresh_if_changed)
        except Exception:  # keep watching; the old engine still serves
            log.exception("plansearch: index reload failed")
