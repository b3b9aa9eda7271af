"""One parser per document layout; ``parse_document`` picks it by the document's ``layout``.

A layout is a module (``gyokaku``, ``manifesto``) or, when it has several parts, a
package (``jisshi``, ``isehara``, ``action_plan``, ``generic``). Rules that several layouts
share (record keys, table cells, one-line text, run-on lists, grouping under headings) are
in :mod:`indexer.parsing.common`.

The layout is a field of the document's entry in ``corpus/documents.json``. ``generic``
reads any plan from its own structure (numbered headings, label–value rows); ``auto``
picks a known layout when the text carries its signature and ``generic`` otherwise. An
entry without a layout keeps the parser it had before layouts were listed (the five
documents of the original corpus) or, for any other document, ``auto``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import import_module

from indexer.errors import InputError
from indexer.records import DocumentInfo, Project

Parser = Callable[[str, DocumentInfo], list[Project]]

GENERIC = "generic"
AUTO = "auto"

# layout → module under indexer.parsing exposing ``parse(text, doc) -> list[Project]``
LAYOUTS: dict[str, str] = {
    "jisshi": "jisshi",
    "isehara": "isehara",
    "gyokaku": "gyokaku",
    "manifesto": "manifesto",
    "action_plan": "action_plan",
    GENERIC: "generic",
}

# The layout of each original document, used when its entry names none.
DEFAULT_LAYOUTS: dict[str, str] = {
    "isesaki-jisshi-r3": "jisshi",
    "isehara-chuki-r3-r4": "isehara",
    "isesaki-gyokaku-r2-r5": "gyokaku",
    "isesaki-manifesto-r6": "manifesto",
    "isesaki-action-plan-r7": "action_plan",
}

# What a known layout prints again and again: (layout, line pattern, fewest matching lines).
# A specific parser is only safe on text that repeats its project header, so ``auto`` asks
# for several occurrences, not one mention of a word.
SIGNATURES: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("jisshi", re.compile(r"^事業番号\t\d+\t担当課\t", re.M), 5),
    ("isehara", re.compile(r"^事業番号 \d+-\d{3}\t", re.M), 5),
    ("gyokaku", re.compile(r"^No\.\t[①-⑳]\t取組項目\t", re.M), 5),
    ("manifesto", re.compile(r"^マニフェスト\t総合計画実施計画の関連事業\t", re.M), 3),
    ("action_plan", re.compile(r"^\s*重点施策\s*[0-9０-９]+\s*[-－ー]\s*[0-9０-９]+", re.M), 5),
)


class UnknownLayoutError(InputError):
    """No parser has this name."""


def layout_names() -> list[str]:
    """Every layout a document may name, ``auto`` included."""
    return [*LAYOUTS, AUTO]


def detect_layout(text: str) -> str:
    """The known layout whose signature the text repeats most often, else ``generic``."""
    best, best_count = GENERIC, 0
    for layout, pattern, fewest in SIGNATURES:
        count = len(pattern.findall(text))
        if count >= fewest and count > best_count:
            best, best_count = layout, count
    return best


def layout_of(doc: DocumentInfo) -> str:
    """The layout a document's entry names, or its default."""
    return doc.layout or DEFAULT_LAYOUTS.get(doc.doc_id, AUTO)


def resolve_layout(layout: str, text: str) -> str:
    """A concrete layout: ``auto`` resolved against the text, any other name checked."""
    return detect_layout(text) if layout == AUTO else _known(layout)


def _known(layout: str) -> str:
    if layout not in LAYOUTS:
        raise UnknownLayoutError(f"unknown layout {layout!r}; known: {', '.join(layout_names())}")
    return layout


def parser_for(layout: str) -> Parser:
    """The ``parse`` function of a concrete layout (not ``auto``)."""
    _known(layout)
    return import_module(f"indexer.parsing.{LAYOUTS[layout]}").parse


def parse_document(text: str, doc: DocumentInfo) -> list[Project]:
    """Parse one document's text into project and section records."""
    return parser_for(resolve_layout(layout_of(doc), text))(text, doc)
