"""The Answerer: one engine's retrieval, units, scores and caches, orchestrated.

1. retrieve the top passages with the ordinary hybrid search (or take the caller's),
2. cut them into units (service.answer.units) and read the question (service.answer.question),
3. score every unit cheaply, embed only the best few together with the question in one call of
   the engine's embedder (unit vectors cached by text) and add their cosine to the question,
4. measure how relevant the passages are at all (stored passage vectors, no model call) and
   turn the best unit into an AnswerOut with a calibrated confidence (service.answer.ranking).

Everything is deterministic: ties are broken by passage rank and by position in the passage.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from service.answer.config import DEFAULT_CONFIG, AnswerConfig
from service.answer.question import Question, read_question
from service.answer.ranking import Ranking, answering
from service.answer.scoring import Scored, TermWeights, score_units, to_embed, with_cosines
from service.answer.units import candidate_units
from service.answer.vectors import VectorCache
from service.filters import SearchFilters
from service.schemas import Hit

if TYPE_CHECKING:  # service.search may build its Answerer itself: no import at run time
    from service.search import SearchEngine


class Answerer:
    """Extractive answers over one SearchEngine; owns the IDF table and the unit-vector cache.

    Thread-safe: the caches take locks, and the embedder serializes model calls itself.
    """

    def __init__(self, engine: SearchEngine, config: AnswerConfig = DEFAULT_CONFIG) -> None:
        self.engine = engine
        self.config = config
        self.vectors = VectorCache(engine.embedder, config.vector_cache_size)
        self._weights: TermWeights | None = None
        self._weights_lock = threading.Lock()

    @property
    def term_weights(self) -> TermWeights:
        """The IDF table of the engine's index, built on first use (it takes a moment)."""
        with self._weights_lock:
            if self._weights is None:
                self._weights = TermWeights(self.engine.index.lexical)
            return self._weights

    def rank(
        self,
        query: str,
        filters: SearchFilters | None = None,
        hits: Sequence[Hit] | None = None,
        query_vector: np.ndarray | None = None,
        *,
        passages: int | None = None,
    ) -> Ranking:
        """The passages, every unit of them scored (best first), and their relevance.

        ``hits``: passages the caller already retrieved for ``query`` (``filters`` and
        ``passages`` are then unused); else the top ``passages`` (config default) are searched.
        ``query_vector``: the question's vector from the engine's embedder, if the caller has
        it; the question is then not embedded again, only the units missing from the cache.
        """
        if hits is None:
            hits = self.retrieve(query, filters, passages)
        hits = list(hits)
        question = read_question(query.strip())
        units = candidate_units(hits, question.asks_department, self.config)
        if not units:  # nothing passed the filters: no model call needed
            return Ranking(hits, [], self.config.relevance_center, self.config, question)
        scored = score_units(question, hits, units, self.term_weights, self.config)
        scored, query_vector = self._add_cosines(question, scored, query_vector)
        return Ranking(hits, scored, self._relevance(hits, query_vector), self.config, question)

    answer = answering(
        rank,
        """The best sentence or row of the top passages, or found=False (``text=""``, no citation).

        See ``rank`` for the arguments. Raises ``SearchInputError`` for an empty or too long
        question or a bad filter, like the search does (when it retrieves).
        """,
    )

    def retrieve(
        self, query: str, filters: SearchFilters | None = None, passages: int | None = None
    ) -> list[Hit]:
        """The top ``passages`` passages of the ordinary hybrid search."""
        top_k = self.config.passages if passages is None else passages
        return self.engine.search_full(query, top_k=top_k, filters=filters or SearchFilters()).hits

    def _add_cosines(
        self, question: Question, scored: list[Scored], query_vector: np.ndarray | None
    ) -> tuple[list[Scored], np.ndarray]:
        """Units re-ranked with the cosine of the best few, and the question's vector.

        Without a vector the question is embedded in the same model call as the units.
        """
        texts = [s.unit.scoring_text for s in to_embed(scored, self.config)]
        if query_vector is None:
            query_vector, vectors = self.vectors.embed(question.text, texts)
        else:
            query_vector = np.asarray(query_vector, dtype=np.float32).reshape(-1)
            vectors = self.vectors.embed_units(texts, len(query_vector))
        return with_cosines(scored, vectors @ query_vector), query_vector

    def _relevance(self, hits: Sequence[Hit], query_vector: np.ndarray) -> float:
        """The best cosine between the question and its passages, from the stored vectors.

        The fused search score is normalized per question, so it cannot say whether the best
        passage is any good; this absolute similarity can (on dev every out-of-scope question
        stays below 0.86, most answerable ones above). No model call: FAISS keeps the vectors.
        """
        cosines = []
        for hit in hits:
            try:
                vector = self.engine.index.dense.reconstruct(hit.chunk_id)
            except RuntimeError:  # an index type that cannot give vectors back: stay neutral
                return self.config.relevance_center
            cosines.append(round(float(np.dot(vector, query_vector)), 4))
        return max(cosines, default=self.config.relevance_center)
