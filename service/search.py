"""Hybrid search over a loaded index: dense (FAISS) + lexical (BM25), fused, filtered.

A request's question is parsed once (``SearchEngine.parse``: cleaned, analyzed, expanded and
embedded) and the same ``ParsedQuery`` serves retrieval, fusion, highlighting and answering.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from indexer.analyze import get_analyzer
from indexer.embedding.base import Embedder
from indexer.errors import InputError, NotFoundError
from indexer.links import Link
from indexer.records import Chunk, Project, place_of
from indexer.settings import Settings
from service.aggregate import Grouping, ProjectRank, group_passages, rank_projects
from service.answer.compose import unless_no_match
from service.answer.engine import Answerer
from service.answer.ranking import Ranking, answer_from
from service.backends.base import RetrievalBackend
from service.backends.local import LocalBackend
from service.coverage import CorpusVocabulary
from service.filters import ChunkTable, FilterError, SearchFilters
from service.fusion import prefer, ranked, rrf, weighted_scores
from service.highlight import highlight_rows
from service.limits import EVIDENCE_PER_PROJECT, MAX_QUERY_CHARS, MAX_TOP_K
from service.loading import LoadedIndex
from service.query import INDEX_LANGUAGE, ParsedQuery, QueryAnalyzer, index_frequencies
from service.question_vectors import QuestionVectors
from service.relevance import (
    RelevanceModel,
    Signals,
    index_axes,
    load_model,
    signals,
)
from service.schemas import AnswerOut, Hit, ProjectResult, RelatedLink, SearchMode

__all__ = ["NotFoundError", "SearchEngine", "SearchInputError", "open_engine"]

Question = str | ParsedQuery
NO_FILTERS = SearchFilters()


class SearchInputError(InputError):
    """The question or a filter is not acceptable; the message says why."""


@dataclass(frozen=True)
class FusionConfig:
    """How dense and lexical rankings are combined."""

    method: str = "weighted"
    rrf_k: int = 60
    dense_weight: float = 2.0
    lexical_weight: float = 1.0
    candidates: int = 200
    # The lexical weight for a question not in Japanese whose words were mapped onto index
    # tokens (the glossary, service/glossary.py): against dense 2.0, 1:2 where Japanese has 2:1.
    # The small e5 model matches foreign questions to Japanese passages poorly, and the
    # glossary's Japanese tokens are the better evidence: on eval/gold/foreign-dev.jsonl
    # nDCG@10 0.878, against 0.655 with the Japanese weights. None: the same weights for all.
    foreign_lexical_weight: float | None = 4.0
    # For a Japanese question in everyday words (its readings or everyday words called for the
    # plans' words, ``ParsedQuery.dense_words``): the lexical weight against ``dense_weight``,
    # the pair then scaled to the usual sum so a passage's highest fused score (the page's score
    # scale) stays the same. Those words reach BM25 as the plans print them, so the lexical side
    # deserves more say: on eval/gold/plain-dev.jsonl nDCG@10 0.736 -> 0.784 (1.25: 0.780,
    # 2: 0.757, 3: 0.773), citizen 0.629 -> 0.633, list 0.828 -> 0.826, staff and detail
    # unchanged; on test plain 0.666 -> 0.655, citizen 0.670 -> 0.684, the rest unchanged.
    # None: the Japanese weights.
    plain_lexical_weight: float | None = 1.5
    # For a question that names one city of the index (伊勢崎, いせさき, Isehara: its own
    # tokens or the ones its readings and the glossary added), the fused scores of the other
    # cities' passages are multiplied by this. The dense side does not read the city at all and
    # BM25 weighs a token every passage of a city holds next to nothing, so "… in Isehara"
    # brought 伊勢崎's projects first. On the dev questions (hybrid nDCG@10) foreign 0.780 ->
    # 0.845 (tl 0.689 -> 0.898, es 0.629 -> 0.677, zh 0.749 -> 0.878), plain 0.784 -> 0.796,
    # citizen 0.633 -> 0.644; staff, detail and list unchanged (0.75: foreign 0.839, 0.9:
    # 0.785). None: no prior.
    other_city_weight: float | None = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> FusionConfig:
        """The fusion part of the settings."""
        return cls(
            settings.fusion,
            settings.rrf_k,
            settings.dense_weight,
            settings.lexical_weight,
            settings.candidates,
        )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_query(query: str) -> str:
    """The query trimmed; SearchInputError when empty, too long or not clean text."""
    if not isinstance(query, str) or not query.strip():
        raise SearchInputError("the query is empty: type a question, e.g. 子育て支援の事業は？")
    if _SURROGATE.search(query):
        raise SearchInputError("the query is not valid Unicode (it has a lone surrogate)")
    if _CONTROL.search(query):
        raise SearchInputError("the query contains control characters; send plain text")
    query = " ".join(query.split())
    if len(query) > MAX_QUERY_CHARS:
        raise SearchInputError(
            f"the query has {len(query)} characters; the limit is {MAX_QUERY_CHARS}"
        )
    return query


@dataclass(frozen=True)
class Retrieval:
    """Fused candidates, the best cosine of the question with a passage (dense modes), the
    shards of a sharded backend that did not answer (then the candidates are partial), and
    what the ``no_match`` decision reads (hybrid mode: ``service.relevance.signals``)."""

    candidates: list[tuple[int, float]]
    best_cosine: float | None = None
    missing_shards: tuple[str, ...] = ()
    signals: Signals | None = None


@dataclass(frozen=True, kw_only=True)
class QuestionOutcome:
    """What every answer to a question says besides its results.

    ``no_match``: nothing retrieved is about the question (the results are only the nearest
    ones, 「近い事業」): see ``SearchEngine._no_match``. ``query_language``: the question's
    language. ``missing_shards``: shards of a sharded index that did not answer, so the results
    come from the others (``partial``).
    """

    no_match: bool = False
    query_language: str | None = None
    missing_shards: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        """Whether some shard is missing from these results."""
        return bool(self.missing_shards)

    def question_fields(self) -> dict[str, Any]:
        """These fields as ``service.schemas.QuestionResponse`` spells them (query aside)."""
        return {
            "no_match": self.no_match,
            "query_language": self.query_language,
            "partial": self.partial,
            "missing_shards": list(self.missing_shards),
        }


@dataclass(frozen=True)
class SearchOutcome(QuestionOutcome):
    """Ranked passages plus facet counts over every passage that matched; ``uncovered``: the
    relevance model's log-odds that the plans do not cover the question (None unmeasured)."""

    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    candidates: list[tuple[int, float]]
    uncovered: float | None = None


@dataclass(frozen=True)
class ProjectOutcome(QuestionOutcome):
    """Ranked projects with their evidence and facet counts."""

    projects: list[ProjectResult]
    facets: dict[str, dict[str, int]]


@dataclass(frozen=True)
class AnswerOutcome(QuestionOutcome):
    """An answer and the closest projects."""

    answer: AnswerOut
    projects: list[ProjectResult]


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A retrieved passage before it is shown: what grouping by project reads of it
    (``service.aggregate.Passage``), as its hit would say it."""

    chunk_id: int
    chunk: Chunk
    rank: int
    fused: float

    @property
    def doc_id(self) -> str:
        return self.chunk.doc_id

    @property
    def project_key(self) -> str:
        return self.chunk.project_key

    @property
    def project_id(self) -> str | None:
        return self.chunk.project_id

    @property
    def project_name(self) -> str | None:
        return self.chunk.project_name

    @property
    def text(self) -> str:
        return self.chunk.text

    @property
    def score(self) -> float:
        return round(self.fused, 6)  # as ``SearchEngine._hit`` rounds it


class SearchEngine:
    """Answers questions from one loaded index with one embedder."""

    def __init__(
        self,
        index: LoadedIndex,
        embedder: Embedder,
        fusion: FusionConfig,
        analyzer: QueryAnalyzer | None = None,
        questions: QuestionVectors | None = None,
        no_match_floor: float | None = None,
        backend: RetrievalBackend | None = None,
        relevance: RelevanceModel | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.fusion = fusion
        self.table = ChunkTable(index.chunks, index.documents)
        self._row = {c.chunk_id: row for row, c in enumerate(index.chunks)}
        # What grouping by project reads of each chunk (``service.aggregate.Grouping``), made
        # once: every candidate of a project search (~335) is grouped.
        self._grouping = {c.chunk_id: Grouping.of(c) for c in index.chunks}
        # Each hit chunk's own fields (``_hit_fields``), bounded by the index's chunks.
        self._hit_cache: dict[int, dict[str, Any]] = {}
        # Every row, for a search without filters (most of them): no mask to build and scan.
        self._all_rows = np.arange(len(index.chunks))
        self._all_rows.setflags(write=False)
        # Where dense and lexical candidates come from (service/backends): this process's
        # FAISS + BM25 unless a sharded backend is given; everything after is the same.
        self.backend: RetrievalBackend = backend or LocalBackend.from_index(index)
        # Query understanding: synonym and 和暦/西暦 expansion on the lexical side only, and
        # token-aware highlighting; limited to tokens this index holds. Replaceable, so the
        # evaluation can compare expansion settings on one loaded index.
        self.analyzer = analyzer or QueryAnalyzer(index_frequencies(index.lexical))
        self.links: dict[tuple[str, str], list[RelatedLink]] = {
            key: [_related(x) for x in found] for key, found in index.links.items()
        }
        self.questions = questions or QuestionVectors(embedder)
        # Whether anything retrieved is about the question (service/relevance.py, fitted on dev
        # by plansearch-eval nomatch); an explicit cosine floor replaces it. Neither: only an
        # empty result is no_match.
        self.no_match_floor = no_match_floor
        self.relevance = relevance
        # What the passages hold, for the question's words the plans lack (service/coverage.py):
        # one sorted array of lemma pairs, built from the token table in a few hundredths of
        # a second.
        self.vocabulary = CorpusVocabulary.from_index(
            index.tokens,
            self.analyzer.frequencies or index_frequencies(index.lexical),
            (c.text for c in index.chunks),
            (t for c in index.chunks for t in (c.text, c.header, c.project_name or "")),
        )
        # The index's two-token words, which a question may write in kana (べんごし → 弁護+士).
        if self.analyzer.compounds is None:
            self.analyzer.compounds = self.vocabulary.compounds
            self.analyzer.printed_kana = self.vocabulary.kana
        # A city's name as the analyzer reads it, without 市/町/村 (伊勢崎市 → イセサキ).
        self._city_words = {city: frozenset(city_lemmas(city)) for city in index.cities}
        # Extractive answers; it owns their caches, which live as long as this engine.
        self.answerer = Answerer(self)

    # -- the question -----------------------------------------------------------

    def parse(self, query: Question, mode: SearchMode = "hybrid") -> ParsedQuery:
        """The question cleaned, analyzed and (unless only lexical search needs it) embedded:
        the one analysis and the one model call of a request."""
        if isinstance(query, ParsedQuery):
            parsed = query
        else:
            parsed = self.analyzer.parse(clean_query(query))
        if parsed.vector is None and mode != "lexical":
            parsed = parsed.with_vector(self.questions.vector(parsed.embedded_text))
        return parsed

    # -- validation -------------------------------------------------------------

    def make_filters(
        self, doc_ids: Sequence[str] | None = None, cities: Sequence[str] | None = None, **more
    ) -> SearchFilters:
        """Filters from user input, validated (SearchInputError lists what is valid)."""
        try:
            filters = SearchFilters.parse(doc_ids, cities, **more)
            if filters != NO_FILTERS:  # no filter has nothing to check
                self.table.mask(filters)
        except FilterError as exc:
            raise SearchInputError(str(exc)) from exc
        return filters

    # -- retrieval --------------------------------------------------------------

    def _fuse(
        self,
        dense: dict[int, float],
        lexical: dict[int, float],
        mode: SearchMode,
        query: ParsedQuery,
    ) -> list[tuple[int, float]]:
        if mode == "dense":
            return ranked(dense)
        if mode == "lexical":
            return ranked(lexical)
        weights = self._weights(query)
        if self.fusion.method == "weighted":
            fused = ranked(weighted_scores((dense, lexical), weights))
        else:
            lists = [[cid for cid, _ in ranked(dense)], [cid for cid, _ in ranked(lexical)]]
            fused = ranked(rrf(lists, weights, self.fusion.rrf_k))
        city, keep = self._named_city(query), self.fusion.other_city_weight
        if city is None or keep is None:
            return fused
        documents = self.index.documents
        return prefer(fused, lambda cid: documents[self._chunk(cid).doc_id].city == city, keep)

    def _named_city(self, query: ParsedQuery) -> str | None:
        """The one city of the index the question names, if it names exactly one."""
        said = set(query.tokens).union(t for e in query.expansions for t in e.added)
        named = [city for city, words in self._city_words.items() if words <= said]
        return named[0] if len(named) == 1 else None

    def _weights(self, query: ParsedQuery) -> tuple[float, float]:
        """Dense and lexical weights for this question's language and wording."""
        fusion = self.fusion
        dense, lexical = fusion.dense_weight, fusion.lexical_weight
        foreign = query.language not in (None, INDEX_LANGUAGE) and query.expansions
        if foreign and fusion.foreign_lexical_weight is not None:
            return dense, fusion.foreign_lexical_weight
        if query.dense_words and fusion.plain_lexical_weight is not None:
            scale = (dense + lexical) / (dense + fusion.plain_lexical_weight)
            return dense * scale, fusion.plain_lexical_weight * scale
        return dense, lexical

    def retrieve(
        self, query: Question, filters: SearchFilters, mode: SearchMode = "hybrid", depth: int = 0
    ) -> list[tuple[int, float]]:
        """Every fused candidate (chunk id, score) for ``query`` within ``filters``, best first."""
        return self.retrieve_full(query, filters, mode, depth).candidates

    def retrieve_full(
        self, query: Question, filters: SearchFilters, mode: SearchMode = "hybrid", depth: int = 0
    ) -> Retrieval:
        """``retrieve`` with the best question–passage cosine."""
        if mode not in ("hybrid", "dense", "lexical"):
            raise SearchInputError(f"unknown mode {mode!r}; valid: hybrid, dense, lexical")
        query = self.parse(query, mode)
        try:
            rows = self._rows(filters)
        except FilterError as exc:
            raise SearchInputError(str(exc)) from exc
        if len(rows) == 0:
            return Retrieval([])
        depth = max(self.fusion.candidates, depth)
        found = self.backend.candidates(query, rows, depth, mode)
        best = max(found.dense.values(), default=None) if mode != "lexical" else None
        fused = self._fuse(found.dense, found.lexical, mode, query)
        judged = None
        if mode == "hybrid":
            judged = signals(query, found.dense, found.lexical, self._project_of, self.vocabulary)
        return Retrieval(fused, best, found.missing_shards, judged)

    def _rows(self, filters: SearchFilters) -> np.ndarray:
        """The rows of the passages ``filters`` let through, in index order."""
        if filters == NO_FILTERS:
            return self._all_rows
        return np.flatnonzero(self.table.mask(filters))

    def _no_match(
        self, retrieval: Retrieval, query: ParsedQuery, uncovered: float | None = None
    ) -> bool:
        """Nothing retrieved is about the question: no candidate at all, or (hybrid mode) the
        fitted relevance model says so, or the best cosine is below an explicit floor.
        ``uncovered``: the relevance model's score of these signals, when the caller has it."""
        if not retrieval.candidates:
            return True
        if self.no_match_floor is not None:
            # Cross-lingual cosines sit lower: a single floor would flag most foreign questions,
            # and one that names a glossary concept is about something the plans cover.
            if query.language not in ("ja", None) and query.expansions:
                return False
            best = retrieval.best_cosine
            return best is not None and best < self.no_match_floor
        if self.relevance is None or retrieval.signals is None:
            return False
        if uncovered is not None:  # scored once a request
            return self.relevance.flags(uncovered)
        return self.relevance.no_match(retrieval.signals)

    def search_full(
        self,
        query: Question,
        top_k: int,
        filters: SearchFilters,
        mode: SearchMode = "hybrid",
        highlight: bool = True,
        facets: bool = True,
    ) -> SearchOutcome:
        """Top passages, facet counts and all candidates, in one retrieval. ``facets``: False
        for a caller that shows none (``/answer``): the counts are then left empty."""
        _check_top_k(top_k)
        query = self.parse(query, mode)
        retrieval = self.retrieve_full(query, filters, mode, depth=top_k)
        candidates = retrieval.candidates
        top = candidates[:top_k]
        terms = self._term_ids(query) if highlight else frozenset()
        spans = self._highlights([cid for cid, _ in top], terms)
        hits = [
            self._hit(rank, cid, s, found)
            for rank, ((cid, s), found) in enumerate(zip(top, spans, strict=True), 1)
        ]
        counts = self._facets(candidates) if facets else {}
        uncovered = None
        if self.relevance is not None and retrieval.signals is not None:
            uncovered = self.relevance.score(retrieval.signals)
        no_match = self._no_match(retrieval, query, uncovered)
        return SearchOutcome(
            hits,
            counts,
            candidates,
            uncovered,
            no_match=no_match,
            query_language=query.language,
            missing_shards=retrieval.missing_shards,
        )

    def search(
        self,
        query: Question,
        top_k: int = 10,
        doc_ids: Sequence[str] | None = None,
        cities: Sequence[str] | None = None,
        mode: SearchMode = "hybrid",
        filters: SearchFilters | None = None,
    ) -> list[Hit]:
        """The ``top_k`` best passages for ``query`` within the filters."""
        filters = filters or self.make_filters(doc_ids, cities)
        return self.search_full(query, top_k, filters, mode).hits

    def _facets(self, candidates: Sequence[tuple[int, float]]) -> dict[str, dict[str, int]]:
        """Facet counts over every candidate."""
        return self.table.facets([self._row[cid] for cid, _ in candidates])

    def _chunk(self, chunk_id: int) -> Chunk:
        return self.index.chunks[self._row[chunk_id]]

    def _project_of(self, chunk_id: int) -> tuple[str, str]:
        chunk = self._chunk(chunk_id)
        return chunk.doc_id, chunk.project_key

    def _hit(
        self,
        rank: int,
        chunk_id: int,
        score: float,
        highlights: list[tuple[int, int]] | None = None,
    ) -> Hit:
        # What ``Hit.from_record`` fills from the chunk and its document, as validated input.
        return Hit(
            **self._hit_fields(chunk_id),
            rank=rank,
            score=round(score, 6),
            highlights=highlights or [],
        )

    def _hit_fields(self, chunk_id: int) -> dict[str, Any]:
        """The fields of a chunk's hit that are the chunk's alone (all but rank, score and
        highlights), made on its first hit and kept: reading them from the chunk, its document
        and its links on every hit cost a third of making it (about 3 of 8 µs)."""
        found = self._hit_cache.get(chunk_id)
        if found is None:
            chunk = self._chunk(chunk_id)
            doc = self.index.documents[chunk.doc_id]
            found = {
                "doc_title": doc.title,
                "city": doc.city,
                **place_of(chunk),
                "field": chunk.field,
                "text": chunk.text,
                "chunk_id": chunk.chunk_id,
                "related": self.links.get((chunk.doc_id, chunk.project_key), []),
            }
            self._hit_cache[chunk_id] = found
        return found

    def _term_ids(self, query: ParsedQuery) -> frozenset[int]:
        """The question's highlight terms as the index's lemma ids (once per request)."""
        return self.index.tokens.lemma_ids(query.highlight_terms)

    def _highlights(
        self, chunk_ids: Sequence[int], terms: frozenset[int]
    ) -> list[list[tuple[int, int]]]:
        """The spans of ``terms`` in each passage, all passages in one pass."""
        rows = [self._row[cid] for cid in chunk_ids]
        return highlight_rows(self.index.tokens, rows, terms)

    def search_projects(
        self,
        query: Question,
        top_k: int,
        filters: SearchFilters,
        evidence: int = EVIDENCE_PER_PROJECT,
    ) -> tuple[list[ProjectResult], dict[str, dict[str, int]]]:
        """Projects ranked by their best passage, with up to ``evidence`` passages each."""
        outcome = self.search_projects_full(query, top_k, filters, evidence)
        return outcome.projects, outcome.facets

    def search_projects_full(
        self,
        query: Question,
        top_k: int,
        filters: SearchFilters,
        evidence: int = EVIDENCE_PER_PROJECT,
        retrieved: SearchOutcome | None = None,
        facets: bool = True,
    ) -> ProjectOutcome:
        """``search_projects`` with ``no_match``. ``retrieved``: this question's search when the
        caller already made it (``/answer`` lists projects from the ranking it answers from).
        ``facets``: False for a caller that shows none (``/answer``): the counts are left empty."""
        _check_top_k(top_k)
        query = self.parse(query)
        if retrieved is None:
            retrieval = self.retrieve_full(query, filters)
            candidates, no_match = retrieval.candidates, self._no_match(retrieval, query)
            missing = retrieval.missing_shards
        else:
            candidates, no_match = retrieved.candidates, retrieved.no_match
            missing = retrieved.missing_shards
        # Every candidate takes part in the grouping, but only the shown evidence (top_k
        # projects, ``evidence`` passages each) becomes a hit, highlighted: a hit of each of
        # the ~300 candidates cost more than the rest of the request. Candidates are grouped
        # as (rank, chunk id, score) by their chunk's grouping keys, made at load.
        grouping = self._grouping
        grouped = group_passages(
            (((rank, cid, s), grouping[cid]) for rank, (cid, s) in enumerate(candidates, 1)),
            top_k,
            evidence,
        )
        counts = self._facets(candidates) if facets else {}
        groups = [
            [_Candidate(cid, self._chunk(cid), rank, s) for rank, cid, s in g] for g in grouped
        ]
        shown = [c.chunk_id for passages in groups for c in passages]
        spans = iter(self._highlights(shown, self._term_ids(query)))
        projects = [
            self._project_result(
                rank, [self._hit(c.rank, c.chunk_id, c.fused, next(spans)) for c in passages]
            )
            # Each group's first passage is its project's best, groups in that order.
            for rank, passages in zip(rank_projects([g[0] for g in groups]), groups, strict=True)
        ]
        return ProjectOutcome(
            projects,
            counts,
            no_match=no_match,
            query_language=query.language,
            missing_shards=missing,
        )

    def _project_result(self, rank: ProjectRank, evidence: list[Hit]) -> ProjectResult:
        record = self.index.records[(rank.doc_id, rank.project_key)]
        return ProjectResult.from_record(
            record,
            self.index.documents[rank.doc_id],
            rank=rank.rank,
            score=rank.score,
            evidence=evidence,
            related=self.links.get((rank.doc_id, rank.project_key), []),
        )

    def answer(self, query: Question, filters: SearchFilters, top_k: int) -> AnswerOutcome:
        """The answer to ``query`` and the ``top_k`` closest projects, from one retrieval and
        one question embedding: the answer is read from the same ranking the projects show."""
        query = self.parse(query)
        ranking, outcome = self.answer_ranking(query, filters)
        # An answer shows no facets: neither the ranking's search nor the listing counts them
        # (two counts over ~335 candidates, about 0.25 ms of CPU each).
        listed = self.search_projects_full(query, top_k, filters, retrieved=outcome, facets=False)
        return AnswerOutcome(
            unless_no_match(answer_from(ranking, listed.projects), listed.no_match),
            listed.projects,
            no_match=listed.no_match,
            query_language=query.language,
            missing_shards=listed.missing_shards,
        )

    def answer_ranking(
        self, query: Question, filters: SearchFilters | None = None
    ) -> tuple[Ranking, SearchOutcome]:
        """Every answer unit of the top passages scored, and the retrieval they come from
        (without facet counts: an answer shows none)."""
        query = self.parse(query)
        outcome = self.search_full(
            query,
            self.answerer.config.passages,
            filters or SearchFilters(),
            highlight=False,
            facets=False,
        )
        ranking = self.answerer.rank(
            query.text, hits=outcome.hits, query_vector=query.vector, uncovered=outcome.uncovered
        )
        return ranking, outcome

    # -- records ----------------------------------------------------------------

    def projects(self, doc_id: str | None = None) -> list[Project]:
        """Project records (not sections), in document order, optionally of one document."""
        if doc_id is not None and doc_id not in self.index.documents:
            valid = ", ".join(sorted(self.index.documents))
            raise NotFoundError(f"unknown doc_id {doc_id}; valid: {valid}")
        return [
            r
            for r in self.index.records.values()
            if r.kind == "project" and (doc_id is None or r.doc_id == doc_id)
        ]

    def project(self, doc_id: str, key: str) -> Project:
        """One record by document and key (the project number, or ``<number>_2``)."""
        record = self.index.records.get((doc_id, key))
        if record is None:
            known = [r.project_key for r in self.projects(doc_id)]
            sample = ", ".join(known[:8]) + (" …" if len(known) > 8 else "")
            raise NotFoundError(f"no project {key!r} in {doc_id}; its projects include {sample}")
        return record


def city_lemmas(city: str) -> tuple[str, ...]:
    """The lemmas of a city's name without its 市, 町 or 村 (伊勢原市 → イセハラ)."""
    return get_analyzer().lemmas(city[:-1] if city[-1:] in ("市", "町", "村") else city)


def _check_top_k(top_k: int) -> None:
    if not 1 <= top_k <= MAX_TOP_K:
        raise SearchInputError(f"top_k must be between 1 and {MAX_TOP_K}, got {top_k}")


def _related(link: Link) -> RelatedLink:
    return RelatedLink(**asdict(link))


def open_engine(settings: Settings, embedder: Embedder | None = None) -> SearchEngine:
    """Load the embedder (unless given) and the published index, verified against it."""
    from indexer.embedding import make_embedder

    embedder = embedder or make_embedder(settings)
    index = _load(settings, embedder)
    analyzer = QueryAnalyzer(index_frequencies(index.lexical), sudachi_file=settings.synonyms_file)
    questions = QuestionVectors(embedder, settings.query_max_tokens, settings.query_cache_size)
    fusion = FusionConfig.from_settings(settings)
    floor = settings.resolved_no_match_floor()
    relevance = load_model(embedder.identity.as_dict()) if floor is None else None
    if relevance is not None and relevance.axes:
        axes = index_axes(index, len(relevance.axes))
        relevance = relevance.on_index(axes) if axes is not None else relevance
    backend = _sharded_backend(settings, index) if settings.shards > 1 else None
    return SearchEngine(index, embedder, fusion, analyzer, questions, floor, backend, relevance)


def _load(settings: Settings, embedder: Embedder) -> LoadedIndex:
    """The published index; served sharded from parts the build wrote, the router's light
    index (``service/backends/router.py``): the shard actors hold the FAISS and BM25 matrices,
    so this process does not."""
    from service.loading import load_index

    args = (settings.index_dir, embedder.identity, settings.corpus_dir)
    if settings.shards > 1:
        from service.backends.router import has_parts, load_router_index

        if has_parts(settings.index_dir, settings.shards):
            return load_router_index(*args)
    return load_index(*args)


def _sharded_backend(settings: Settings, index: LoadedIndex) -> RetrievalBackend:
    """``PLANSEARCH_SHARDS`` shard actors on the cluster at ``PLANSEARCH_RAY_ADDRESS``."""
    from indexer.ray_cluster import connect
    from service.backends.ray_shards import RayShardBackend

    connect(settings.ray_address)
    return RayShardBackend.start(
        index, settings.shards, settings.shard_replicas, settings.shard_timeout
    )
