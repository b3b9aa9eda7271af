"""Rules that more than one layout parser follows, written once.

Every parser turns converted PDF text into records, and some decisions must come out
the same whatever the layout: how a record's key is made, how a table row reads as
one line of text, how a wrapped name becomes one line, how a run-on list cell gets
one item per line. Keeping them here means a fix reaches every document (and the
embedding cache sees the same text for the same printed content).

All functions are pure: they take text or values and return new ones.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TypeVar

from indexer.textclean import squeeze, strip_html_lists

_T = TypeVar("_T")

_WHITESPACE = re.compile(r"\s+")

# How a table row is printed in a field: its non-empty cells joined by this.
CELL_SEPARATOR = " | "


# --------------------------------------------------------------------------- keys


def unique_keys(project_ids: Iterable[str | None]) -> list[str]:
    """The ``project_key`` of each record of one document, in document order.

    ``None`` stands for a section; sections are numbered ``section-1``, ``section-2`` …
    A project's key is its printed number. Documents print some numbers for two or
    more different projects, and a key must name one record only (the index and the
    API look records up by key), so the second printing gets ``<id>_2``, the third
    ``<id>_3`` and so on.
    """
    printed: Counter[str] = Counter()
    sections = 0
    keys: list[str] = []
    for project_id in project_ids:
        if project_id is None:
            sections += 1
            keys.append(f"section-{sections}")
        else:
            printed[project_id] += 1
            count = printed[project_id]
            keys.append(project_id if count == 1 else f"{project_id}_{count}")
    return keys


# --------------------------------------------------------------------------- text


def one_line(text: str) -> str:
    """``text`` on one line: every whitespace run (tabs, breaks, ideographic spaces) → one space.

    Names, departments and headings are printed wrapped over lines or letter-spaced;
    as record attributes they must read (and compare) as a single line.
    """
    return _WHITESPACE.sub(" ", text).strip()


def compact(text: str) -> str:
    """``text`` without any whitespace.

    Labels are printed letter-spaced (``個 別 事 業``, ``実施 状況``) and years with
    stray spaces (``令和 11年度``); compared or shown without them they match.
    """
    return _WHITESPACE.sub("", text)


def non_empty(values: Iterable[str], clean: Callable[[str], str] = str.strip) -> list[str]:
    """``values`` cleaned by ``clean``, those that end up empty left out."""
    return [v for v in map(clean, values) if v]


def cells(line: str, clean: Callable[[str], str] = strip_html_lists) -> list[str]:
    """The non-empty cells of a tab-separated table row, each cleaned by ``clean``.

    The converter wrote tables as tab-separated rows whose cells shift from row to
    row, so empty cells carry no meaning; by default a cell's HTML lists become lines.
    """
    return non_empty(line.split("\t"), clean)


def row_cells(line: str, clean: Callable[[str], str] = strip_html_lists) -> list[str]:
    """Every cell of a tab-separated table row, cleaned, empty ones kept in their place.

    Where :func:`cells` reads a row as text, this keeps its columns, so that a table can
    be shown as printed (a continuation row's empty first cell stays under its heading).
    """
    return [clean(c) for c in line.split("\t")]


def table_rows(rows: Iterable[Iterable[str]]) -> tuple[tuple[str, ...], ...]:
    """``rows`` (header first) as a table to keep, or ``()`` when they are not one.

    Kept: two rows or more, all as wide as the header (two cells or more). Where the
    converter dropped empty cells the columns of a ragged table cannot be told apart, so
    it stays text only rather than be shown with shifted columns.
    """
    kept = tuple(tuple(row) for row in rows)
    if len(kept) < 2 or len(kept[0]) < 2 or any(len(r) != len(kept[0]) for r in kept):
        return ()
    return kept


def join_cells(row: Iterable[str]) -> str:
    """A table row as one line of text: its cells joined by `` | ``."""
    return CELL_SEPARATOR.join(row)


def break_items(text: str, item_break: re.Pattern[str], replacement: str = "\n") -> str:
    """A run-on list as one item per line.

    The converter lost the line breaks of lists inside cells; ``item_break`` matches
    where a new item starts (before a bullet, after ``。`` …, depending on the layout)
    and is replaced by ``replacement`` (a line break, possibly with a group kept);
    then spaces are squeezed and blank lines dropped.
    """
    return squeeze(item_break.sub(replacement, text))


def html_list_items(cell: str, item_break: re.Pattern[str], replacement: str = "\n") -> str:
    """A table cell as one list item per line: HTML lists stripped, then run-on items split."""
    return break_items(strip_html_lists(cell), item_break, replacement)


# --------------------------------------------------------------------------- blocks


def group_under(
    items: Iterable[_T], heading: Callable[[_T], str | None], lead: str | None = None
) -> list[tuple[str, list[_T]]]:
    """Items grouped under the items for which ``heading`` returns a title.

    The heading items themselves are not part of any group. Items before the first
    heading form a group titled ``lead``, or, when ``lead`` is None, are dropped (a
    cover or a table of contents precedes the first heading of most documents).
    """
    groups: list[tuple[str, list[_T]]] = [] if lead is None else [(lead, [])]
    for item in items:
        title = heading(item)
        if title is not None:
            groups.append((title, []))
        elif groups:
            groups[-1][1].append(item)
    return groups
