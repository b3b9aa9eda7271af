"""Text of the 実施計画 that is not a project: section records and table rows as lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from indexer.parsing.common import cells, join_cells, row_cells
from indexer.records import Field, table_field
from indexer.textclean import squeeze

Row = tuple[str, ...]


@dataclass
class _Part:
    """A named run of lines, with the table cells of each line (``None`` for prose)."""

    name: str
    lines: list[str] = field(default_factory=list)
    rows: list[Row | None] = field(default_factory=list)

    def field(self) -> Field | None:
        """The run as a field; a run of table rows only keeps them as ``rows`` too."""
        text = squeeze("\n".join(self.lines))
        if not text:
            return None
        table = [r for r in self.rows if r is not None]
        if len(table) < 2 or len(table) < len(self.rows):
            return Field(self.name, text)
        width = max(map(len, table))
        kept = [(*r, *[""] * (width - len(r))) for r in table]
        # The text was made from the same cells; rows are kept only when they read the same.
        same = squeeze(table_field(self.name, kept).text) == text
        return Field(self.name, text, rows=tuple(kept)) if same else Field(self.name, text)


@dataclass
class Section:
    """Accumulates one non-project record: its path and named runs of lines."""

    path: tuple[str, ...]
    parts: list[_Part] = field(default_factory=list)

    def open(self, name: str) -> None:
        self.parts.append(_Part(name))

    def add(self, line: str, row: Row | None = None) -> None:
        """A line of text; ``row`` its table cells as printed (empty ones kept) if it is a row."""
        if not self.parts:
            self.open("本文")
        self.parts[-1].lines.append(line)
        self.parts[-1].rows.append(row)

    def fields(self) -> tuple[Field, ...]:
        return tuple(f for f in (p.field() for p in self.parts) if f)


def table_row(line: str) -> Row | None:
    """The cells of a tab-separated row, empty ones kept in place; ``None`` for prose."""
    return tuple(row_cells(line)) if "\t" in line else None


def rows_text(lines: Sequence[str]) -> str:
    """Table rows as lines with non-empty cells joined by `` | ``; prose lines unchanged."""
    return squeeze("\n".join(join_cells(cells(line)) for line in lines))


def content_lines(lines: Sequence[str]) -> list[str]:
    """Non-blank lines without the ``- …`` lists that repeat the part's contents.

    Only spaces are stripped: a leading tab marks a table row whose first cell is empty.
    """
    stripped = (ln.strip(" \u3000\r") for ln in lines)
    return [ln for ln in stripped if ln.strip() and not ln.startswith("- ")]
