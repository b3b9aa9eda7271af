"""Records that flow through the pipeline unchanged in shape."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

RecordKind = Literal["project", "section"]


@dataclass(frozen=True)
class DocumentInfo:
    """One plan document of the corpus, as listed in ``corpus/documents.json``.

    ``layout`` names the parser that reads it (``jisshi``, ``generic``, ``auto`` …, see
    :mod:`indexer.parsing`); unset, a document of the original corpus keeps the parser it
    always had and any other document is read with ``auto``.
    """

    doc_id: str
    city: str
    title: str
    period: str
    file: str
    number_label: str = "事業番号"
    short_title: str = ""
    layout: str | None = None

    def project_label(self, project_id: str) -> str:
        """How the document prints a project number (``事業番号 34``, ``重点施策 1-1 方針2``)."""
        return f"{self.number_label} {project_id}"


@dataclass(frozen=True)
class Field:
    """A named part of a record: ``実施目的``, ``事業計画`` for one year, a table …

    ``name`` is the label as printed (without the year); ``year`` holds the fiscal
    year label (``令和4年度``) when the document gives the field per year.

    ``rows`` keeps a table as printed, header row first, one string per cell (an empty
    cell stays in its column), so that it can be shown as a table; ``text`` is then the
    same rows as ``cell | cell`` lines of their non-empty cells, which is what is
    embedded and searched. ``shared`` marks text the document prints
    once for several records (a 重点プロジェクト's 取組の方向性 above its 方針 rows): the
    record keeps it to be read in full, but it is indexed once, on the record of the
    page that prints it, not in every record that repeats it.
    """

    name: str
    text: str
    year: str | None = None
    rows: tuple[tuple[str, ...], ...] = ()
    shared: bool = False

    def __post_init__(self) -> None:
        # Records read back from JSON carry lists; a frozen record must stay hashable.
        object.__setattr__(self, "rows", tuple(tuple(row) for row in self.rows))

    @property
    def label(self) -> str:
        """Name and year together, as shown to users (``事業計画 令和4年度``)."""
        return f"{self.name} {self.year}" if self.year else self.name


CELL_SEPARATOR = " | "


def table_field(name: str, rows: Iterable[Iterable[str]], year: str | None = None) -> Field:
    """A table as a field: its rows and columns, and the ``cell | cell`` lines of its text
    (empty cells left out of the text, as a reader skips them)."""
    kept = tuple(tuple(row) for row in rows)
    text = "\n".join(CELL_SEPARATOR.join(c for c in row if c) for row in kept)
    return Field(name, text, year, rows=kept)


@dataclass(frozen=True)
class Project:
    """A project (``kind="project"``) or a block of non-project text (``kind="section"``).

    ``project_id`` is the number exactly as the corpus README defines it for the
    document (``34``, ``1-102``, ``1-(1)-③``, ``1-1 方針2``); it is ``None`` for
    sections. ``project_key`` is unique within the document: it equals ``project_id`` except
    when one printed number names two different projects (the second gets
    ``<project_id>_2``) and for sections (``section-<n>``).
    """

    doc_id: str
    city: str
    doc_title: str
    kind: RecordKind
    project_key: str
    project_id: str | None
    project_name: str | None
    department: str | None
    section_path: tuple[str, ...]
    fields: tuple[Field, ...]
    related: tuple[str, ...] = field(default=())

    def field_texts(self, name: str) -> list[str]:
        """Texts of every field called ``name`` (all years), in document order."""
        return [f.text for f in self.fields if f.name == name]


@dataclass(frozen=True)
class Chunk:
    """A searchable passage: part of one record, never of two.

    ``header`` names the document, the project and the field so that the passage
    is understandable alone; the embedded and lexically indexed text is
    ``header + "\\n" + text``. ``chunk_id`` is a stable int64 derived from the
    chunk's position (document, record key, fields, part), not from build order.
    """

    chunk_id: int
    doc_id: str
    project_key: str
    project_id: str | None
    project_name: str | None
    department: str | None
    section_path: tuple[str, ...]
    field: str
    header: str
    text: str

    @property
    def indexed_text(self) -> str:
        """The text given to the embedder and to BM25."""
        return f"{self.header}\n{self.text}"


# Where a record sits, as a chunk (and every API shape of a passage or project) repeats it.
PLACE_FIELDS = ("doc_id", "project_key", "project_id", "project_name", "department", "section_path")


def place_of(record: Project | Chunk) -> dict[str, Any]:
    """The document, record key, number, name, department and section headings of ``record``."""
    return {name: getattr(record, name) for name in PLACE_FIELDS}


def section_record(
    doc: DocumentInfo, project_key: str, path: tuple[str, ...], fields: tuple[Field, ...]
) -> Project:
    """A record of non-project text of ``doc`` (no number, name or department)."""
    return Project(
        doc_id=doc.doc_id,
        city=doc.city,
        doc_title=doc.title,
        kind="section",
        project_key=project_key,
        project_id=None,
        project_name=None,
        department=None,
        section_path=path,
        fields=fields,
    )


def project_record(
    doc: DocumentInfo,
    *,
    project_key: str,
    project_id: str,
    name: str | None,
    department: str | None,
    path: tuple[str, ...],
    fields: tuple[Field, ...],
    related: tuple[str, ...] = (),
) -> Project:
    """A project record of ``doc``: a section record with a number, name, department and links."""
    return replace(
        section_record(doc, project_key, path, fields),
        kind="project",
        project_id=project_id,
        project_name=name,
        department=department,
        related=related,
    )
