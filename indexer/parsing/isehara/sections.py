"""Non-project text under one heading (a section) and the fields made of it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.parsing.common import group_under, join_cells, table_rows
from indexer.parsing.isehara.text import TITLE_MARKS, flat, row_cells
from indexer.records import Field

_SECTION_TITLES = (
    re.compile(r"^(?:施策の方針|主な事業|その他の関連の事業)$"),
    re.compile(r"^「.+」によりめざす将来のまちの姿$"),
    re.compile(r"^\S+力の施策体系$"),
    re.compile(r"^[■●]"),
)


# First header cells of the tables printed under a section heading (主な事業: 「事業No. |
# 事業名 | 担当部 | 担当課 | リーディングプロジェクト」).
_TABLE_HEADS = ("事業No.", "事業名", "関連する施策")


@dataclass
class Section:
    """The raw lines printed under one heading, and the heading path."""

    path: tuple[str, ...]
    lines: list[str] = field(default_factory=list)


def section_fields(lines: list[str]) -> tuple[Field, ...]:
    """Fields of a section: text before any title is 本文, each title opens a field.

    A title with nothing under it (a figure caption) stays as a line of the
    field above, so that no printed word is lost.
    """
    groups = [
        (title, [ln for ln in body if _text_line(ln)])
        for title, body in group_under(lines, _title, lead="本文")
    ]
    merged: list[tuple[str, list[str]]] = []
    for name, body in groups:
        if body or not merged:
            merged.append((name, body))
        else:
            merged[-1][1].append(name)  # a title line: _text_line keeps it as it is
    return tuple(_field(name, body) for name, body in merged if body)


def _field(name: str, lines: list[str]) -> Field:
    """A field of the section's text; a printed table and nothing else keeps its rows."""
    text = "\n".join(t for t in map(_text_line, lines) if t)
    rows = [row_cells(ln) for ln in lines] if all("\t" in ln for ln in lines) else []
    header = bool(rows) and rows[0][0] in _TABLE_HEADS
    return Field(name, text, rows=table_rows(rows) if header else ())


def _title(line: str) -> str | None:
    text = line.strip()
    if "\t" in line or not any(p.match(text) for p in _SECTION_TITLES):
        return None
    return TITLE_MARKS.sub("", text) or None


def _text_line(line: str) -> str:
    """A body line as plain text: table rows joined by " | ", list dashes dropped."""
    if "\t" in line:
        return join_cells(row_cells(line))
    return re.sub(r"^-\s+", "", flat(line))
