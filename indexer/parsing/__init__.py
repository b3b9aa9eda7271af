"""One parser per document layout; ``parse_document`` picks it by doc id.

A layout is a module (``gyokaku``, ``manifesto``) or, when it has several parts, a
package (``jisshi``, ``isehara``, ``action_plan``). Rules that several layouts share
(record keys, table cells, one-line text, run-on lists, grouping under headings) are
in :mod:`indexer.parsing.common`.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from indexer.errors import InputError
from indexer.records import DocumentInfo, Project

Parser = Callable[[str, DocumentInfo], list[Project]]

# doc id → module under indexer.parsing exposing ``parse(text, doc) -> list[Project]``
PARSERS: dict[str, str] = {
    "isesaki-jisshi-r3": "jisshi",
    "isehara-chuki-r3-r4": "isehara",
    "isesaki-gyokaku-r2-r5": "gyokaku",
    "isesaki-manifesto-r6": "manifesto",
    "isesaki-action-plan-r7": "action_plan",
}


class UnknownLayoutError(InputError):
    """No parser knows this document id."""


def parser_for(doc_id: str) -> Parser:
    """The ``parse`` function for a document id."""
    try:
        module = PARSERS[doc_id]
    except KeyError:
        raise UnknownLayoutError(
            f"no parser for document {doc_id!r}; known: {', '.join(sorted(PARSERS))}"
        ) from None
    return import_module(f"indexer.parsing.{module}").parse


def parse_document(text: str, doc: DocumentInfo) -> list[Project]:
    """Parse one document's text into project and section records."""
    return parser_for(doc.doc_id)(text, doc)
