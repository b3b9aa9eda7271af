"""Answers: the sentence or table row that answers a question (``GET /answer``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import EngineDep, FiltersDep, QueryParam
from service.api.errors import ERRORS
from service.limits import DEFAULT_ANSWER_TOP_K, MAX_ANSWER_TOP_K
from service.schemas import AnswerResponse

router = APIRouter(tags=["search"], responses=ERRORS)

AnswerTopK = Annotated[int, Query(ge=1, le=MAX_ANSWER_TOP_K, description="closest projects listed")]


@router.get("/answer", response_model=AnswerResponse)
def answer(
    engine: EngineDep, q: QueryParam, filters: FiltersDep, top_k: AnswerTopK = DEFAULT_ANSWER_TOP_K
) -> AnswerResponse:
    """The sentence or table row that answers the question, with its citation and a
    confidence; when nothing answers it, ``found`` is false and the closest projects are
    still listed."""
    found = engine.answer(q, filters, top_k)
    return AnswerResponse(
        query=q.strip(),
        answer=found.answer,
        projects=found.projects,
        no_match=found.no_match,
        query_language=found.query_language,
    )
