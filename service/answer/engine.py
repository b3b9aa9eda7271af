"""The Answerer: one engine's retrieval, units, scores and caches, orchestrated.

1. retrieve the top passages with the ordinary hybrid search (or take the caller's),
2. cut them into units (service.answer.units) and read the question (service.answer.question);
   a chunk's units and their lemmas are a function of the chunk alone, so they are kept per
   chunk (``ChunkUnits``, bounded) and a passage seen before costs no tokenizing,
3. score every unit cheaply and give each unit the cosine between the question and its passage,
   from the vectors the dense index stores (no model call: the question's vector is the one the
   retrieval made). With ``config.embed_limit`` > 0 the best few units are embedded instead, in
   one more model call (unit vectors cached by text),
4. measure how relevant the passages are at all (the best of those cosines) and turn the best
   unit into an AnswerOut with a calibrated confidence (service.answer.ranking).

Everything is deterministic: ties are broken by passage rank and by position in the passage.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from service.answer.config import DEFAULT_CONFIG, AnswerConfig
from service.answer.question import read_question
from service.answer.ranking import Ranking, answering
from service.answer.scoring import (
    Scored,
    TermWeights,
    score_units,
    to_embed,
    unit_lemmas,
    with_cosines,
)
from service.answer.units import Unit, department_unit, split_units
from service.answer.vectors import VectorCache
from service.filters import SearchFilters
from service.schemas import Hit

if TYPE_CHECKING:  # service.search may build its Answerer itself: no import at run time
    from service.search import SearchEngine


UnitLemmas = tuple[Unit, frozenset[str]]


class ChunkUnits:
    """Each chunk's answer units with their lemmas, least recently used dropped beyond
    ``maxsize`` chunks. Keyed by chunk id and text, so a republished index cannot be served
    stale units."""

    def __init__(self, config: AnswerConfig, maxsize: int) -> None:
        self.config = config
        self.maxsize = maxsize
        self._units: OrderedDict[tuple[int, str], tuple[UnitLemmas | None, list[UnitLemmas]]]
        self._units = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._units)

    def of(self, hit: Hit) -> tuple[UnitLemmas | None, list[UnitLemmas]]:
        """(the department unit or None, the text's units), each with its lemmas; passage 0."""
        key = (hit.chunk_id, hit.text)
        with self._lock:
            found = self._units.get(key)
            if found is not None:
                self._units.move_to_end(key)
                return found
        dept = department_unit(hit, 0)
        made = (
            (dept, unit_lemmas(hit, dept)) if dept else None,
            [
                (u, unit_lemmas(hit, u))
                for u in split_units(hit.text, hit.field, config=self.config)
            ],
        )
        with self._lock:
            self._units[key] = made
            while len(self._units) > self.maxsize:
                self._units.popitem(last=False)
        return made

    def candidates(
        self, hits: Sequence[Hit], departments: bool
    ) -> tuple[list[Unit], list[frozenset[str]]]:
        """Units of every hit with their lemmas, deduplicated by what the user would see (first
        passage wins); ``departments``: each project's department unit first (as
        ``service.answer.units.candidate_units``)."""
        units: list[Unit] = []
        lemmas: list[frozenset[str]] = []
        seen: set[str] = set()
        for i, hit in enumerate(hits):
            dept, made = self.of(hit)
            for unit, lem in [*([dept] if dept and departments else []), *made]:
                if unit.text not in seen:
                    seen.add(unit.text)
                    units.append(replace(unit, passage=i))
                    lemmas.append(lem)
        return units, lemmas


class Answerer:
    """Extractive answers over one SearchEngine; owns the IDF table and the unit-vector cache.

    Thread-safe: the caches take locks, and the embedder serializes model calls itself.
    """

    def __init__(self, engine: SearchEngine, config: AnswerConfig = DEFAULT_CONFIG) -> None:
        self.engine = engine
        self.config = config
        self.vectors = VectorCache(engine.embedder, config.vector_cache_size)
        self.units = ChunkUnits(config, config.unit_cache_chunks)
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
        uncovered: float | None = None,
    ) -> Ranking:
        """The passages, every unit of them scored (best first), and their relevance.

        ``hits``: passages the caller already retrieved for ``query`` (``filters`` and
        ``passages`` are then unused); else the top ``passages`` (config default) are searched.
        ``query_vector``: the question's vector from the engine's embedder, if the caller has
        it; the question is then not embedded again, only the units missing from the cache.
        ``uncovered``: the search's no_match log-odds for those ``hits`` (``Ranking.uncovered``).
        """
        if hits is None:
            hits, query_vector, uncovered = self._retrieve(query, filters, passages)
        hits = list(hits)
        question = read_question(query.strip())
        units, lemmas = self.units.candidates(hits, question.asks_department)
        if not units:  # nothing passed the filters: no model call needed
            center = self.config.relevance_center
            return Ranking(hits, [], center, self.config, question, uncovered)
        scored = score_units(question, hits, units, self.term_weights, self.config, lemmas)
        if query_vector is None:
            query_vector = self.engine.embedder.encode_queries([question.text])[0]
        query_vector = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        passage_cosines = self._passage_cosines(hits, query_vector)
        if self.config.embed_limit > 0:
            scored = self._add_cosines(scored, query_vector)
        elif passage_cosines is not None:
            scored = with_cosines(scored, [passage_cosines[s.unit.passage] for s in scored])
        relevance = max(passage_cosines or [], default=self.config.relevance_center)
        return Ranking(hits, scored, relevance, self.config, question, uncovered)

    answer = answering(
        rank,
        """The best sentence or row of the top passages, or found=False (``text=""``, no citation).

        See ``rank`` for the arguments. Raises ``SearchInputError`` for an empty or too long
        question or a bad filter, like the search does (when it retrieves).
        """,
    )

    def _retrieve(
        self, query: str, filters: SearchFilters | None, passages: int | None
    ) -> tuple[list[Hit], np.ndarray | None, float | None]:
        """The top ``passages`` passages of the ordinary hybrid search, the question's vector
        that retrieval made (``None`` when the question was not embedded) and the search's
        no_match log-odds (``SearchOutcome.uncovered``)."""
        top_k = self.config.passages if passages is None else passages
        parsed = self.engine.parse(query)
        found = self.engine.search_full(parsed, top_k=top_k, filters=filters or SearchFilters())
        return found.hits, parsed.vector, found.uncovered

    def _add_cosines(self, scored: list[Scored], query_vector: np.ndarray) -> list[Scored]:
        """Units re-ranked with the cosine of the best ``embed_limit`` (one model call for
        the units not cached)."""
        texts = [s.unit.scoring_text for s in to_embed(scored, self.config)]
        vectors = self.vectors.embed_units(texts, len(query_vector))
        return with_cosines(scored, vectors @ query_vector)

    def _passage_cosines(self, hits: Sequence[Hit], query_vector: np.ndarray) -> list[float] | None:
        """The cosine between the question and each passage, from the stored vectors; ``None``
        for an index type that cannot give vectors back.

        The fused search score is normalized per question, so it cannot say whether the best
        passage is any good; this absolute similarity can (on dev every out-of-scope question
        stays below 0.86, most answerable ones above). No model call: FAISS keeps the vectors.
        """
        if not hits:
            return None
        try:
            dense = self.engine.index.dense
            vectors = np.stack([dense.reconstruct(hit.chunk_id) for hit in hits])
        except RuntimeError:  # an index type that cannot give vectors back: stay neutral
            return None
        return [round(float(c), 4) for c in vectors @ query_vector]
