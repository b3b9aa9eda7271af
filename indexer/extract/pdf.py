"""PDF with a text layer, through pdfplumber (pdfminer.six underneath).

Ruled tables (the usual layout of a 実施計画 sheet) come out as one line per row with the
cells separated by tabs, empty cells included, so a row keeps its columns as in the texts of
the original corpus. Text outside tables is grouped into lines by position; a wide gap on a
line (an unruled table) becomes a tab too. Page order, then top to bottom.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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


def _inside(obj: Char, box: Box) -> bool:
    x0, top, x1, bottom = box
    mid_x = (obj["x0"] + obj["x1"]) / 2
    mid_y = (obj["top"] + obj["bottom"]) / 2
    return x0 <= mid_x <= x1 and top <= mid_y <= bottom


def _cell(text: str | None) -> str:
    """A cell's text on one line: a line broken inside a Japanese cell joins without a space."""
    if not text:
        return ""
    parts = [p.strip() for p in text.split("\n")]
    out = parts[0]
    for part in parts[1:]:
        ascii_join = out[-1:].isascii() and part[:1].isascii() and out and part
        out += (" " if ascii_join else "") + part
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


def _lines(chars: Iterable[Char]) -> Iterator[tuple[float, str]]:
    """(top, text) of each line of loose characters."""
    line: list[Char] = []
    for ch in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        if line and abs(ch["top"] - line[0]["top"]) > LINE_TOLERANCE:
            yield line[0]["top"], _join_chars(line)
            line = []
        line.append(ch)
    if line:
        yield line[0]["top"], _join_chars(line)


def _page_lines(page: Any) -> list[str]:
    """The page's tables (a line per row) and other lines, top to bottom."""
    tables = page.find_tables()
    items: list[tuple[float, str]] = []
    for table in tables:
        for row, cells in zip(table.rows, table.extract(), strict=False):
            items.append((row.bbox[1], "\t".join(_cell(c) for c in cells)))
    boxes = [t.bbox for t in tables]
    loose = [c for c in page.chars if not any(_inside(c, b) for b in boxes)]
    items.extend(_lines(loose))
    return [text for _, text in sorted(items, key=lambda item: item[0])]


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
