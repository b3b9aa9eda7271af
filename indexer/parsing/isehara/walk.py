"""Walking the body line by line: headings open sections, ``事業番号`` lines are blocks.

Each handler looks at the line at ``i`` and returns how many lines it consumed (0 when
the line is not its kind); the first handler that takes the line wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from indexer.parsing.common import compact
from indexer.parsing.isehara.blocks import Block, block_at
from indexer.parsing.isehara.outline import Outline, leading_heading
from indexer.parsing.isehara.sections import Section
from indexer.parsing.isehara.text import TITLE_MARKS, line_at, next_nonblank
from indexer.textclean import squeeze

_DIRECTION = re.compile(r"^\d+-\d+-\d+$")
_MEASURE = re.compile(r"^施策 ?(\d{2})(?:\s+(\S.*))?$")
_AIM_TABLE = re.compile(r"^■\s*中期戦略事業プランにおけるプロジェクトの取組内容\s*■$")
# Decorations repeated on chapter title pages, and the label above every run of
# blocks; compared with spaces removed (``個 別 事 業``).
_NOISE = frozenset(
    {
        "未来へ",
        "届ける力",
        "個別事業",
        "中期戦略事業プランについて",
        "リーディングプロジェクト",
        "個別事業計画表",
    }
)
_COLOPHON = "伊勢原市第5次総合計画後期基本計画"


@dataclass
class _State:
    outline: Outline
    chapter: str = ""
    activity: str = ""
    direction: str = ""
    leading: str = ""
    entries: list[Section | Block] = field(default_factory=lambda: [Section(())])

    def open(self, *path: str) -> None:
        """Start a new section; text lines go to it until the next heading."""
        self.entries.append(Section(tuple(p for p in path if p)))

    def current(self) -> Section:
        """The section that text lines belong to (blocks do not close a section)."""
        return next(e for e in reversed(self.entries) if isinstance(e, Section))


_Handler = Callable[[_State, list[str], int], int]


def walk(lines: list[str], outline: Outline) -> list[Section | Block]:
    """Sections and blocks in document order, cover and 目次 skipped."""
    state = _State(outline)
    i = outline.body_start
    while i < len(lines):
        i += next(n for n in (h(state, lines, i) for h in _HANDLERS) if n)
    return state.entries


def _on_chapter(state: _State, lines: list[str], i: int) -> int:
    if lines[i] not in state.outline.chapters:
        return 0
    state.chapter, state.activity, state.direction, state.leading = lines[i], "", "", ""
    state.open(state.chapter)
    return 1


def _on_heading(state: _State, lines: list[str], i: int) -> int:
    heading = squeeze(lines[i])
    if state.outline.headings.get(heading) != state.chapter:
        return 0
    state.leading = ""
    state.open(state.chapter, heading)
    return 1


def _on_leading_project(state: _State, lines: list[str], i: int) -> int:
    found = leading_heading(lines, i) if state.chapter.startswith("第2章") else None
    if not found:
        return 0
    state.leading = found[0]
    state.open(state.chapter, state.leading)
    return found[1]


def _on_policy(state: _State, lines: list[str], i: int) -> int:
    """A 方針 heading of a leading project: the line above its 取組内容 table."""
    line = lines[i].strip()
    if not (state.leading and line) or "\t" in line or line.startswith("■"):
        return 0
    if not _AIM_TABLE.match(line_at(lines, next_nonblank(lines, i + 1))):
        return 0
    state.open(state.chapter, state.leading, TITLE_MARKS.sub("", line))
    return 1


def _on_activity(state: _State, lines: list[str], i: int) -> int:
    name = compact(lines[i])
    if not state.chapter.startswith("第3章") or name not in state.outline.fields_of_activity:
        return 0
    state.activity, state.direction = name, ""
    state.open(state.chapter, name)
    return 1


def _on_direction(state: _State, lines: list[str], i: int) -> int:
    if not (state.activity and _DIRECTION.match(lines[i].strip())):
        return 0
    state.direction = lines[i].strip()
    return 1


def _measure_path(state: _State, heading: str) -> tuple[str, ...]:
    parts = state.direction.split("-")
    keys = [parts[0], "-".join(parts[:2]), state.direction] if state.direction else []
    names = tuple(state.outline.hierarchy.get(k, k) for k in keys)
    return (state.chapter, state.activity, *names, heading)


def _on_measure(state: _State, lines: list[str], i: int) -> int:
    m = _MEASURE.match(lines[i].strip()) if state.activity else None
    if not m:
        return 0
    name_at = i if m.group(2) else next_nonblank(lines, i + 1)
    # ``施策 11`` is printed alone once, with its name on a later line.
    name = m.group(2) or squeeze(lines[name_at])
    state.open(*_measure_path(state, f"施策 {m.group(1)} {squeeze(name)}"))
    return name_at + 1 - i


def _on_block(state: _State, lines: list[str], i: int) -> int:
    if not lines[i].startswith("事業番号"):
        return 0
    block, consumed = block_at(lines, i, state.current().path)
    state.entries.append(block)
    return consumed


def _on_colophon(state: _State, lines: list[str], i: int) -> int:
    return len(lines) - i if lines[i].strip() == _COLOPHON else 0


def _on_noise(state: _State, lines: list[str], i: int) -> int:
    return 1 if not lines[i].strip() or compact(lines[i]) in _NOISE else 0


def _on_text(state: _State, lines: list[str], i: int) -> int:
    state.current().lines.append(lines[i])
    return 1


_HANDLERS: tuple[_Handler, ...] = (
    _on_colophon,
    _on_noise,
    _on_chapter,
    _on_heading,
    _on_leading_project,
    _on_policy,
    _on_activity,
    _on_direction,
    _on_measure,
    _on_block,
    _on_text,
)
