"""Records before their keys are known, and the keys and records made of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from indexer.parsing.common import unique_keys
from indexer.records import DocumentInfo, Field, Project, project_record, section_record


@dataclass(frozen=True)
class Draft:
    """A record before keys are assigned."""

    path: tuple[str, ...]
    fields: tuple[Field, ...]
    project_id: str | None = None
    project_name: str | None = None


def section_draft(path: tuple[str, ...], fields: Iterable[Field | tuple[str, str]]) -> Draft | None:
    """A section draft from fields or (name, text) pairs; empty texts are dropped."""
    made = (f if isinstance(f, Field) else Field(*f) for f in fields)
    kept = tuple(f for f in made if f.text.strip())
    return Draft(path, kept) if kept else None


def finalize(drafts: Iterable[Draft | None], doc: DocumentInfo) -> list[Project]:
    """Assign keys (``<id>``, ``<id>_2`` …, ``section-<n>``) and build the records."""
    kept = [d for d in drafts if d is not None]
    keys = unique_keys(d.project_id for d in kept)
    return [_record(d, key, doc) for d, key in zip(kept, keys, strict=True)]


def _record(d: Draft, key: str, doc: DocumentInfo) -> Project:
    if d.project_id is None:
        return section_record(doc, key, d.path, d.fields)
    return project_record(
        doc,
        project_key=key,
        project_id=d.project_id,
        name=d.project_name,
        department=None,  # the document names no 担当部/所管 for any 施策
        path=d.path,
        fields=d.fields,
    )
