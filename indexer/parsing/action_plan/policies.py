"""The 施策の展開方針 / 施策ごとの取組 tables: one project record per 重点施策・方針 row."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.parsing.action_plan.directions import DIRECTION, Group, group_title
from indexer.parsing.action_plan.drafts import Draft
from indexer.parsing.action_plan.indicators import (
    VALUES_ONLY,
    YEAR_PAREN,
    current_and_target,
    merge_parens,
    value_split,
    with_year,
    year_label,
)
from indexer.records import Field
from indexer.textclean import nfkc, squeeze

_ROW_START = re.compile(r"^重点施\S\s*(\d+)\s*[-－]\s*(\d+)$")
_POLICY = re.compile(r"^方針\s*([0-9０-９]+)\s*(関係)?\s*：\s*(.+)$")
_TABLE_HEADER = re.compile(r"^(?:施策の展開方針|取組\s+関連事業)\s+(\S+)$")
_VALUE_COLUMNS = ("現状値", "目標値")
_PAGE_REF = re.compile(r"\s*Ｐ\.[○〇]$")


@dataclass
class _Row:
    """One 重点施策・方針 row of a project's table, as printed."""

    measure: str
    group: Group | None
    label: str
    years: tuple[str | None, str | None]
    number: str = ""
    kind: str = "方針"
    title: str = ""
    cells: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Indicator:
    business: str | None
    name: str
    current: tuple[str, str | None]
    target: tuple[str, str | None]


@dataclass
class _TableContext:
    """What the 対応 table printed above the current row: group heading and header.

    The header (``施策の展開方針 成果指標`` / ``現状値`` / ``（令和５年度）`` / …) is
    repeated on every page; it names the indicator column and the value years.
    """

    groups: dict[str, Group]
    group: Group | None = None
    label: str = "成果指標"
    years: list[str | None] = field(default_factory=lambda: [None, None])
    awaiting: int = -1  # index into ``years`` after ``現状値`` / ``目標値``

    def consume(self, text: str) -> bool:
        """Take a group heading or header cell and return True; False for row cells."""
        header = _TABLE_HEADER.match(text)
        if group_title(text) in self.groups:
            self.group = self.groups[group_title(text)]
        elif header:
            self.label = header.group(1)
        elif text in _VALUE_COLUMNS:
            self.awaiting = _VALUE_COLUMNS.index(text)
        elif self.awaiting >= 0 and YEAR_PAREN.match(text):
            self.years[self.awaiting] = year_label(text)
            self.awaiting = -1
        elif text not in ("参照", "ページ"):
            return False
        return True

    def new_row(self, measure: str) -> _Row:
        return _Row(measure, self.group, self.label, (self.years[0], self.years[1]))


def policy_rows(texts: list[str], groups: list[Group]) -> list[_Row]:
    """Rows of a 施策の展開方針 / 施策ごとの取組 table, with their group and header."""
    context = _TableContext({g.title: g for g in groups})
    rows: list[_Row] = []
    for text in texts:
        start = _ROW_START.match(text)
        if context.consume(text):
            continue
        if start:
            rows.append(context.new_row(f"{start[1]}-{start[2]}"))
        elif rows:
            _add_cell(rows[-1], text)
    return rows


def _add_cell(row: _Row, text: str) -> None:
    """The ``方針Ｎ：…`` / ``方針Ｎ関係：…`` cell names the row; the rest are its cells."""
    m = _POLICY.match(text)
    if m and not row.title:
        row.number = nfkc(m[1])
        row.kind = "取組" if m[2] else "方針"
        row.title = squeeze(m[3])
    else:
        row.cells.append(text)


def _indicators(row: _Row) -> list[_Indicator]:
    """The row's indicators; each ends with the page reference ``Ｐ.○``.

    One 取組 row lists two 関連事業 with an indicator each, the second without a
    repeated ``重点施策`` cell, so a row may hold several indicators.
    """
    out: list[_Indicator] = []
    current: list[str] = []
    for cell in row.cells:
        ended = bool(_PAGE_REF.search(cell))
        cell = _PAGE_REF.sub("", cell)
        if cell:
            current.append(cell)
        if ended and current:
            out.append(_indicator(current, row))
            current = []
    if current:
        out.append(_indicator(current, row))
    return out


def _split_business(cells: list[str]) -> tuple[str, list[str]]:
    """The 関連事業 cell(s) of a 取組 row: up to the first text ending in ``事業``."""
    for n in range(1, len(cells) + 1):
        if "".join(cells[:n]).endswith("事業"):
            return "".join(cells[:n]), cells[n:]
    return cells[0], cells[1:]


def _split_name_values(cells: list[str]) -> tuple[str, str]:
    """Indicator name and printed values; the values may share the name's line.

    A name split by a stray end-of-block space (``就労支援セミナー等の講座`` /
    ``開催数（ＤＸ人材に関する講座）``) is one cell printed in two blocks: rejoined.
    """
    k = len(cells)
    while k > 0 and VALUES_ONLY.fullmatch(cells[k - 1]):
        k -= 1
    names, values = cells[:k], " ".join(cells[k:])
    split = value_split(names[-1]) if names else None
    if split and split[0]:
        names, values = [*names[:-1], split[0]], f"{split[1]} {values}".strip()
    return "".join(names), values


def _indicator(cells: list[str], row: _Row) -> _Indicator:
    """関連事業 (取組 tables only), indicator name, 現状値 and 目標値 of one indicator."""
    cells = merge_parens(cells)
    business = None
    if row.kind == "取組":
        business, cells = _split_business(cells)
    name, values = _split_name_values(cells)
    current, target = current_and_target(values)
    return _Indicator(
        business, name, with_year(current, row.years[0]), with_year(target, row.years[1])
    )


def row_draft(project: str, row: _Row, measures: dict[str, str]) -> Draft:
    """A project record ``1-1 方針2``, named after its 方針 (or 取組), under its project.

    The row's own text is its 方針 and indicators. The 取組の方向性 group it stands
    under is printed once for several rows: the record keeps it as ``shared`` fields,
    indexed once on the 基本的方向 section of the project, so that cards of different
    rows do not show that same text as their evidence.
    """
    title = f"重点施策 {row.measure} {measures.get(row.measure, '')}".strip()
    fields = [Field(row.kind, row.title)]
    for ind in _indicators(row):
        if ind.business:
            fields.append(Field("関連事業", ind.business))
        fields.append(Field(row.label, ind.name))
        fields.append(Field("現状値", *ind.current))
        fields.append(Field("目標値", *ind.target))
    if row.group:
        group = f"{row.group.title}\n{row.group.description}"
        fields.append(Field(DIRECTION, group, shared=True))
        fields.append(Field("主な取組", row.group.actions, shared=True))
    kept = tuple(f for f in fields if f.text.strip())
    return Draft((project, title), kept, f"{row.measure} 方針{row.number}", row.title or None)
