"""Text of the 実施計画 that is not a project: section records and table rows as lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from indexer.parsing.common import cells, join_cells
from indexer.records import Field
from indexer.textclean import squeeze


@dataclass
class Section:
    """Accumulates one non-project record: its path and named runs of lines."""

    path: tuple[str, ...]
    parts: list[tuple[str, list[str]]] = field(default_factory=list)

    def open(self, name: str) -> None:
        self.parts.append((name, []))

    def add(self, line: str) -> None:
        if not self.parts:
            self.open("本文")
        self.parts[-1][1].append(line)

    def fields(self) -> tuple[Field, ...]:
        texts = ((name, squeeze("\n".join(lines))) for name, lines in self.parts)
        return tuple(Field(name, text) for name, text in texts if text)


def rows_text(lines: Sequence[str]) -> str:
    """Table rows as lines with non-empty cells joined by `` | ``; prose lines unchanged."""
    return squeeze("\n".join(join_cells(cells(line)) for line in lines))


def content_lines(lines: Sequence[str]) -> list[str]:
    """Non-blank lines without the ``- …`` lists that repeat the part's contents.

    Only spaces are stripped: a leading tab marks a table row whose first cell is empty.
    """
    stripped = (ln.strip(" \u3000\r") for ln in lines)
    return [ln for ln in stripped if ln.strip() and not ln.startswith("- ")]
