"""What the 目次 and the 施策体系 pages say about the headings of the body."""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.parsing.common import compact
from indexer.parsing.isehara.text import line_at, next_nonblank
from indexer.textclean import squeeze

_CHAPTER = re.compile(r"^第\d+章 \S.*$")
_TOC_NUMBERED = re.compile(r"^(\d+)\t([^\t]+)\t\d+$")
_TOC_PLAIN = re.compile(r"^\t([^\t]+)\t\d+$")
_HIERARCHY_MARK = re.compile(r"^【(?:まちづくり目標|基本政策|施策展開の方向)（基本構想）】$")
_HIERARCHY_ITEM = re.compile(r"^(\d+(?:-\d+){0,2}) \S.*$")
_CIRCLED = re.compile(r"^[①-⑳]$")


@dataclass(frozen=True)
class Outline:
    """What the 目次 and the 施策体系 pages say about headings."""

    body_start: int
    chapters: frozenset[str]
    headings: dict[str, str]  # heading as printed → its chapter
    fields_of_activity: frozenset[str]  # 暮らし力 … 自治力
    hierarchy: dict[str, str]  # "1-1" → "1-1 健やかに生き生きと暮らせるまちづくり"
    leading: dict[str, str]  # "①" → "① 地域資源等を活用した… プロジェクト"


def read_outline(lines: list[str]) -> Outline:
    """The outline of the document whose lines are ``lines``."""
    headings, activities, chapters = _toc(lines)
    start = _body_start(lines, chapters)
    leading = {}
    for i in range(start, len(lines)):
        if found := leading_heading(lines, i):
            leading[found[0][0]] = found[0]
    return Outline(
        start, frozenset(chapters), headings, frozenset(activities), _hierarchy(lines), leading
    )


def leading_heading(lines: list[str], i: int) -> tuple[str, int] | None:
    """``プロジェクト`` / ``①`` / name → (``① name``, lines consumed), else None."""
    if lines[i].strip() != "プロジェクト":
        return None
    mark_at = next_nonblank(lines, i + 1)
    name_at = next_nonblank(lines, mark_at + 1)
    mark, name = line_at(lines, mark_at), line_at(lines, name_at)
    if not (_CIRCLED.match(mark) and name):
        return None
    return f"{mark} {squeeze(name)}", name_at + 1 - i


def _toc_start(lines: list[str]) -> int:
    return lines.index("目次") if "目次" in lines else 0


def _toc(lines: list[str]) -> tuple[dict[str, str], set[str], list[str]]:
    """Headings (→ chapter), 分野 names and chapter titles, from the 目次.

    Unnumbered entries are headings, except under 第3章 where they are the 分野.
    The 目次 ends where a chapter title comes a second time (the body).
    """
    headings: dict[str, str] = {}
    activities: set[str] = set()
    chapters: list[str] = [""]
    for line in lines[_toc_start(lines) :]:
        numbered, plain = _TOC_NUMBERED.match(line), _TOC_PLAIN.match(line)
        if _CHAPTER.match(line):
            if line in chapters:
                break
            chapters.append(line)
        elif numbered:
            headings[f"{numbered.group(1)} {numbered.group(2)}"] = chapters[-1]
        elif plain and chapters[-1].startswith("第3章"):
            activities.add(compact(plain.group(1)))
        elif plain:
            headings[plain.group(1)] = chapters[-1]
    return headings, activities, chapters[1:]


def _hierarchy(lines: list[str]) -> dict[str, str]:
    """``1-1`` → ``1-1 健やかに…``: the line after each 【…（基本構想）】 mark."""
    names: dict[str, str] = {}
    for i, line in enumerate(lines):
        item = line_at(lines, next_nonblank(lines, i + 1)) if _HIERARCHY_MARK.match(line) else ""
        if m := _HIERARCHY_ITEM.match(item):
            names.setdefault(m.group(1), item)
    return names


def _body_start(lines: list[str], chapters: list[str]) -> int:
    """Index of the first chapter title after the 目次 (0 when there is none)."""
    after_toc = [i for i, line in enumerate(lines) if chapters and line == chapters[0]]
    return after_toc[1] if len(after_toc) > 1 else (after_toc[0] if after_toc else 0)
