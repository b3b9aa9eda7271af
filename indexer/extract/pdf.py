"""PDF with a text layer, through pdfplumber (pdfminer.six underneath).

Ruled tables (the usual layout of a 実施計画 sheet) come out as one line per row with the
cells separated by tabs, empty cells included, so a row keeps its columns as in the texts of
the original corpus. Text outside tables is grouped into lines by position; a wide gap on a
line (an unruled table) becomes a tab too. Page order, then top to bottom.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from indexer.extract.errors import ExtractError, NoTextLayerError

Box = tuple[float, float, float, float]
Char = dict[str, Any]

# Characters whose tops differ by less than this (points) sit on one line.
LINE_TOLERANCE = 2.0
# A gap wider than this many character widths separates two cells of an unruled table.
CELL_GAP = 2.0
# A gap wider than this many character widths is a space between words.
WORD_GAP = 0.2
# A vertical gap wider than this (points) between two lines is a blank line: paragraphs and
# tables apart, as the converted texts of the corpus separate them.
BLANK_GAP = 3.0
# A line in a cell that stops more than this many character widths before the cell's widest
# line was not broken by the width.
WRAP_SLACK = 1.5


def _inside(obj: Char, box: Box) -> bool:
    x0, top, x1, bottom = box
    mid_x = (obj["x0"] + obj["x1"]) / 2
    mid_y = (obj["top"] + obj["bottom"]) / 2
    return x0 <= mid_x <= x1 and top <= mid_y <= bottom


def _cell(chars: list[Char], box: Box | None) -> str:
    """A cell's text on one line. A line as wide as the cell's widest was broken by the
    width, and Japanese joins on without a space; a line that stopped short ended at a space
    (or an item), and gets it back."""
    if box is None:  # covered by a merged cell
        return ""
    lines = list(_lines(c for c in chars if _inside(c, box)))
    edge = max((line.right for line in lines), default=0.0)
    out = ""
    for previous, line in zip([None, *lines], lines, strict=False):
        if previous is not None:
            short = edge - previous.right > WRAP_SLACK * line.size
            ascii_join = out[-1].isascii() and line.text[:1].isascii()
            out += " " if short or ascii_join else ""
        out += line.text
    return out


def _join_chars(chars: list[Char]) -> str:
    """One line of characters, left to right, with a space or a tab where the gap says so."""
    out = ""
    previous: Char | None = None
    for ch in sorted(chars, key=lambda c: c["x0"]):
        if previous is not None:
            gap = ch["x0"] - previous["x1"]
            size = max(previous["size"], 1.0)
            if gap > CELL_GAP * size:
                out = out.rstrip(" ") + "\t"
            elif gap > WORD_GAP * size and ch["text"] != " " and not out.endswith(" "):
                out += " "
        if not (ch["text"] == " " and out.endswith(("\t", " "))):
            out += ch["text"]
        previous = ch
    return out.strip(" ")


@dataclass(frozen=True)
class Line:
    """One line of text on the page and where it sits."""

    top: float
    bottom: float
    right: float
    size: float
    text: str


def _line(chars: list[Char]) -> Line:
    return Line(
        min(c["top"] for c in chars),
        max(c["bottom"] for c in chars),
        max(c["x1"] for c in chars),
        max(c["size"] for c in chars),
        _join_chars(chars),
    )


def _lines(chars: Iterable[Char]) -> Iterator[Line]:
    """Each line of loose characters."""
    line: list[Char] = []
    for ch in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        if line and abs(ch["top"] - line[0]["top"]) > LINE_TOLERANCE:
            yield _line(line)
            line = []
        line.append(ch)
    if line:
        yield _line(line)


def _with_blank_lines(items: list[Line]) -> list[str]:
    """The lines top to bottom, a blank line where the page leaves a gap."""
    out: list[str] = []
    bottom: float | None = None
    for line in sorted(items, key=lambda item: item.top):
        if bottom is not None and line.top - bottom > BLANK_GAP:
            out.append("")
        out.append(line.text)
        bottom = line.bottom if bottom is None else max(bottom, line.bottom)
    return out


def _page_lines(page: Any) -> list[str]:
    """The page's tables (a line per row) and other lines, top to bottom."""
    tables = page.find_tables()
    items: list[Line] = []
    boxes = [t.bbox for t in tables]
    for table, box in zip(tables, boxes, strict=True):
        chars = [c for c in page.chars if _inside(c, box)]
        for row in table.rows:
            text = "\t".join(_cell(chars, cell) for cell in row.cells)
            items.append(Line(row.bbox[1], row.bbox[3], row.bbox[2], 0.0, text))
    loose = [c for c in page.chars if not any(_inside(c, b) for b in boxes)]
    items.extend(_lines(loose))
    return _with_blank_lines(items)


def extract(path: Path) -> str:
    """The PDF's text layer as corpus lines; a PDF without one is refused."""
    try:
        with pdfplumber.open(path) as pdf:
            has_text = any(page.chars for page in pdf.pages)
            if not has_text:
                raise NoTextLayerError(
                    f"{path.name}: the PDF has no text layer (a scan?); run OCR on it first "
                    "(e.g. `ocrmypdf --language jpn in.pdf out.pdf`) and add the result"
                )
            pages = [_page_lines(page) for page in pdf.pages]
    except ExtractError:
        raise
    except (PDFSyntaxError, PdfminerException, ValueError, KeyError) as exc:
        raise ExtractError(f"{path.name}: not a readable PDF ({exc})") from exc
    return "\n\n".join("\n".join(lines) for lines in pages)
