"""A question's scored units, and the answer they make (service.answer.compose).

Below the config's ``found_threshold`` the answer is ``found=False`` with ``text=""`` (the
schema's "empty when not found") and no citation; the caller shows the closest projects instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ParamSpec

from service.answer.config import DEFAULT_CONFIG, AnswerConfig
from service.answer.question import Question
from service.answer.scoring import Scored
from service.answer.units import Unit
from service.schemas import AnswerOut, Citation, Hit, ProjectResult

P = ParamSpec("P")


@dataclass(frozen=True)
class Ranking:
    """The passages of a question, their units scored best first, and how relevant they are."""

    hits: list[Hit]
    units: list[Scored]
    relevance: float  # best cosine between the question and a passage (as the dense search)
    config: AnswerConfig = field(default=DEFAULT_CONFIG, repr=False, compare=False)
    question: Question | None = field(default=None, repr=False, compare=False)
    # The search's no_match log-odds for the question (Evidence.uncovered), when measured.
    uncovered: float | None = None


def citation_for(hit: Hit, unit: Unit) -> Citation:
    """Where the unit comes from: document, project, field name and fiscal year."""
    return Citation.from_project(hit, field=unit.name, year=unit.year, quote=unit.text)


def answer_from(ranking: Ranking, projects: Sequence[ProjectResult] = ()) -> AnswerOut:
    """The answer of a ranking and of the projects listed beside it (their cards): up to
    three units, a list or はい, or found=False below the threshold."""
    from service.answer.compose import compose  # compose reads Ranking: no cycle at import

    return compose(ranking, projects)


def answering(rank: Callable[P, Ranking], doc: str) -> Callable[P, AnswerOut]:
    """``rank`` made to answer: the same arguments, and the answer of its ranking (``doc``)."""

    def answer(*args: P.args, **kwargs: P.kwargs) -> AnswerOut:
        return answer_from(rank(*args, **kwargs))

    answer.__doc__ = doc
    return answer
