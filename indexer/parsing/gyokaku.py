"""Parser for 伊勢崎市行政改革推進計画取組結果報告書 (doc id ``isesaki-gyokaku-r2-r5``).

Layout of the converted PDF, top to bottom:

* Cover page (title, ``[令和2年度～令和5年度]``, ``伊 勢 崎 市``, the empty
  ``【行政改革体系図】`` page) — skipped.
* ``《 目 次 》``: the only place where the five 大項目 are printed
  (``1 効率的で効果的な行政運営`` …).  Under each, 中項目 headings ``(1) …`` and a
  table ``No. | 取組項目 | ページ`` listing the 取組項目 as ``① | name | 1``; items added
  later carry ``R3追加`` before the page number.
* A legend table explaining the per-year result table — one section record.
* The body, which never prints the 大項目 headings again: a 大項目 starts where the
  中項目 numbering restarts at ``(1)``, and the paragraph just before that heading is
  the 大項目's introduction.  Each ``(n)`` heading is followed by its introduction and
  by one block per 取組項目:

  - ``No. | ① | 取組項目 | name`` (twice glued as ``No. | ① 取組項目 | name``),
  - label rows ``担当部課``, ``取組内容``, ``5年後までの目標 (目指すべき姿)``,
  - the plan table ``取組工程``: a header ``具体的な取組事項 | 令和2年度 … 令和6年度``
    and one row per planned step,
  - the result table: a header ``令和2年度 … 令和6年度`` and the rows
    ``財政効果額(歳入)``, ``財政効果額(歳出)``, ``取組状況``, ``取組成果``,
    ``取組達成度`` and ``取組課題と次年度以降の方針`` with one cell per year.

  Both tables are aligned by tab position, but the number of empty leading cells
  varies from block to block, so columns are mapped through their own header row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from indexer.parsing.common import cells, html_list_items, join_cells, one_line, unique_keys
from indexer.records import DocumentInfo, Field, Project, project_record, section_record
from indexer.textclean import squeeze

_TOC_START = "《 目 次 》"
_TOC_MAJOR = re.compile(r"^(\d)\s+(\S.*)$")
_TOC_ITEM = re.compile(r"^([①-⑳])\t([^\t]+)\t(?:(R\d+追加)\s*)?\d+\s*$")
_MIDDLE = re.compile(r"^\((\d+)\)\s*(\S[^\t]*)$")
# ``No. | ① | 取組項目 | name`` — or, in two blocks, ``No. | ① 取組項目 | name``.
_ITEM_HEAD = re.compile(r"^No\.\t([①-⑳])[\t ]*取組項目\t([^\t]+)")
_YEAR = re.compile(r"^令和\d+年度$")
_PLAN_HEADER = re.compile(r"具体的な\s*取組事項")
_PLAN_LABEL = re.compile(r"^取組\s*工程\s*")
# Boilerplate notes printed inside the result-table labels, e.g.
# ``取組状況 ※継続した取組の場合…``, ``取組達成度 ◎:計画以上 …``.
_LABEL_NOTE = re.compile(r"\s*(?:※|\(単位|\(取組達成度|[◎○△×]:).*$")
_UNIT = re.compile(r"\(単位:([^)]+)\)")
_LEGEND_PAIR = re.compile(r"([◎○△×]):(\S+)")
_NO_VALUE = re.compile(r"^[—\-－―]$")
# Lists inside one cell lost their line breaks (``<ul>`` without ``<li>``, or plain
# text): a new item starts before a bullet / circled number / note mark, or after 。.
_ITEM_BREAK = re.compile(r"\s+(?=[・①-⑳○●■◆※【〈])|(?<=。)\s+")
_PLAN_FIELD = "取組工程"
_BODY_FIELD = "本文"


@dataclass(frozen=True)
class TocEntry:
    """One 取組項目 as listed in the table of contents."""

    project_id: str
    name: str
    major: str
    middle: str
    note: str | None


@dataclass(frozen=True)
class _Token:
    """A piece of the body: a 中項目 heading, a paragraph run, a table or an item block."""

    kind: str  # "middle" | "para" | "table" | "item"
    lines: tuple[str, ...]


@dataclass(frozen=True)
class _Table:
    """A tab table whose columns are years: row label → {year: cell}."""

    rows: tuple[tuple[str, dict[str, str]], ...]
    years: tuple[str, ...] = ()


def parse(text: str, doc: DocumentInfo) -> list[Project]:
    """Parse the report into 取組項目 project records and section records, in order."""
    lines = text.split("\n")
    start = lines.index(_TOC_START)
    end = _toc_end(lines, start)
    majors = [_heading(m) for ln in lines[start:end] if (m := _TOC_MAJOR.match(ln))]
    tokens = list(_with_paths(list(_tokenize(lines[end:])), majors))
    ids = [_item_id(token, path) if token.kind == "item" else None for path, token in tokens]
    return [
        _section(token, path, doc, key)
        if project_id is None
        else _project(token, path, doc, project_id, key)
        for (path, token), project_id, key in zip(tokens, ids, unique_keys(ids), strict=True)
    ]


def toc_entries(text: str) -> list[TocEntry]:
    """The 取組項目 listed in the table of contents, with ids built like the body's."""
    lines = text.split("\n")
    start = lines.index(_TOC_START)
    entries: list[TocEntry] = []
    major = middle = ""
    for line in lines[start : _toc_end(lines, start)]:
        if m := _TOC_MAJOR.match(line):
            major = _heading(m)
        elif m := _MIDDLE.match(line):
            middle = _heading(m)
        elif m := _TOC_ITEM.match(line):
            pid = _project_id(major, middle, m[1])
            entries.append(TocEntry(pid, one_line(m[2]), major, middle, m[3]))
    return entries


# --- table of contents -------------------------------------------------------------


def _toc_end(lines: list[str], start: int) -> int:
    """Index of the first line after the table of contents (the legend table).

    The contents hold only 大項目/中項目 headings, ``No. | 取組項目 | ページ`` header
    rows and item rows; the first other non-blank line ends them.
    """
    end = start + 1
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if not line.strip():
            continue
        if not (
            _TOC_MAJOR.match(line)
            or _MIDDLE.match(line)
            or _TOC_ITEM.match(line)
            or line.startswith("No.\t")
        ):
            break
        end = i + 1
    return end


def _heading(m: re.Match[str]) -> str:
    """``1 効率的で…`` or ``(1) 行政運営の…`` from a heading match, spaces normalized."""
    return f"{m.string[: m.start(2)].strip()} {one_line(m[2])}"


def _project_id(major: str, middle: str, number: str) -> str:
    """``1-(1)-③`` from the 大項目 heading, the 中項目 heading and the circled number."""
    major_no = major.split(" ", 1)[0]
    middle_no = middle.split(" ", 1)[0]
    return f"{major_no}-{middle_no}-{number}"


# --- body tokens ---------------------------------------------------------------------


def _tokenize(lines: Iterable[str]) -> Iterator[_Token]:
    """Group body lines into headings, paragraph runs, tables and 取組項目 blocks.

    Blank lines do not end a table or block: a block's two tables are separated by
    one.  A block runs until the next heading, paragraph or ``No.`` row.
    """
    kind, buf = "", []
    for line in lines:
        if not line.strip():
            continue
        new = _line_kind(line)
        if (new == "row" and kind in ("item", "table")) or new == kind == "para":
            buf.append(line)
            continue
        if buf:
            yield _Token(kind, tuple(buf))
        kind, buf = ("table" if new == "row" else new), [line]
    if buf:
        yield _Token(kind, tuple(buf))


def _line_kind(line: str) -> str:
    """``item`` (a ``No.`` row), ``row`` (other tab rows), ``middle`` or ``para``."""
    if _ITEM_HEAD.match(line):
        return "item"
    if "\t" in line:
        return "row"
    return "middle" if _MIDDLE.match(line.strip()) else "para"


def _with_paths(
    tokens: list[_Token], majors: list[str]
) -> Iterator[tuple[tuple[str, ...], _Token]]:
    """Attach a section_path to every token except the 中項目 headings themselves.

    The body never prints the 大項目 headings: a new 大項目 begins where the 中項目
    numbering goes back to ``(1)``, and a paragraph right before that heading is the
    new 大項目's own introduction.
    """
    major_idx, middle, last_no = -1, "", 0
    for i, token in enumerate(tokens):
        if token.kind == "middle":
            m = _middle_match(token)
            if _opens_major(int(m[1]), last_no):
                major_idx += 1
            last_no, middle = int(m[1]), _heading(m)
        elif token.kind == "para" and _intro_of_major(tokens, i, last_no):
            yield (_major(majors, major_idx + 1),), token
        elif middle:
            yield (_major(majors, major_idx), middle), token
        else:
            yield (), token


def _middle_match(token: _Token) -> re.Match[str]:
    """The ``(n) name`` match of a 中項目 heading token."""
    m = _MIDDLE.match(token.lines[0].strip())
    assert m is not None, "middle tokens are (n) headings"
    return m


def _opens_major(number: int, last_no: int) -> bool:
    """A 中項目 number opens a new 大項目 when the numbering restarts (or at the start)."""
    return last_no == 0 or number <= last_no


def _intro_of_major(tokens: list[_Token], i: int, last_no: int) -> bool:
    """Whether paragraph ``i`` stands right before a heading that opens a new 大項目."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    return (
        nxt is not None
        and nxt.kind == "middle"
        and _opens_major(int(_middle_match(nxt)[1]), last_no)
    )


def _major(majors: list[str], idx: int) -> str:
    """The idx-th 大項目 heading of the table of contents."""
    if idx >= len(majors):
        raise ValueError(f"body has more 大項目 than the table of contents ({len(majors)})")
    return majors[idx]


# --- records ---------------------------------------------------------------------------


def _section(token: _Token, path: tuple[str, ...], doc: DocumentInfo, key: str) -> Project:
    """A section record for an introduction paragraph or the legend table."""
    if token.kind == "para":
        text = squeeze("\n".join(token.lines))
    else:
        text = "\n".join(_row_line(line) for line in token.lines)
    return section_record(doc, key, path, (Field(_BODY_FIELD, text),))


def _item_head(token: _Token) -> re.Match[str]:
    """The ``No. | ① | 取組項目 | name`` match of a 取組項目 block token."""
    head = _ITEM_HEAD.match(token.lines[0])
    assert head is not None, "item tokens start with a No. row"
    return head


def _item_id(token: _Token, path: tuple[str, ...]) -> str:
    """The ``1-(1)-③`` number of a 取組項目 block under its (大項目, 中項目) path."""
    return _project_id(path[0], path[1], _item_head(token)[1])


def _project(
    token: _Token, path: tuple[str, ...], doc: DocumentInfo, project_id: str, key: str
) -> Project:
    """The project record of one 取組項目 block."""
    department, fields = _block_fields(token.lines[1:])
    return project_record(
        doc,
        project_key=key,
        project_id=project_id,
        name=one_line(_item_head(token)[2]),
        department=department,
        path=path,
        fields=tuple(fields),
    )


def _block_fields(lines: tuple[str, ...]) -> tuple[str | None, list[Field]]:
    """Department and fields of a block: label rows, then the plan and result tables."""
    plan_at = next((i for i, ln in enumerate(lines) if _PLAN_HEADER.search(ln)), len(lines))
    result_at = next((i for i, ln in enumerate(lines) if _is_year_header(ln)), len(lines))
    department, fields = _label_rows(lines[:plan_at])
    if plan_at < result_at:
        plan = _year_table(lines[plan_at:result_at])
        if text := _plan_text(plan):
            fields.append(Field(_PLAN_FIELD, text, rows=_plan_rows(plan, lines[plan_at])))
    if result_at < len(lines):
        fields.extend(_result_fields(_year_table(lines[result_at:])))
    return department, fields


def _label_rows(lines: Iterable[str]) -> tuple[str | None, list[Field]]:
    """``担当部課`` → department; ``取組内容`` and ``5年後までの目標`` → fields."""
    department: str | None = None
    fields: list[Field] = []
    for line in lines:
        row = cells(line, str.strip)
        if len(row) < 2:
            continue
        label = one_line(row[0])
        text = "\n".join(t for c in row[1:] if (t := _clean_cell(c)))
        if not text:
            continue
        if label == "担当部課":
            department = one_line(text)
        else:
            fields.append(Field(label, text))
    return department, fields


# --- year tables -------------------------------------------------------------------------


def _is_year_header(line: str) -> bool:
    """The result-table header: nothing but ``令和N年度`` cells after an empty one."""
    row = [c.strip() for c in line.split("\t")]
    filled = [c for c in row if c]
    return row[0] == "" and len(filled) > 1 and all(_YEAR.match(c) for c in filled)


def _year_table(lines: tuple[str, ...]) -> _Table:
    """Map a header row of year cells and the rows below it to label → {year: cell}.

    Rows keep the header's tab positions; whatever precedes the first year column
    is the row label.  A row without a label is the second line of the row above
    (e.g. ``ネーミングライツ料`` under the 財政効果額 figures) and is merged into it.
    """
    header = lines[0].split("\t")
    years = {i: c.strip() for i, c in enumerate(header) if _YEAR.match(c.strip())}
    first = min(years)
    rows: list[tuple[str, dict[str, str]]] = []
    for line in lines[1:]:
        row = line.split("\t")
        label = one_line(" ".join(_clean_cell(c) for c in row[:first]))
        values = {years[i]: _clean_cell(c) for i, c in enumerate(row) if i in years}
        values = {y: v for y, v in values.items() if v}
        if label or not rows:
            rows.append((label, values))
        else:
            rows[-1] = (rows[-1][0], _merge_cells(rows[-1][1], values, years.values()))
    return _Table(tuple(rows), tuple(years.values()))


def _merge_cells(
    upper: dict[str, str], lower: dict[str, str], years: Iterable[str]
) -> dict[str, str]:
    """Stack two rows' cells year by year (upper line first), in column order."""
    merged = {y: "\n".join(v for v in (upper.get(y), lower.get(y)) if v) for y in years}
    return {y: v for y, v in merged.items() if v}


def _plan_text(plan: _Table) -> str:
    """The 取組工程 table as lines ``step | 令和2年度: 実施 | …``."""
    lines = []
    for label, values in plan.rows:
        step = _PLAN_LABEL.sub("", label)
        row = [step] if step else []
        row += [f"{year}: {one_line(v)}" for year, v in values.items()]
        if row:
            lines.append(join_cells(row))
    return "\n".join(lines)


def _plan_rows(plan: _Table, header: str) -> tuple[tuple[str, ...], ...]:
    """The 取組工程 table as printed: 「具体的な取組事項 | 令和2年度 | …」, then one row per step.

    Its text writes each cell with its year (the cells shift, so a row alone does not say
    which year a cell is); the rows put every cell back under its year column.
    """
    head = one_line(next((c for c in header.split("\t") if c.strip()), ""))
    steps = [(_PLAN_LABEL.sub("", label), values) for label, values in plan.rows]
    body = [
        (step, *(one_line(values.get(y, "")) for y in plan.years))
        for step, values in steps
        if step or values
    ]
    return ((head, *plan.years), *body) if body else ()


def _result_fields(result: _Table) -> Iterator[Field]:
    """One Field per result row and year; dashes (no financial effect) are dropped."""
    for label, values in result.rows:
        name = one_line(_LABEL_NOTE.sub("", label))
        unit = m[1] if (m := _UNIT.search(label)) else None
        legend = dict(_LEGEND_PAIR.findall(label))
        for year, value in values.items():
            if not _NO_VALUE.match(value):
                yield Field(name, _result_value(value, unit, legend), year)


def _result_value(value: str, unit: str | None, legend: dict[str, str]) -> str:
    """A result cell with the unit or legend that the row label carries."""
    if unit:
        # The unit is printed in the label only; the figure is the cell's first line.
        first, _, rest = value.partition("\n")
        return f"{first} ({unit})" + (f"\n{rest}" if rest else "")
    if value in legend:
        # Keep the symbol and spell it out so ``計画以上`` is searchable.
        return f"{value} {legend[value]}"
    return value


# --- text helpers ------------------------------------------------------------------------


def _clean_cell(cell: str) -> str:
    """Plain text of a cell: HTML list wrappers removed, one list item per line."""
    return html_list_items(cell, _ITEM_BREAK)


def _row_line(line: str) -> str:
    """A table row as plain text, non-empty cells joined by `` | ``."""
    return join_cells(one_line(_clean_cell(c)) for c in cells(line, str.strip))
