"""Rejoining the PDF's wrapped lines into text blocks, and the chapters they form.

The converter ends every text block (a paragraph, a heading, a table cell) with a
space, while a line wrapped by the PDF layout has none; that trailing space is the one
reliable signal for putting wrapped text back together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from indexer.parsing.common import group_under
from indexer.textclean import nfkc, squeeze

# Lines that always begin a new text block, even when the previous line was wrapped:
# chapter and subsection headings, ◼/➢ headings, figure titles, footnotes, table rows.
_BLOCK_START = re.compile(
    r"^(?:[０-９]\s|（[０-９]）|◼|➢|【|※|重点施\S\s*\d|方針\s*[0-9０-９]+(?:関係)?：|主な取組：)"
)
_PAGE_NUMBER = re.compile(r"\s*\d{1,3}\s*")
_LONE_PUNCT = re.compile(r"\s*[。、]\s*")
_RUBY = re.compile(r"[ぁ-ゖ]{2,8}")
_KANJI_END = re.compile(r"[\u4e00-\u9fff々]$")
_FOOTNOTE = re.compile(r"^※[^：。]{1,40}：")
_CHAPTER = re.compile(r"^\s*[０-９]\s+\S+\s*$")


@dataclass(frozen=True)
class Line:
    """One text block after rejoining: its text and the raw lines it came from.

    ``closed`` is False when the block never saw a trailing space (diagram labels,
    which the converter left without the end-of-block marker).
    """

    text: str
    raw: tuple[str, ...]
    closed: bool = True

    @property
    def parts(self) -> list[str]:
        """The printed lines of the block, stripped."""
        return [r.strip() for r in self.raw]


def _is_noise(raw: str, pending: Sequence[str]) -> bool:
    """Blank lines, page numbers, a stray ``。`` and furigana lines carry no text.

    The ruby (reading) of a word is printed on its own line right after the wrapped
    line ending in that word: ``デジタル化を牽引`` / ``けんいん`` / ``する人材…``.
    """
    if not raw.strip() or _PAGE_NUMBER.fullmatch(raw) or _LONE_PUNCT.fullmatch(raw):
        return True
    return bool(pending and _RUBY.fullmatch(raw) and _KANJI_END.search(pending[-1].rstrip()))


def _block(raw: list[str], closed: bool) -> Line:
    return Line(squeeze("".join(r.strip() for r in raw)), tuple(raw), closed)


def logical_lines(raw_lines: Iterable[str]) -> list[Line]:
    """Rejoin PDF-wrapped lines into text blocks (paragraph lines, headings, cells).

    A line without trailing whitespace was wrapped by the layout and continues on
    the next non-blank line; a line ending in whitespace ends its block. A line
    that starts a heading, a footnote or a table row is never glued to the previous
    one, so two cells or two headings never merge.
    """
    out: list[Line] = []
    pending: list[str] = []
    for raw in raw_lines:
        if _is_noise(raw, pending):
            continue
        if pending and _BLOCK_START.match(raw.strip()):
            out.append(_block(pending, closed=False))
            pending = []
        pending.append(raw)
        if raw != raw.rstrip():
            out.append(_block(pending, closed=True))
            pending = []
    if pending:
        out.append(_block(pending, closed=False))
    return out


def rejoin_wrapped(raw_lines: Iterable[str]) -> list[str]:
    """Texts of :func:`logical_lines`: one string per paragraph line, heading or cell."""
    return [line.text for line in logical_lines(raw_lines)]


def _is_prose_stop(text: str) -> bool:
    return text.startswith(("【", "※"))


def join_paragraphs(lines: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split leading prose from what follows it (a table, a figure, footnotes).

    Paragraphs end with ``。``. A few paragraph lines end in a real space although
    the sentence goes on (``「えがお咲く未来へ `` / ``持続可能な…目指します。``), so a
    line that does not end a sentence is joined to the next one when that one does.
    Returns the paragraphs and the remaining lines.
    """
    paragraphs: list[str] = []
    carried = ""  # a line whose sentence ends on the next one
    for i, text in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if _is_prose_stop(text):
            return paragraphs, list(lines[i:])
        if text.endswith("。"):
            paragraphs.append(carried + text)
            carried = ""
        elif following.endswith("。") and not _is_prose_stop(following):
            carried = text
        else:
            return paragraphs, list(lines[i:])
    return paragraphs, []


def is_footnote(text: str) -> bool:
    """``※term：explanation`` at a page bottom (not ``※当該年度の平均値`` in a cell)."""
    return bool(_FOOTNOTE.match(text))


class Chapter(NamedTuple):
    """A numbered chapter: heading, raw lines and rejoined lines."""

    heading: str
    raw: list[str]
    lines: list[Line]


def split_chapters(raw_lines: Sequence[str]) -> dict[str, Chapter]:
    """Chapters by ASCII number (``"1"`` for ``１ 重点プロジェクトとは`` …)."""
    groups = group_under(raw_lines, lambda r: squeeze(r) if _CHAPTER.match(r) else None)
    return {nfkc(h[0]): Chapter(h, raw, logical_lines(raw)) for h, raw in groups}
