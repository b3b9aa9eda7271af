"""The walk over a document's lines: headings kept on a stack, each project opened by its
start line and filled with the label–value rows that follow, other text kept per heading."""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.parsing.generic.lines import (
    DEPARTMENT_LABELS,
    NAME_LABELS,
    Columns,
    Heading,
    Start,
    cells_of,
    column_start,
    columns_of,
    filled,
    heading_of,
    labelled_start,
    ordinal_start,
    row_start,
    year_of,
)
from indexer.parsing.generic.numbers import qualify
from indexer.records import Field

MAX_LABEL = 20
# The first cell of a row with values beside it names them even when long (a form's row
# title with its instructions: 取組状況 ※継続した取組の場合…).
MAX_ROW_LABEL = 120
MAX_FIELD_NAME = 40
# A cell of a row of year columns holds the year and little else (令和4年度, R4年度 見込).
MAX_YEAR_CELL = 12
MAX_PAIR_LABEL = 12
# A 事業名 row names the project when it comes right under the start line.
NAME_ROWS = 2
_BULLETS = ("・", "●", "◆", "■", "○", "-", "※", "<", "(", "（")


def is_label(cell: str, longest: int = MAX_LABEL) -> bool:
    """A cell that names the value beside it (``実施目的``), not a sentence or an item."""
    return (
        bool(cell)
        and len(cell) <= longest
        and not cell.endswith("。")
        and not cell.startswith(_BULLETS)
        and not cell[0].isdigit()
    )


def field_name(label: str) -> str:
    """A row label as a field name: without the note a form prints after ``※``."""
    return label.split("※")[0].strip()[:MAX_FIELD_NAME] or label[:MAX_FIELD_NAME]


def _pairs(cells: list[str]) -> list[tuple[str, str]]:
    """``[label, value, label, value]`` as pairs, when it has that shape."""
    if len(cells) < 4 or len(cells) % 2:
        return []
    labels = cells[0::2]
    if not all(is_label(c) and len(c) <= MAX_PAIR_LABEL for c in labels):
        return []
    return list(zip(labels, cells[1::2], strict=True))


@dataclass
class Block:
    """A project being read: its start, qualified number, place and fields so far."""

    number: str
    name: str | None
    department: str | None
    path: tuple[str, ...]
    printed: str = ""  # the number as printed, before qualification
    contents: bool = False  # opened by a row of a table listing projects
    width: int = 0  # of the start line of a 方針２：… whose name may run on, else 0
    last: int = 0  # length of the last line of the name
    fields: list[Field] = field(default_factory=list)
    label: str = "本文"
    years: dict[int, str] = field(default_factory=dict)
    read: int = 0  # lines of text read after the start line

    def add(self, cells: list[str]) -> None:
        """One line of the project's text: a field, a row of a per-year table, or more of
        the last field."""
        if self._year_header(cells) or self._year_row(cells):
            return
        texts = filled(cells)
        if not texts:
            return
        first = cells[0]
        self.read += 1
        if first in NAME_LABELS and len(texts) >= 2 and self.read <= NAME_ROWS:
            # A labelled name under the start line outranks a cell of the start line; further
            # down, 事業名 heads a table of related work, not this project's name.
            self.name = texts[1]
        elif first in DEPARTMENT_LABELS and len(texts) >= 2:
            self.department = self.department or texts[1]
        elif is_label(first, MAX_ROW_LABEL) and len(texts) >= 2:
            pairs = _pairs(texts[1:])
            for name, text in pairs or [(field_name(first), " | ".join(texts[1:]))]:
                self.fields.append(Field(*year_of(name)[:1], text, year_of(name)[1]))
            self.label = field_name(first)
        elif self._name_piece(texts):
            self.name = f"{self.name}{texts[0]}"
        elif self.fields:
            last = self.fields[-1]
            self.fields[-1] = Field(last.name, f"{last.text}\n{' | '.join(texts)}", last.year)
        else:
            self.fields.append(Field(self.label, " | ".join(texts)))

    def _name_piece(self, texts: list[str]) -> bool:
        """A line that goes on with a name cut by a narrow column (方針１：結婚、出産、子 /
        育てまでの切れ目のな / い支援): it follows a line that filled the column, and fits it."""
        fits = (
            self.width > 0
            and not self.fields
            and self.name is not None
            and len(texts) == 1
            and len(texts[0]) <= self.width
            and self.last >= self.width - 1
        )
        if fits:
            self.last = len(texts[0])
        return fits

    def _year_header(self, cells: list[str]) -> bool:
        """A row of year columns (``事業計画 | 令和3年度 | | 令和4年度``): the fields below it
        are per year."""
        found = {i: year_of(c)[1] for i, c in enumerate(cells) if c and len(c) <= MAX_YEAR_CELL}
        years = {i: y for i, y in found.items() if y}
        if len(years) < 2:
            return False
        if cells[0] and 0 not in years:
            self.label = cells[0]
        self.years = years
        return True

    def _year_row(self, cells: list[str]) -> bool:
        """A row under year columns: one field per year. Its label is its first cell or,
        when that is empty, the label above (an item of a 事業行程 table)."""
        if not self.years:
            return False
        values = {i: cells[i] for i in self.years if i < len(cells) and cells[i]}
        labelled = bool(cells[0]) and is_label(cells[0], MAX_ROW_LABEL)
        if not values or (cells[0] and not labelled):
            self.years = {}
            return False
        label = field_name(cells[0]) if labelled else self.label
        item = " ".join(c for i, c in enumerate(cells[1:], 1) if c and i not in self.years)
        for i, text in values.items():
            self.fields.append(Field(label, f"{item}: {text}" if item else text, self.years[i]))
        return True


@dataclass
class Section:
    """Text outside projects under one heading path."""

    path: tuple[str, ...]
    lines: list[str] = field(default_factory=list)


@dataclass
class Walk:
    """State of the walk; ``items`` are the blocks and sections in document order."""

    stack: list[Heading] = field(default_factory=list)
    columns: Columns | None = None
    header: list[str] = field(default_factory=list)
    block: Block | None = None
    section: Section | None = None
    items: list[Block | Section] = field(default_factory=list)

    def path(self) -> tuple[str, ...]:
        return tuple(h.label for h in self.stack)

    def feed(self, line: str) -> None:
        """Read one line."""
        if not line.strip():
            # A table ends at a blank line, and with it a project that is one of its rows.
            self.columns = None
            if self.block is not None and self.block.contents:
                self._close()
            return
        heading = heading_of(line)
        if heading is not None:
            self._close()
            self._push(heading)
            return
        cells = cells_of(line)
        start = labelled_start(line) or ordinal_start(line)
        columns = None if start else columns_of(cells)
        if columns is not None:
            self._close()
            self.columns, self.header = columns, cells
            return
        if start is None and self.columns is not None:
            start = column_start(cells, self.columns)
        if start is None and self.header:
            start = row_start(cells, self.header)
        if start is not None:
            self._open(start, line)
            return
        if len(filled(cells)) >= 3 and all(len(c) <= MAX_LABEL for c in filled(cells)):
            self.header = cells
        if self.block is not None:
            self.block.add(cells)
        else:
            self._text(" | ".join(filled(cells)))

    def _push(self, heading: Heading) -> None:
        schemes = [h.scheme for h in self.stack]
        if heading.scheme in schemes:
            del self.stack[schemes.index(heading.scheme) :]
        self.stack.append(heading)
        self.header = []

    def _open(self, start: Start, line: str) -> None:
        self._close()
        parents = [h.number for h in reversed(self.stack) if h.scheme != "chapter"]
        number = qualify(start.number, parents)
        self.block = Block(
            number, start.name, start.department, self.path(), start.number, start.contents
        )
        if start.ordinal:
            self.block.width = self.block.last = len(line.strip())
        for name, text in start.pairs:
            self.block.fields.append(Field(year_of(name)[0], text, year_of(name)[1]))

    def _text(self, text: str) -> None:
        if self.section is None or self.section.path != self.path():
            self.section = Section(self.path())
            self.items.append(self.section)
        self.section.lines.append(text)

    def _close(self) -> None:
        if self.block is not None:
            self.items.append(self.block)
        self.block = None
        self.section = None

    def finish(self) -> list[Block | Section]:
        """Every block and section read."""
        self._close()
        return self.items
