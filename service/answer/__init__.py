"""Extractive answers: the sentence, list line or table row of the top passages that answers.

The search ranks whole passages; a question like
「がん検診の受診率は令和4年度に何％を目標にしている？」 wants one row of one passage
(``令和4年度: 17.0%``). The pipeline, one module per step:

- ``config``   AnswerConfig: every weight and threshold, and how each was fitted;
- ``units``    passages cut into sentences, list lines, table rows and short fields;
- ``question`` what the question asks (content terms, fiscal years, kind of answer);
- ``scoring``  IDF overlap, year/kind/field/role features, cosine, confidence;
- ``vectors``  the unit-vector cache;
- ``ranking``  the scored units of a question and the AnswerOut they make;
- ``engine``   Answerer: one engine's caches and the orchestration.

``answer_question(engine, query, filters)`` is the entry point of the API and the CLI; it uses
the engine's own Answerer (``engine.answerer``), or makes one the first time and keeps it there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.answer.confidence import confidence
from service.answer.config import DEFAULT_CONFIG, AnswerConfig
from service.answer.engine import Answerer
from service.answer.question import Question, read_question
from service.answer.ranking import Ranking, answer_from, answering, citation_for
from service.answer.scoring import Scored, TermWeights
from service.answer.units import Unit, split_fields, split_label, split_sentences, split_units
from service.filters import SearchFilters

if TYPE_CHECKING:
    from service.search import SearchEngine

__all__ = [
    "DEFAULT_CONFIG",
    "FOUND_THRESHOLD",
    "RELEVANCE_CENTER",
    "AnswerConfig",
    "Answerer",
    "Question",
    "Ranking",
    "Scored",
    "TermWeights",
    "Unit",
    "answer_from",
    "answer_question",
    "answerer_for",
    "citation_for",
    "confidence",
    "rank_units",
    "read_question",
    "split_fields",
    "split_label",
    "split_sentences",
    "split_units",
]

# The defaults under their old module-constant names (tests and eval read them).
FOUND_THRESHOLD = DEFAULT_CONFIG.found_threshold
RELEVANCE_CENTER = DEFAULT_CONFIG.relevance_center


def answerer_for(engine: SearchEngine) -> Answerer:
    """The engine's Answerer (made with the engine, so its caches live exactly as long)."""
    return engine.answerer


def rank_units(
    engine: SearchEngine,
    query: str,
    filters: SearchFilters | None = None,
    passages: int | None = None,
) -> Ranking:
    """The top passages, every unit of them scored (best first), and their relevance."""
    if passages is None:  # the service's own path: one retrieval, one question embedding
        return engine.answer_ranking(query, filters)[0]
    return answerer_for(engine).rank(query, filters, passages=passages)


answer_question = answering(
    rank_units,
    """The best sentence or row of the top ``passages`` passages (default 8), or found=False.

    ``found=False`` comes with ``text=""`` and no citation. Raises ``SearchInputError`` for
    an empty or too long question or a bad filter, like the search does.
    """,
)
