"""Search by question: ranked passages (GET and POST ``/search``) and ranked projects
(``GET /projects/search``).

The routes are ``async`` and hand only the engine's work to the thread pool (it waits on the
model): a plain ``def`` route costs FastAPI a second thread hop, to check the returned model
against ``response_model``, which an ``async`` route does on the event loop.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from service.api.deps import EngineDep, FiltersDep, QueryParam, TopKParam
from service.api.errors import ERRORS
from service.api.fastpath import QuestionRoute
from service.filters import SearchFilters
from service.limits import DEFAULT_TOP_K, EVIDENCE_PER_PROJECT
from service.schemas import (
    Facets,
    PassageQuery,
    ProjectSearchResponse,
    QuestionQuery,
    SearchMode,
    SearchRequest,
    SearchResponse,
)
from service.search import SearchEngine

router = APIRouter(tags=["search"], responses=ERRORS)


def _passages(
    engine: SearchEngine, q: str, top_k: int, filters: SearchFilters, mode: SearchMode
) -> SearchResponse:
    """The one place both ``/search`` routes ask the engine."""
    outcome = engine.search_full(q, top_k, filters, mode)
    return SearchResponse(
        query=q.strip(),
        mode=mode,
        total=len(outcome.hits),
        hits=outcome.hits,
        facets=Facets(**outcome.facets),
        **outcome.question_fields(),
    )


@router.get("/search", response_model=SearchResponse)
async def search_get(
    engine: EngineDep,
    q: QueryParam,
    filters: FiltersDep,
    top_k: TopKParam = DEFAULT_TOP_K,
    mode: SearchMode = "hybrid",
) -> SearchResponse:
    """Ranked passages for a natural-language question, with facet counts."""
    return await run_in_threadpool(_passages, engine, q, top_k, filters, mode)


@router.post("/search", response_model=SearchResponse)
async def search_post(engine: EngineDep, body: SearchRequest) -> SearchResponse:
    """Same as ``GET /search`` with a JSON body."""
    filters = body.search_filters(engine)
    return await run_in_threadpool(_passages, engine, body.q, body.top_k, filters, body.mode)


@router.get(
    "/projects/search",
    response_model=ProjectSearchResponse,
    description="Projects (not passages) for a question, each with its best "
    f"1–{EVIDENCE_PER_PROJECT} passages.",
)
async def search_projects(
    engine: EngineDep,
    q: QueryParam,
    filters: FiltersDep,
    top_k: TopKParam = DEFAULT_TOP_K,
) -> ProjectSearchResponse:
    """Projects for a question, each with the passages that rank it (see ``description``)."""
    return await run_in_threadpool(_projects, engine, q, top_k, filters)


def _projects(
    engine: SearchEngine, q: str, top_k: int, filters: SearchFilters
) -> ProjectSearchResponse:
    found = engine.search_projects_full(q, top_k, filters)
    return ProjectSearchResponse(
        query=q.strip(),
        total=len(found.projects),
        projects=found.projects,
        facets=Facets(**found.facets),
        **found.question_fields(),
    )


def _passages_for(
    engine: SearchEngine, query: PassageQuery, filters: SearchFilters
) -> SearchResponse:
    return _passages(engine, query.q, query.top_k, filters, query.mode)


def _projects_for(
    engine: SearchEngine, query: QuestionQuery, filters: SearchFilters
) -> ProjectSearchResponse:
    return _projects(engine, query.q, query.top_k, filters)


# The GETs above as the fast path answers them when their query validates (service.api.fastpath).
FAST_ROUTES = {
    "/search": QuestionRoute(PassageQuery, _passages_for),
    "/projects/search": QuestionRoute(QuestionQuery, _projects_for),
}
