"""Helpers shared by the parser tests, imported with ``from .conftest import …``.

Every parser test file reads one corpus document, looks records up by key and checks
single fields; these helpers do it one way, on the records tests/conftest.py parses
(once per session).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Final

from conftest import CORPUS, documents, parsed

from indexer.corpus import read_text
from indexer.parsing import Parser
from indexer.records import DocumentInfo, Project

# Markup of the converted PDF that must never reach a field.
HTML_TAG = re.compile(r"</?(?:p|ul|li|br|div|span|table|tr|td)\b[^>]*>", re.IGNORECASE)


class _AnyYear:
    """Type of :data:`ANY_YEAR`."""

    def __repr__(self) -> str:
        return "ANY_YEAR"


# ``only_field(record, name, ANY_YEAR)`` looks at the fields of every year.
ANY_YEAR: Final = _AnyYear()


@dataclass(frozen=True)
class ParsedDocument:
    """One corpus document: its text and its parsed records (cached by tests/conftest.py)."""

    doc_id: str

    @property
    def info(self) -> DocumentInfo:
        return documents()[self.doc_id]

    def text(self) -> str:
        return read_text(CORPUS, self.info)

    def records(self) -> tuple[Project, ...]:
        return parsed(self.doc_id)

    def projects(self) -> list[Project]:
        return [r for r in self.records() if r.kind == "project"]

    def sections(self) -> list[Project]:
        return [r for r in self.records() if r.kind == "section"]

    def by_key(self, key: str) -> Project:
        return next(r for r in self.records() if r.project_key == key)

    def by_id(self, project_id: str) -> Project:
        """The first project printed with the number ``project_id``."""
        return next(r for r in self.projects() if r.project_id == project_id)

    def section(self, *path: str) -> Project:
        """The section record whose section_path is ``path``."""
        return next(r for r in self.sections() if r.section_path == path)


def only_field(record: Project, name: str, year: str | _AnyYear | None = None) -> str:
    """The text of the one field called ``name`` of ``year``; fails unless exactly one.

    ``year=None`` means a field printed without a year, ``ANY_YEAR`` any year.
    """
    texts = [
        f.text for f in record.fields if f.name == name and (year is ANY_YEAR or f.year == year)
    ]
    assert len(texts) == 1, (record.project_key, name, year, texts)
    return texts[0]


def parse_seconds(parse: Parser, doc: ParsedDocument) -> float:
    """Wall-clock seconds ``parse`` takes on the whole document (text read beforehand)."""
    info, text = doc.info, doc.text()
    start = time.perf_counter()
    parse(text, info)
    return time.perf_counter() - start


def identity(record: Project) -> tuple[str | None, str | None, str | None]:
    """(project_id, project_name, department): what a block prints in its header."""
    return record.project_id, record.project_name, record.department


def assert_document_info_copied(doc: ParsedDocument) -> None:
    """Every record names its document as ``DocumentInfo`` does and relates to no other."""
    info = doc.info
    for r in doc.records():
        assert (r.doc_id, r.city, r.doc_title) == (info.doc_id, info.city, info.title)
        assert r.related == ()
