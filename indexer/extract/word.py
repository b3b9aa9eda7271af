"""Word (.docx) files through python-docx: paragraphs as lines, table rows as tab-separated
cells, in document order."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.table import Table

from indexer.extract.errors import ExtractError


def _row_cells(row: object) -> list[str]:
    """Cell texts of a table row; a cell merged across columns is given once, then as empty
    cells, as a PDF-to-text conversion of the same table prints it."""
    out: list[str] = []
    previous = None
    for cell in row.cells:  # type: ignore[attr-defined]
        same = previous is not None and cell._tc is previous
        out.append("" if same else " ".join(cell.text.split("\n")))
        previous = cell._tc
    return out


def extract(path: Path) -> str:
    """The document's paragraphs and table rows as lines."""
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a file that is not .docx
        raise ExtractError(f"{path.name}: not a readable .docx file ({exc})") from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend("\t".join(_row_cells(row)) for row in block.rows)
        else:
            lines.append(block.text)
    return "\n".join(lines)
