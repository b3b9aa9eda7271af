"""第1部 実施計画の概要: one section per chapter, and the まちづくり重点プログラム legend."""

from __future__ import annotations

import re
from collections.abc import Sequence

from indexer.parsing.jisshi.sections import Section, content_lines, rows_text

_CHAPTER = re.compile(r"^\d+ [^\t]+$")
_PROGRAM_LEGEND = re.compile(r"^(?P<name>\S+プログラム) …+ (?P<tag>重点\d)$", re.MULTILINE)


def overview_sections(heading: str, lines: Sequence[str]) -> list[Section]:
    """One section per chapter of 第1部; sub-headings (基本構想, ■ …) name its fields."""
    body = content_lines(lines)
    sections: list[Section] = []
    for i, line in enumerate(body):
        following = body[i + 1] if i + 1 < len(body) else ""
        if _CHAPTER.match(line):
            sections.append(Section((heading, line)))
            continue
        if not sections:
            sections.append(Section((heading,)))
        if _is_subheading(line, following):
            sections[-1].open(line.removeprefix("■ "))
        else:
            sections[-1].add(rows_text([line]))
    return sections


def _is_subheading(line: str, following: str) -> bool:
    """A short label line (``基本構想``, ``■ まちづくり重点プログラム``) heading prose."""
    if "\t" in line or re.search(r"[。、…]", line) or len(line) > 20:
        return False
    return line.startswith("■ ") or following.endswith("。")


def program_legend(text: str) -> dict[str, str]:
    """``重点1`` → ``夢・希望応援プログラム``, from the legend in 第1部."""
    return {m.group("tag"): m.group("name") for m in _PROGRAM_LEGEND.finditer(text)}
