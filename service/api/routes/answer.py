"""Answers: the units of the plans that answer a question (``GET /answer``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import EngineDep, FiltersDep, QueryParam
from service.api.errors import ERRORS
from service.api.fastpath import QuestionRoute
from service.filters import SearchFilters
from service.limits import DEFAULT_ANSWER_TOP_K, MAX_ANSWER_TOP_K
from service.schemas import AnswerQuery, AnswerResponse
from service.search import SearchEngine

router = APIRouter(tags=["search"], responses=ERRORS)

AnswerTopK = Annotated[int, Query(ge=1, le=MAX_ANSWER_TOP_K, description="closest projects listed")]


@router.get("/answer", response_model=AnswerResponse)
def answer(
    engine: EngineDep, q: QueryParam, filters: FiltersDep, top_k: AnswerTopK = DEFAULT_ANSWER_TOP_K
) -> AnswerResponse:
    """The answer read from the listed projects: up to three sentences or table rows, each
    with its own citation (``citations``; ``card`` names the listed project it comes from), the
    question's ``kind``, 「はい、…」 for availability questions, ``items`` (the projects with one
    evidence line each) for list questions, and a calibrated confidence; when nothing answers
    it (or when ``no_match`` says nothing retrieved is about the question), ``found`` is false
    and the closest projects are still listed."""
    return _answer(engine, q, filters, top_k)


def _answer(engine: SearchEngine, q: str, filters: SearchFilters, top_k: int) -> AnswerResponse:
    found = engine.answer(q, filters, top_k)
    return AnswerResponse(
        query=q.strip(),
        answer=found.answer,
        projects=found.projects,
        **found.question_fields(),
    )


def _answer_for(engine: SearchEngine, query: AnswerQuery, filters: SearchFilters) -> AnswerResponse:
    return _answer(engine, query.q, filters, query.top_k)


# The GET above as the fast path answers it when its query validates (service.api.fastpath).
FAST_ROUTES = {"/answer": QuestionRoute(AnswerQuery, _answer_for)}
