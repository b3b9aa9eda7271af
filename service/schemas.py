"""Pydantic models at the service boundary (HTTP and JSON output of the CLI)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SearchMode = Literal["hybrid", "dense", "lexical"]
MAX_QUERY_CHARS = 1000
MAX_TOP_K = 100


class RelatedLink(BaseModel):
    """A project of another document that this one cites or is cited by."""

    doc_id: str
    project_key: str
    project_id: str
    project_name: str | None
    via: str = Field(description="how the link was found, e.g. 関連事業")


class Hit(BaseModel):
    """One ranked passage with where it comes from."""

    rank: int = Field(description="1 for the best passage")
    score: float = Field(description="fused score (higher is better; scale depends on mode)")
    doc_id: str
    doc_title: str
    city: str
    project_id: str | None = Field(description="number as printed; null for non-project text")
    project_key: str = Field(description="unique key of the record within its document")
    project_name: str | None
    department: str | None
    section_path: list[str]
    field: str = Field(description="the record field(s) the passage is taken from")
    text: str
    chunk_id: int
    highlights: list[tuple[int, int]] = Field(
        default_factory=list, description="[start, end) character spans of matched terms in text"
    )
    related: list[RelatedLink] = Field(default_factory=list)


class SearchRequest(BaseModel):
    """Body of ``POST /search``."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="the question")
    top_k: int = Field(10, ge=1, le=MAX_TOP_K)
    doc_id: list[str] | None = Field(None, description="only these documents")
    city: list[str] | None = Field(None, description="only these cities")
    department: list[str] | None = Field(None, description="department contains any of these")
    section: list[str] | None = Field(None, description="分野/section heading contains any")
    year: list[str] | None = Field(None, description="fiscal years: 2022, 2022年度, 令和4年度, R4")
    project: str | None = Field(None, description="project number prefix, e.g. 1-1 or 19-")
    mode: SearchMode = "hybrid"


class Facets(BaseModel):
    """Passage counts per value among all passages that matched (not only the top_k)."""

    doc_id: dict[str, int] = Field(default_factory=dict)
    city: dict[str, int] = Field(default_factory=dict)
    department: dict[str, int] = Field(default_factory=dict)
    section: dict[str, int] = Field(default_factory=dict)
    year: dict[str, int] = Field(default_factory=dict, description="西暦 fiscal year → count")


class SearchResponse(BaseModel):
    """Ranked passages for a question."""

    query: str
    mode: SearchMode
    total: int
    hits: list[Hit]
    facets: Facets = Field(default_factory=Facets)


class ProjectSearchResponse(BaseModel):
    """Projects (not passages) for a question, e.g. 「子育て支援に取り組んでいる事業は？」."""

    query: str
    total: int
    projects: list[ProjectResult]
    facets: Facets = Field(default_factory=Facets)


class Citation(BaseModel):
    """Where an answer was taken from."""

    doc_id: str
    doc_title: str
    project_id: str | None
    project_key: str
    project_name: str | None
    field: str
    year: str | None = None


class AnswerOut(BaseModel):
    """An extractive answer: sentence(s) or table row(s) copied from one passage."""

    text: str = Field(description="the answering sentence(s) or row(s); empty when not found")
    found: bool
    confidence: float = Field(ge=0.0, le=1.0)
    citation: Citation | None = None


class AnswerResponse(BaseModel):
    """The answer and the closest projects (shown also when nothing was found)."""

    query: str
    answer: AnswerOut
    projects: list[ProjectResult]


class FieldOut(BaseModel):
    """A named part of a record."""

    name: str
    year: str | None
    text: str


class ProjectSummary(BaseModel):
    """A project as listed by ``GET /projects``."""

    doc_id: str
    doc_title: str
    city: str
    project_id: str
    project_key: str
    project_name: str | None
    department: str | None
    section_path: list[str]


class ProjectDetail(ProjectSummary):
    """A project with every field."""

    fields: list[FieldOut]
    related: list[str] = Field(description="codes as printed, e.g. 施策 codes an item cites")
    related_projects: list[RelatedLink] = Field(default_factory=list)


class ProjectResult(ProjectSummary):
    """A project ranked for a question, with the passages that put it there."""

    rank: int
    score: float
    evidence: list[Hit] = Field(description="the best 1–3 passages of this project")
    related: list[RelatedLink] = Field(default_factory=list)


class ProjectList(BaseModel):
    """Projects, optionally of one document."""

    total: int
    projects: list[ProjectSummary]


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


class ErrorOut(BaseModel):
    """Every 4xx carries a message that says what was wrong."""

    detail: str
