"""Chapter 1 (``１ 重点プロジェクトとは``): one section per ``（n）`` subsection."""

from __future__ import annotations

import re

from indexer.parsing.action_plan.drafts import Draft, section_draft
from indexer.parsing.action_plan.indicators import INDICATOR_HEAD, indicator_table
from indexer.parsing.action_plan.lines import Line, is_footnote, join_paragraphs
from indexer.parsing.common import group_under
from indexer.records import Field, table_field
from indexer.textclean import squeeze

_SUBSECTION = re.compile(r"^（[０-９]）\s*\S")
_FIGURE_TITLE = re.compile(r"^【(.+)】$")


def intro_drafts(chapter: str, lines: list[Line], projects: set[str]) -> list[Draft | None]:
    """One section per ``（n）`` subsection: 本文, its figure/table and footnotes."""
    drafts: list[Draft | None] = []
    subsections = group_under(lines, lambda ln: ln.text if _SUBSECTION.match(ln.text) else None)
    for heading, body in subsections:
        notes = [ln.text for ln in body if is_footnote(ln.text)]
        body = [ln for ln in body if not is_footnote(ln.text)]
        paragraphs, rest = join_paragraphs([ln.text for ln in body])
        fields = [Field("本文", "\n".join(paragraphs))]
        fields += _segment_fields(body[len(body) - len(rest) :], projects)
        fields.append(Field("用語解説", "\n".join(notes)))
        drafts.append(section_draft((chapter, heading), fields))
    return drafts


def _segment_fields(lines: list[Line], projects: set[str]) -> list[Field]:
    """Fields for the figures and tables after the prose, split at ``【title】``."""
    segments = group_under(lines, _figure_title, lead="")
    return [_segment_field(title, body, projects) for title, body in segments if body]


def _figure_title(line: Line) -> str | None:
    title = _FIGURE_TITLE.match(line.text)
    return title.group(1) if title else None


def _segment_field(title: str, body: list[Line], projects: set[str]) -> Field:
    """A segment as a field, named after its ``【title】`` ("" for the untitled first one)."""
    texts = [ln.text for ln in body]
    if texts[0] in INDICATOR_HEAD:
        return table_field(title or texts[0], indicator_table(texts, projects))
    if texts[0].startswith("政策 重点施策"):
        return table_field(title or "表", _sdgs_table(texts))
    # Diagram labels lack the end-of-block space and were glued: keep printed lines.
    lines = [p for ln in body for p in (ln.parts if not ln.closed else [ln.text])]
    return Field(title or "本文", "\n".join(squeeze(p) for p in lines if p.strip()))


def _sdgs_table(cells: list[str]) -> list[list[str]]:
    """``政策, 重点施策, 指標、指標…`` rows of the ＳＤＧｓローカル指標 table, header first.

    A 政策 name may be split over two cells (``共生・共創・`` / ``行財政政策``).
    """
    rows: list[list[str]] = []
    policy, previous_was_policy = "", False
    for cell in cells[1:]:
        if re.match(r"^\d-\d", cell):
            rows.append([policy, cell, ""])
        elif cell.startswith("・") and rows:
            rows[-1][2] += ("、" if rows[-1][2] else "") + cell[1:].strip()
        else:
            policy = policy + cell if previous_was_policy else cell
        previous_was_policy = not re.match(r"^(\d-\d|・)", cell)
    return [cells[0].split(), *rows]
