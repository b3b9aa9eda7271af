"""HTTP API (FastAPI). Routes are thin: validation and errors here, work in SearchEngine."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from indexer.records import Project
from indexer.settings import Settings, get_settings
from service.answer import answer_question
from service.filters import SearchFilters
from service.holder import EngineHolder
from service.schemas import (
    MAX_QUERY_CHARS,
    MAX_TOP_K,
    AnswerResponse,
    DocumentOut,
    ErrorOut,
    Facets,
    FieldOut,
    Health,
    ProjectDetail,
    ProjectList,
    ProjectSearchResponse,
    ProjectSummary,
    SearchMode,
    SearchRequest,
    SearchResponse,
)
from service.search import NotFoundError, SearchEngine, SearchInputError

log = logging.getLogger("plansearch")
STATIC = Path(__file__).parent / "static"
ERRORS = {
    404: {"model": ErrorOut, "description": "no such document or project"},
    422: {"model": ErrorOut, "description": "bad input; the message says what to change"},
    503: {"model": ErrorOut, "description": "no usable index; the message says what to run"},
}


def create_app(settings: Settings | None = None, engine: SearchEngine | None = None) -> FastAPI:
    """The application; tests pass a ready ``engine``, servers let the lifespan load one."""
    settings = settings or get_settings()
    holder = EngineHolder(settings, engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if holder.engine is None:
            await run_in_threadpool(holder.load)
        watcher = asyncio.create_task(_watch(holder)) if settings.reload_interval else None
        yield
        if watcher is not None:
            watcher.cancel()

    app = FastAPI(
        title="plansearch",
        version="0.1.0",
        summary="Search Japanese municipal plans (総合計画・実施計画・行政改革) by question.",
        lifespan=lifespan,
    )
    app.state.holder = holder
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"]
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    _install_error_handlers(app)
    _install_routes(app)
    _install_admin(app, settings)
    return app


async def _watch(holder: EngineHolder) -> None:
    """Poll for a newly published index and swap it in without stopping the service."""
    while True:
        await asyncio.sleep(holder.settings.reload_interval)
        try:
            await run_in_threadpool(holder.refresh_if_changed)
        except Exception:  # keep watching; the old engine still serves
            log.exception("plansearch: index reload failed")


def get_engine(request: Request) -> SearchEngine:
    """The current engine, or 503 with the reason no index could be loaded."""
    holder: EngineHolder = request.app.state.holder
    if holder.engine is None:
        raise HTTPException(503, holder.error or "index not loaded; run `plansearch index`")
    return holder.engine


EngineDep = Annotated[SearchEngine, Depends(get_engine)]


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with 413, counting what is actually sent."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or {}).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        detail = f"request body over {self.max_bytes} bytes"
        await JSONResponse({"detail": detail}, status_code=413)(scope, _no_receive, send)


class _TooLarge(Exception):
    pass


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def _install_admin(app: FastAPI, settings: Settings) -> None:
    """State-changing routes exist only when an admin token is configured."""
    if not settings.admin_token:
        return

    @app.post("/admin/reload", include_in_schema=False)
    def reload_index(request: Request) -> dict[str, str]:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given, f"Bearer {settings.admin_token}"):
            raise HTTPException(401, "a valid bearer token is required")
        holder: EngineHolder = request.app.state.holder
        if not holder.load():
            raise HTTPException(503, holder.error or "reload failed")
        return {"status": "reloaded", "index": str(holder.engine.index.path)}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _describe(exc)}, status_code=422)

    @app.exception_handler(SearchInputError)
    async def _bad_input(_: Request, exc: SearchInputError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(NotFoundError)
    async def _not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Logged with its trace for us; the client gets no internals.
        log.exception("plansearch: unexpected error on %s", request.url.path)
        return JSONResponse({"detail": "internal error; it has been logged"}, status_code=500)


def _describe(exc: RequestValidationError) -> str:
    """One readable sentence per problem, e.g. ``query top_k: Input should be ≤ 100``."""
    parts = []
    for err in exc.errors():
        where = " ".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


QueryParam = Annotated[
    str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="the question (質問)")
]


def get_filters(
    engine: EngineDep,
    doc_id: Annotated[list[str] | None, Query(description="only these documents")] = None,
    city: Annotated[list[str] | None, Query(description="only these cities")] = None,
    department: Annotated[
        list[str] | None, Query(description="department name contains any of these")
    ] = None,
    section: Annotated[
        list[str] | None, Query(description="a section heading (分野, 施策 …) contains any")
    ] = None,
    year: Annotated[
        list[str] | None, Query(description="fiscal year: 2022, 2022年度, 令和4年度 or R4")
    ] = None,
    project: Annotated[
        str | None, Query(max_length=40, description="project number prefix, e.g. 1-1 or 19-")
    ] = None,
) -> SearchFilters:
    """The filters of a request, validated against the index."""
    return engine.make_filters(
        doc_id, city, departments=department, sections=section, years=year, project_prefix=project
    )


FiltersDep = Annotated[SearchFilters, Depends(get_filters)]


def _search(
    engine: SearchEngine, q: str, top_k: int, filters: SearchFilters, mode: SearchMode
) -> SearchResponse:
    outcome = engine.search_full(q, top_k, filters, mode)
    return SearchResponse(
        query=q.strip(),
        mode=mode,
        total=len(outcome.hits),
        hits=outcome.hits,
        facets=Facets(**outcome.facets),
    )


def _summary(engine: SearchEngine, r: Project) -> ProjectSummary:
    doc = engine.index.documents[r.doc_id]
    return ProjectSummary(
        doc_id=r.doc_id,
        doc_title=doc.title,
        city=doc.city,
        project_id=r.project_id or "",
        project_key=r.project_key,
        project_name=r.project_name,
        department=r.department,
        section_path=list(r.section_path),
    )


def _install_routes(app: FastAPI) -> None:
    @app.get("/search", response_model=SearchResponse, responses=ERRORS, tags=["search"])
    def search_get(
        engine: EngineDep,
        q: QueryParam,
        filters: FiltersDep,
        top_k: Annotated[int, Query(ge=1, le=MAX_TOP_K)] = 10,
        mode: SearchMode = "hybrid",
    ) -> SearchResponse:
        """Ranked passages for a natural-language question, with facet counts."""
        return _search(engine, q, top_k, filters, mode)

    @app.post("/search", response_model=SearchResponse, responses=ERRORS, tags=["search"])
    def search_post(engine: EngineDep, body: SearchRequest) -> SearchResponse:
        """Same as ``GET /search`` with a JSON body."""
        filters = engine.make_filters(
            body.doc_id,
            body.city,
            departments=body.department,
            sections=body.section,
            years=body.year,
            project_prefix=body.project,
        )
        return _search(engine, body.q, body.top_k, filters, body.mode)

    @app.get(
        "/projects/search", response_model=ProjectSearchResponse, responses=ERRORS, tags=["search"]
    )
    def search_projects(
        engine: EngineDep,
        q: QueryParam,
        filters: FiltersDep,
        top_k: Annotated[int, Query(ge=1, le=MAX_TOP_K)] = 10,
    ) -> ProjectSearchResponse:
        """Projects (not passages) for a question, each with its best 1–3 passages."""
        projects, facets = engine.search_projects(q, top_k, filters)
        return ProjectSearchResponse(
            query=q.strip(), total=len(projects), projects=projects, facets=Facets(**facets)
        )

    @app.get("/answer", response_model=AnswerResponse, responses=ERRORS, tags=["search"])
    def answer(
        engine: EngineDep,
        q: QueryParam,
        filters: FiltersDep,
        top_k: Annotated[int, Query(ge=1, le=20, description="closest projects listed")] = 5,
    ) -> AnswerResponse:
        """The sentence or table row that answers the question, with its citation and a
        confidence; when nothing answers it, ``found`` is false and the closest projects are
        still listed."""
        result = answer_question(engine, q, filters)
        projects, _ = engine.search_projects(q, top_k, filters)
        return AnswerResponse(query=q.strip(), answer=result, projects=projects)

    @app.get("/projects", response_model=ProjectList, responses=ERRORS, tags=["projects"])
    def list_projects(engine: EngineDep, doc_id: str | None = None) -> ProjectList:
        """Every project (optionally of one document), in document order."""
        projects = [_summary(engine, r) for r in engine.projects(doc_id)]
        return ProjectList(total=len(projects), projects=projects)

    @app.get(
        "/projects/{doc_id}/{project_key}",
        response_model=ProjectDetail,
        responses=ERRORS,
        tags=["projects"],
    )
    def get_project(engine: EngineDep, doc_id: str, project_key: str) -> ProjectDetail:
        """One project with all its fields. ``project_key`` is the printed number
        (URL-encoded), or ``<number>_2`` for the second project printed with the same number."""
        r = engine.project(doc_id, project_key)
        return ProjectDetail(
            **_summary(engine, r).model_dump(),
            fields=[FieldOut(name=f.name, year=f.year, text=f.text) for f in r.fields],
            related=list(r.related),
            related_projects=engine.links.get((r.doc_id, r.project_key), []),
        )

    @app.get("/health", response_model=Health, responses=ERRORS, tags=["service"])
    def health(engine: EngineDep) -> Health:
        """The served index: format, build time, embedder, documents and counts."""
        m = engine.index.manifest
        counts = m["counts"]["documents"]
        docs = [
            DocumentOut(
                doc_id=d.doc_id,
                city=d.city,
                title=d.title,
                period=d.period,
                projects=counts[d.doc_id]["projects"],
                chunks=counts[d.doc_id]["chunks"],
            )
            for d in engine.index.documents.values()
        ]
        return Health(
            status="ok",
            format_version=m["format_version"],
            built_at=m["built_at"],
            embedder=m["embedder"],
            chunks=m["counts"]["chunks"],
            documents=docs,
        )

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        """The search page."""
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")
