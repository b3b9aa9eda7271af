"""Chapter 3 (``３ 重点施策との対応``): the 重点施策 × project correspondence matrix."""

from __future__ import annotations

import re

from indexer.parsing.action_plan.drafts import Draft, section_draft
from indexer.parsing.action_plan.lines import Chapter, Line
from indexer.records import Field, table_field

_MEASURE = re.compile(r"^(\d-\d)\s*(\S.*)$")
_MARKS = re.compile(r"[◎○ ]{5,}")


def measure_names(lines: list[Line]) -> dict[str, str]:
    """重点施策 number → name, from the list in chapter 3 (``1-1子どもを…``)."""
    return {m[1]: m[2] for ln in lines if (m := _MEASURE.match(ln.text))}


def _mark_rows(raw_lines: list[str]) -> list[list[str]]:
    """The ◎/○ matrix: one line of five space-separated cells per 重点施策.

    Cells are joined by one space and the line ends with one more, so an empty
    row is five spaces; these lines must be read raw, before blank-line removal.
    """
    rows = [raw[:-1].split(" ") for raw in raw_lines if _MARKS.fullmatch(raw)]
    return [r for r in rows if len(r) == 5]


def _matrix_rows(chapter: Chapter, projects: list[str]) -> list[list[str]]:
    """``政策, 重点施策, <project> ◎ …`` per 重点施策, in printed order, header first."""
    rows: list[tuple[str, re.Match[str]]] = []
    policy = ""
    for ln in chapter.lines:
        m = _MEASURE.match(ln.text)
        if m:
            rows.append((policy, m))
        elif ln.text.endswith("政策"):
            policy = ln.text
    marks = _mark_rows(chapter.raw)
    if len(marks) != len(rows):  # never pair marks with the wrong 重点施策
        marks = [[] for _ in rows]
    out = [["政策", "重点施策", "重点プロジェクト（伊勢崎市版総合戦略）"]]
    for (policy, m), row in zip(rows, marks, strict=True):
        cells = [f"{p} {mark}" for p, mark in zip(projects, row, strict=False) if mark]
        out.append([policy, f"{m[1]} {m[2]}", *cells])
    return out


def matrix_drafts(chapter: Chapter, projects: list[str]) -> list[Draft | None]:
    """Chapter 3: its sentence, the correspondence table and the legend note."""
    texts = [ln.text for ln in chapter.lines]
    intro = [t for t in texts if t.endswith("。") and not t.startswith("※")]
    notes = [t for t in texts if t.startswith("※")]
    fields = [
        Field("本文", "\n".join(intro)),
        table_field("重点施策と重点プロジェクトの対応関係", _matrix_rows(chapter, projects)),
        Field("注", "\n".join(notes)),
    ]
    return [section_draft((chapter.heading,), fields)]
