"""Pydantic models at the service boundary (HTTP and JSON output of the CLI)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SearchMode = Literal["hybrid", "dense", "lexical"]
MAX_QUERY_CHARS = 1000
MAX_TOP_K = 100


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


class SearchRequest(BaseModel):
    """Body of ``POST /search``."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="the question")
    top_k: int = Field(10, ge=1, le=MAX_TOP_K)
    doc_id: list[str] | None = Field(None, description="only these documents")
    city: list[str] | None = Field(None, description="only these cities")
    mode: SearchMode = "hybrid"


class SearchResponse(BaseModel):
    """Ranked passages for a question."""

    query: str
    mode: SearchMode
    total: int
    hits: list[Hit]


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
    related: list[str]


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
