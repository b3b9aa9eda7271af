"""Non-project text under one heading (a section) and the fields made of it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.parsing.common import group_under, join_cells
from indexer.parsing.isehara.text import TITLE_MARKS, flat, row_cells
from indexer.records import Field

_SECTION_TITLES = (
    re.compile(r"^(?:施策の方針|主な事業|その他の関連の事業)$"),
    re.compile(r"^「.+」によりめざす将来のまちの姿$"),
    re.compile(r"^\S+力の施策体系$"),
    re.compile(r"^[■●]"),
)


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
        (title, [t for t in map(_text_line, body) if t])
        for title, body in group_under(lines, _title, lead="本文")
    ]
    merged: list[tuple[str, list[str]]] = []
    for name, body in groups:
        if body or not merged:
            merged.append((name, body))
        else:
            merged[-1][1].append(name)
    return tuple(Field(name, "\n".join(body)) for name, body in merged if body)


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
