"""Cell, list and line helpers for the 中期戦略事業プラン text."""

from __future__ import annotations

import re

from indexer.parsing.common import break_items, cells, compact, one_line

_HTML_TAG = re.compile(r"</?(?:ul|li|p)\b[^>]*>")
_BULLET = re.compile(r"(?:^|\s+)[・●•]\s*")
_SENTENCE_END = re.compile(r"(?<=。)\s+")
# Marks around titles: ``■プロジェクトの狙い■``, ``● …``, ``▶ …``.
TITLE_MARKS = re.compile(r"^[■●▶]\s*|\s*■$")


def flat(cell: str) -> str:
    """A cell as one line: list markup removed, spaces collapsed."""
    return one_line(_HTML_TAG.sub(" ", cell))


def row_cells(line: str) -> list[str]:
    """Non-empty cells of a tab-separated row, flattened."""
    return cells(line, flat)


def list_items(text: str) -> str:
    """A 事業内容 list as one item per line.

    The converter dropped the ``<li>`` tags: items are separated by a space and
    start with ・, ● or •, or have no bullet at all, in which case each sentence
    (ending in 。) is an item.
    """
    text = flat(text)
    return break_items(text, _BULLET if _BULLET.search(text) else _SENTENCE_END)


def join_wrapped(parts: list[str]) -> str:
    """Join a name wrapped over lines: no space inside Japanese, one space otherwise."""
    out = ""
    for part in (p.strip() for p in parts):
        if out and part and (out[-1].isascii() or part[0].isascii()):
            out += " "
        out += part
    return one_line(out)


def canonical_label(label: str) -> str:
    """Field name from a printed label: letter spacing and paren width removed."""
    name = compact(label).replace("（", "(").replace("）", ")")
    return re.sub(r"^目標([①-⑳])$", r"目標 \1", name)


def next_nonblank(lines: list[str], i: int) -> int:
    """Index of the first non-blank line at or after ``i`` (``len(lines)`` if none)."""
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def line_at(lines: list[str], i: int) -> str:
    """``lines[i]`` stripped, or "" past the end."""
    return lines[i].strip() if i < len(lines) else ""
