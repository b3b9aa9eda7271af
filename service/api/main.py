"""The application: settings and engine holder, lifespan (load, then watch for new builds),
middleware, error handlers, and every router mounted in one place, with the documentation
pages and their assets served by the service itself."""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from indexer.settings import Settings, get_settings
from service.api.errors import BODY_TOO_LARGE, BODY_UNREADABLE, install_error_handlers
from service.api.fastpath import QuestionFastPath
from service.api.middleware import BodyLimitMiddleware, ResponseCache
from service.api.routes import admin, answer, docs, health, page, projects, search
from service.holder import EngineHolder, trim_dictionary
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
        docs_url=None,  # FastAPI's pages load from a CDN; routes/docs.py serves them offline
        redoc_url=None,
        # The service exports no OpenTelemetry; left on, FastAPI looks up the three global
        # providers on every request to find out.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.holder = EngineHolder(settings, engine)
    # Added first, so innermost: the question routes' fast path, then the cache of their
    # answers; CORS (outside both) still gives a kept answer this request's headers.
    app.add_middleware(QuestionFastPath, routes={**search.FAST_ROUTES, **answer.FAST_ROUTES})
    app.add_middleware(ResponseCache, paths=QUESTION_ROUTES)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"]
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    install_error_handlers(app)
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    # 413 comes from the body limit (middleware), before any route runs: every route has it.
    for module in (search, answer, projects, health, page, docs):
        app.include_router(module.router, responses=BODY_TOO_LARGE)
    if settings.admin_token:  # state-changing routes exist only with a token
        app.include_router(admin.router)
    app.mount(docs.ASSETS_URL, docs.assets(), name="docs-assets")
    document_unreadable_bodies(app)
    return app


def server_options() -> dict[str, Any]:
    """How uvicorn serves the app (``uvicorn.run(app, host=…, port=…, **server_options())``):
    HTTP parsed by httptools and the event loop run by uvloop, both in C, and no access-log
    line formatted and written for every request. Measured per ``GET /search`` in the served
    process (engine results replayed, 218 questions): instructions 1.38 M → 1.22 M without the
    access log → 1.06 M with uvloop too (callgrind); CPU 887 → 773 → 666 µs (9 interleaved
    rounds, medians, load 8.1–8.7)."""
    return {"http": "httptools", "loop": "uvloop", "access_log": False}


def document_unreadable_bodies(app: FastAPI) -> None:
    """Publish 400 on every operation that reads a JSON body: FastAPI answers it before the
    route runs when the body cannot be parsed (bytes that are not UTF-8 text)."""
    build = app.openapi
    documented = {
        str(status): {
            "description": answer["description"],
            "content": {
                "application/json": {
                    "schema": {"$ref": f"#/components/schemas/{answer['model'].__name__}"}
                }
            },
        }
        for status, answer in BODY_UNREADABLE.items()
    }

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            for operations in build()["paths"].values():
                for operation in operations.values():
                    if "requestBody" in operation:
                        operation["responses"].update(documented)
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]


def allowed_methods(request: Request, given: str | None) -> str:
    """The ``Allow`` header of a 405: every method the schema documents at this path, plus
    those Starlette named (``given``). A path such as ``/search`` has one route per method and
    Starlette names only the first route's."""
    methods = {m.strip() for m in (given or "").split(",") if m.strip()}
    path = request.url.path.removeprefix(request.scope.get("root_path", "")) or "/"
    for template, operations in request.app.openapi()["paths"].items():
        if compile_path(template)[0].match(path):
            methods |= {m.upper() for m in operations}
    return ", ".join(sorted(methods))


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """FastAPI's answer to an HTTP error, with a complete ``Allow`` header on 405."""
    if exc.status_code == 405:
        headers = dict(exc.headers or {})
        headers["Allow"] = allowed_methods(request, headers.get("Allow"))
        exc.headers = headers
    return await http_exception_handler(request, exc)


# Threads that run the synchronous routes (anyio's default is 40). The model runs on its own
# worker thread and the analyzer is shared, so on 2 cores more threads only add memory (each
# thread that allocates gets a malloc arena of its own) and queueing, not throughput.
REQUEST_THREADS = 8
# Model calls that may run at once, each single-threaded, when questions queue (a lone question
# still gets both cores: indexer.embedding.worker). Measured side by side, 8 clients, 3-4
# interleaved rounds of 218 fresh questions each, this session's group of processes given
# priority over the other sessions' (load 4-5): 33 req/s against 21-24 with one two-thread call
# at a time (paired 1.32-1.55x), the model's threads busy 86 % of a call against 57 %.
MODEL_LANES = 2
# GET routes whose answer depends on the query string and the index only: repeats are kept.
QUESTION_ROUTES = frozenset({"/search", "/projects/search", "/answer"})
# glibc gives each allocating thread an arena of its own, up to 8 per core, and each keeps the
# memory it once held: a server's resident memory then grows with use. Two arenas serve a
# 2-core machine as fast (the routes spend their time in the model and numpy).
MALLOC_ARENAS = 2
# Seconds between checks of the dictionary's resident pages (service.holder.trim_dictionary:
# its mappings' entries of /proc/self/pagemap, ~1-2 ms); questions map back well under its bound
# in that time.
TRIM_SECONDS = 1.0


def bound_memory() -> None:
    """Cap the malloc arenas of this process (glibc only; elsewhere nothing to do)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, MALLOC_ARENAS)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def batch_questions(holder: EngineHolder) -> None:
    """Micro-batching of the served embedder, as the settings say (see
    ``indexer.embedding.worker``)."""
    if holder.engine is not None:
        settings = holder.settings
        holder.engine.embedder.batching(settings.embed_batch_wait_ms, settings.embed_max_batch)
        holder.engine.embedder.worker.lanes = MODEL_LANES


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Bound the request threads and malloc arenas; load the index unless an engine was
    given; watch for newly published builds; close what was loaded here."""
    bound_memory()
    anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
    holder: EngineHolder = app.state.holder
    # An engine the caller passed in is the caller's to close (tests share one); one loaded
    # here is closed at shutdown, which stops its shard actors when it is served sharded.
    owned = holder.engine is None
    if owned:
        await run_in_threadpool(holder.load)
    batch_questions(holder)
    interval = holder.settings.reload_interval
    watcher = asyncio.create_task(_watch(holder)) if interval else None
    trimmer = asyncio.create_task(_trim_dictionary())
    yield
    trimmer.cancel()
    if watcher is not None:
        watcher.cancel()
    if owned:
        await run_in_threadpool(holder.close)


async def _trim_dictionary() -> None:
    """Keep the tagger's resident dictionary pages under their bound
    (service.holder.trim_dictionary), checked every TRIM_SECONDS whatever the reload setting."""
    while True:
        await asyncio.sleep(TRIM_SECONDS)
        try:
            await run_in_threadpool(trim_dictionary)
        except Exception:  # memory housekeeping must never stop the service
            log.exception("plansearch: releasing dictionary pages failed")


async def _watch(holder: EngineHolder) -> None:
    """Poll for a newly published index and swap it in without stopping the service."""
    while True:
        await asyncio.sleep(holder.settings.reload_interval)
        try:
            await run_in_threadpool(holder.refresh_if_changed)
            batch_questions(holder)  # a first index may have come, with its embedder
        except Exception:  # keep watching; the old engine still serves
            log.exception("plansearch: index reload failed")
