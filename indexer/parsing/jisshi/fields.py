"""The 事業概要 and 事業計画 rows of a 第3部 project block, as fields.

The PDF conversion shifts cells, so texts are attributed by the label they follow and
by column (see ``overview_fields`` and ``_assign_years``).
"""

from __future__ import annotations

import re

from indexer.parsing.common import html_list_items, non_empty
from indexer.records import Field
from indexer.textclean import squeeze, strip_html_lists

_YEAR = re.compile(r"^令和\S+年度$")
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_BULLET = re.compile(r"\s*([●○])")

_PURPOSE, _METHOD = "実施目的", "具体的方法"


# --------------------------------------------------------------------------- 事業概要


def overview_fields(rows: list[list[str]]) -> list[Field]:
    """実施目的 and 具体的方法 from the label row and its continuation row.

    The conversion puts texts either on the label row, right after the label they
    belong to, or on the next row, 実施目的 first. Both happen in one block: 具体的方法 on
    the label row and a lone 実施目的 on the next (事業番号 121, 127, 202). When the
    labels are adjacent with one text after them (事業番号 19, 20 …), the text follows
    具体的方法 and reads as a method, so it is kept there and no 実施目的 is made up.
    """
    texts: dict[str, list[str]] = {_PURPOSE: [], _METHOD: []}
    current: list[str] | None = None
    for cell in (c.strip() for c in rows[0][1:]):
        if cell in texts:
            current = texts[cell]
        elif cell and current is not None:
            current.append(cell)
    for row in rows[1:]:
        filled = non_empty(row)
        texts[_PURPOSE] += filled[:1]
        texts[_METHOD] += filled[1:]
    _split_merged_paragraphs(texts)
    return [Field(name, _prose(parts)) for name, parts in texts.items() if _prose(parts)]


def _split_merged_paragraphs(texts: dict[str, list[str]]) -> None:
    """Undo a merged cell ``<p>実施目的</p> <p>具体的方法</p>`` (事業番号 211–213, 249 …).

    In some blocks the converter put both texts into the cell after 具体的方法, one
    ``<p>`` paragraph each; with two paragraphs and no 実施目的, the first is the 実施目的.
    """
    if texts[_PURPOSE] or len(texts[_METHOD]) != 1:
        return
    paragraphs = [p.strip() for p in _PARAGRAPH.findall(texts[_METHOD][0]) if p.strip()]
    if len(paragraphs) >= 2:
        texts[_PURPOSE], texts[_METHOD] = paragraphs[:1], paragraphs[1:]


def _prose(parts: list[str]) -> str:
    """Cell texts as plain lines (``<p>`` paragraphs become lines, spaces squeezed)."""
    return squeeze("\n".join(strip_html_lists(p) for p in parts))


# --------------------------------------------------------------------------- 事業計画


def plan_years(text: str) -> tuple[str, ...]:
    """The fiscal years of the 事業計画 columns (令和3年度 … 令和5年度), in printed order."""
    years: list[str] = []
    for line in text.split("\n"):
        if line.startswith("事業計画\t"):
            years += [c.strip() for c in line.split("\t") if _YEAR.match(c.strip())]
    return tuple(dict.fromkeys(years))


def plan_fields(rows: list[list[str]], plan_years: tuple[str, ...]) -> list[Field]:
    """One ``事業計画`` field per fiscal year that has content, in year order."""
    per_year: dict[str, list[str]] = {}
    grid: dict[int, str] = {}
    for row in rows:
        cells = [(i, c.strip()) for i, c in enumerate(row) if i > 0 and c.strip()]
        labels = {i: c for i, c in cells if _YEAR.match(c)}
        if labels:
            # A year label on a later row means the table wrapped (事業番号 28, 124, 136).
            grid = labels
        body = [(i, c) for i, c in cells if i not in labels]
        for year, cell in _assign_years(body, grid, plan_years):
            cells_of_year = per_year.setdefault(year, [])
            if cell not in cells_of_year:  # a cell printed twice (事業番号 26, 27)
                cells_of_year.append(cell)
    order = {year: n for n, year in enumerate(plan_years)}
    years = sorted(per_year, key=lambda year: order.get(year, len(order)))
    texts = ((year, "\n".join(_plan_lines(c) for c in per_year[year])) for year in years)
    return [Field("事業計画", text, year) for year, text in texts if text]


def _assign_years(
    body: list[tuple[int, str]], grid: dict[int, str], plan_years: tuple[str, ...]
) -> list[tuple[str, str]]:
    """Year of each text cell of a 事業計画 row, from the column of the year labels.

    Texts normally sit in the columns of their labels. When a year label was lost in
    conversion (事業番号 142, 144 print only 令和3年度 and 令和4年度 above three texts),
    a row with one text per plan year is read in year order. Otherwise an off-grid text
    belongs to the nearest label on its left: a repeated cell (事業番号 26, 27) or the
    sub-list of the previous year (事業番号 201).
    """
    if not body or not grid:
        return []
    if all(i in grid for i, _ in body):
        return [(grid[i], text) for i, text in body]
    if len(body) == len(plan_years) > len(grid):
        return list(zip(plan_years, (text for _, text in body), strict=True))
    columns = sorted(grid)
    return [(grid[max([c for c in columns if c <= i] or columns[:1])], text) for i, text in body]


def _plan_lines(cell: str) -> str:
    """A plan cell as one item per line: HTML lists stripped, run-on ●/○ items split."""
    return html_list_items(cell, _BULLET, r"\n\1")
