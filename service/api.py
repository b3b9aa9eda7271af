"""HTTP API (FastAPI). Routes are thin: validation and errors here, work in SearchEngine."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse

from indexer.embedding.base import EmbedderError
from indexer.records import Project
from indexer.settings import Settings, get_settings
from indexer.store import IndexStoreError
from service.filters import SearchFilters
from service.schemas import (
    MAX_QUERY_CHARS,
    MAX_TOP_K,
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
from service.search import NotFoundError, SearchEngine, SearchInputError, open_engine

log = logging.getLogger("plansearch")
STATIC = Path(__file__).parent / "static"
ERRORS = {
    404: {"model": ErrorOut, "description": "no such document or project"},
    422: {"model": ErrorOut, "description": "bad input; the message says what to change"},
    503: {"model": ErrorOut, "description": "no usable index; the message says what to run"},
}


def create_app(settings: Settings | None = None, engine: SearchEngine | None = None) -> FastAPI:
    """The application; tests pass a ready ``engine``, servers let the lifespan load one."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine, app.state.load_error = engine, None
        if engine is None:
            try:
                app.state.engine = open_engine(settings or get_settings())
            except (IndexStoreError, EmbedderError) as exc:
                log.error("plansearch: %s", exc)
                app.state.load_error = str(exc)
        yield

    app = FastAPI(
        title="plansearch",
        version="0.1.0",
        summary="Search Japanese municipal plans (総合計画・実施計画・行政改革) by question.",
        lifespan=lifespan,
    )
    _install_error_handlers(app)
    _install_routes(app)
    return app


def get_engine(request: Request) -> SearchEngine:
    """The loaded engine, or 503 with the reason it could not be loaded."""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        reason = getattr(request.app.state, "load_error", None) or "index not loaded"
        raise HTTPException(503, reason)
    return engine


EngineDep = Annotated[SearchEngine, Depends(get_engine)]


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
        project_key=r.key,
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
            related_projects=engine.links.get((r.doc_id, r.key), []),
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
