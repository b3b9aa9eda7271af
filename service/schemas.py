"""Pydantic models at the service boundary (HTTP and JSON output of the CLI).

Every shape that names a project derives from one chain of bases, so each field is declared
once: ``ProjectIdentity`` (document and number) → ``TitledProject`` (+ document title) →
``ProjectRef`` (+ city, department, section path). Links carry the identity, citations the
titled form, and hits, summaries, ranked and detailed projects the whole reference.

The search filters are declared once too, in ``FilterParams``: the GET routes take it as their
query parameters, ``SearchRequest`` (the POST body) derives from it, and the CLI takes its
option help from its field descriptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator

from indexer.records import Chunk, DocumentInfo, Project, place_of
from service.limits import (
    DEFAULT_ANSWER_TOP_K,
    DEFAULT_TOP_K,
    EVIDENCE_PER_PROJECT,
    MAX_ANSWER_TOP_K,
    MAX_PROJECT_PREFIX_CHARS,
    MAX_QUERY_CHARS,
    MAX_TOP_K,
)

if TYPE_CHECKING:
    from service.filters import SearchFilters
    from service.search import SearchEngine

SearchMode = Literal["hybrid", "dense", "lexical"]


# -- filters ------------------------------------------------------------------------------


class FilterParams(BaseModel):
    """Which passages a question may return; every filter is optional.

    An empty value (``year=``, ``department=`` or ``[""]`` in a body) counts as absent.
    """

    doc_id: list[str] | None = Field(None, description="only these documents")
    city: list[str] | None = Field(None, description="only these cities")
    department: list[str] | None = Field(None, description="department name contains any of these")
    section: list[str] | None = Field(
        None, description="a section heading (分野, 施策 …) contains any"
    )
    year: list[str] | None = Field(None, description="fiscal year: 2022, 2022年度, 令和4年度 or R4")
    project: str | None = Field(
        None,
        max_length=MAX_PROJECT_PREFIX_CHARS,
        description="project number prefix, e.g. 1-1 or 19-",
    )

    @field_validator("doc_id", "city", "department", "section", "year", mode="before")
    @classmethod
    def _drop_empty_values(cls, value: Any) -> Any:
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            return value
        kept = [v for v in value if not (isinstance(v, str) and not v.strip())]
        return kept or None

    @field_validator("project", mode="before")
    @classmethod
    def _empty_prefix_is_absent(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @classmethod
    def describe(cls, name: str) -> str:
        """The description of filter ``name`` (the CLI's option help)."""
        return cls.model_fields[name].description or ""

    def search_filters(self, engine: SearchEngine) -> SearchFilters:
        """These filters checked against the engine's index; bad values raise its input error,
        whose message lists the valid or close values."""
        return engine.make_filters(
            self.doc_id,
            self.city,
            departments=self.department,
            sections=self.section,
            years=self.year,
            project_prefix=self.project,
        )


class QuestionQuery(FilterParams):
    """The query string of ``GET /projects/search``, read in one validation by the question
    routes' fast path (``service.api.fastpath``); each field is the route's parameter of that
    name, with the same bounds (``tests/service/api/test_fastpath.py`` compares them)."""

    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="the question (質問)")
    top_k: int = Field(DEFAULT_TOP_K, ge=1, le=MAX_TOP_K)


class PassageQuery(QuestionQuery):
    """The query string of ``GET /search``."""

    mode: SearchMode = "hybrid"


class AnswerQuery(FilterParams):
    """The query string of ``GET /answer``."""

    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="the question (質問)")
    top_k: int = Field(
        DEFAULT_ANSWER_TOP_K, ge=1, le=MAX_ANSWER_TOP_K, description="closest projects listed"
    )


class SearchRequest(FilterParams):
    """Body of ``POST /search``."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="the question")
    top_k: int = Field(DEFAULT_TOP_K, ge=1, le=MAX_TOP_K)
    mode: SearchMode = "hybrid"


# -- what names a project ---------------------------------------------------------------------


class ProjectIdentity(BaseModel):
    """Which project of which document: enough to link to it."""

    doc_id: str
    project_id: str | None = Field(description="number as printed; null for non-project text")
    project_key: str = Field(description="unique key of the record within its document")
    project_name: str | None


class TitledProject(ProjectIdentity):
    """A project with the title of its document: enough to cite it."""

    doc_title: str

    @classmethod
    def from_project(cls, project: TitledProject, **more: Any) -> Self:
        """This shape of ``project`` (a Hit, say); ``more`` fills the fields this shape adds."""
        return cls(**project.model_dump(include=set(TitledProject.model_fields)), **more)


class ProjectRef(TitledProject):
    """A project with where it sits: city, department and section headings."""

    city: str
    department: str | None
    section_path: list[str]

    @classmethod
    def from_record(cls, record: Project | Chunk, doc: DocumentInfo, **more: Any) -> Self:
        """This shape of ``record`` of ``doc``; ``more`` fills the fields a derived shape adds."""
        return cls(doc_title=doc.title, city=doc.city, **place_of(record), **more)


class RelatedLink(ProjectIdentity):
    """A project of another document that this one cites or is cited by."""

    via: str = Field(description="how the link was found, e.g. 関連事業")


# -- passages ---------------------------------------------------------------------------------


class Hit(ProjectRef):
    """One ranked passage with where it comes from."""

    rank: int = Field(description="1 for the best passage")
    score: float = Field(description="fused score (higher is better; scale depends on mode)")
    field: str = Field(description="the record field(s) the passage is taken from")
    text: str
    chunk_id: int
    highlights: list[tuple[int, int]] = Field(
        default_factory=list, description="[start, end) character spans of matched terms in text"
    )
    related: list[RelatedLink] = Field(default_factory=list)


class Facets(BaseModel):
    """Passage counts per value among all passages that matched (not only the top_k)."""

    doc_id: dict[str, int] = Field(default_factory=dict)
    city: dict[str, int] = Field(default_factory=dict)
    department: dict[str, int] = Field(default_factory=dict)
    section: dict[str, int] = Field(default_factory=dict)
    year: dict[str, int] = Field(default_factory=dict, description="西暦 fiscal year → count")


class QuestionResponse(BaseModel):
    """What every answer to a question says of the question itself."""

    query: str
    no_match: bool = Field(
        False,
        description="nothing is close enough to the question to be about it; the results are "
        "only the nearest ones (近い事業)",
    )
    query_language: str | None = Field(
        None, description="ISO 639-1 code of the question's language (ja, en, pt, vi …)"
    )
    partial: bool = Field(
        False,
        description="some shard of a sharded index did not answer (PLANSEARCH_SHARDS > 1): "
        "the results come from the other shards only",
    )
    missing_shards: list[str] = Field(
        default_factory=list, description="the shards that did not answer, e.g. shard-1"
    )


class SearchResponse(QuestionResponse):
    """Ranked passages for a question."""

    mode: SearchMode
    total: int
    hits: list[Hit]
    facets: Facets = Field(default_factory=Facets)


# -- projects ---------------------------------------------------------------------------------


class FieldOut(BaseModel):
    """A named part of a record."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    year: str | None
    text: str
    rows: list[list[str]] = Field(
        default_factory=list,
        description="the field's table as printed, header row first, one string per cell "
        "(empty when the field is prose); `text` holds the same rows as `cell | cell` lines",
    )


class ProjectSummary(ProjectRef):
    """A project as listed by ``GET /projects``."""


class ProjectDetail(ProjectSummary):
    """A project with every field."""

    fields: list[FieldOut]
    related: list[str] = Field(description="codes as printed, e.g. 施策 codes an item cites")
    related_projects: list[RelatedLink] = Field(default_factory=list)


class ProjectResult(ProjectSummary):
    """A project ranked for a question, with the passages that put it there."""

    rank: int
    score: float
    evidence: list[Hit] = Field(
        description=f"the best 1–{EVIDENCE_PER_PROJECT} passages of this project"
    )
    related: list[RelatedLink] = Field(default_factory=list)


class ProjectSearchResponse(QuestionResponse):
    """Projects (not passages) for a question, e.g. 「子育て支援に取り組んでいる事業は？」."""

    total: int
    projects: list[ProjectResult]
    facets: Facets = Field(default_factory=Facets)


class ProjectList(BaseModel):
    """Projects, optionally of one document."""

    total: int
    projects: list[ProjectSummary]


# -- answers ----------------------------------------------------------------------------------


AnswerKind = Literal[
    "value", "date", "reason", "method", "place", "department", "status", "yesno", "list", "fact"
]


class Citation(TitledProject):
    """Where an answer, or one part of it, was taken from."""

    field: str
    year: str | None = None
    quote: str = Field("", description="the part of the answer text taken from here")
    card: int | None = Field(
        None,
        description="rank (1 = first) of the listed project (AnswerResponse.projects) this "
        "part comes from; null when it is not among them",
    )


class AnswerItem(ProjectRef):
    """A project of a list answer, with one line of evidence."""

    rank: int = Field(description="its rank among the projects listed (1 = first)")
    field: str = Field(description="the field the evidence line is taken from")
    evidence: str = Field(description="one line of the project that shows why it is listed")


class AnswerOut(BaseModel):
    """An extractive answer: up to three units (sentences, rows) copied from the passages,
    each with its own citation; or, for a list question, the projects with one line each."""

    text: str = Field(
        description="the answering sentence(s) or row(s), one part a line; empty when not found"
    )
    found: bool
    confidence: float = Field(ge=0.0, le=1.0, description="probability the answer is right")
    citation: Citation | None = Field(None, description="the first of citations")
    citations: list[Citation] = Field(
        default_factory=list, description="one per part of text, in order (its quote is the part)"
    )
    kind: AnswerKind = Field(
        "fact",
        description="what the question asks: value (a number with its unit), date, reason, "
        "method, place, department, status, yesno (はい/not found), list (see items) or fact",
    )
    items: list[AnswerItem] = Field(
        default_factory=list, description="list questions: the projects, one evidence line each"
    )


class AnswerResponse(QuestionResponse):
    """The answer and the closest projects (shown also when nothing was found)."""

    answer: AnswerOut
    projects: list[ProjectResult]


# -- service ----------------------------------------------------------------------------------


class DocumentOut(BaseModel):
    """A document of the index."""

    doc_id: str
    city: str
    title: str
    period: str
    projects: int
    chunks: int


class Health(BaseModel):
    """Service state and a summary of the served index."""

    status: Literal["ok"]
    format_version: int
    built_at: str
    embedder: dict[str, object]
    chunks: int
    documents: list[DocumentOut]
