"""Parser for 伊勢崎市「市長マニフェストの達成状況（令和6年3月末時点）」.

Doc id ``isesaki-manifesto-r6``. Layout of the converted PDF, top to bottom:

* The title heading ``## 市長マニフェストの達成状況（令和6年3月末時点）``.
* 分野 headings ``1. 産業支援 “ものづくりの復権”`` and 小分野 headings ``(1) 企業支援``.
  The converter marked them with ``##``, ``###``, ``####`` or nothing at all, without
  any relation to their level, so they are recognised by their numbering only.
* Right after the first 分野 heading, the legend of the 実施状況 column:
  ``<実施状況>`` then ``A : 達成（進捗率100%）`` … ``E : 未着手（進捗率0%）`` (tab rows
  with empty trailing cells). It applies to the whole document: one section record.
* Under each 小分野, one or more tables (one per PDF page), each repeating the
  header ``マニフェスト | 総合計画実施計画の関連事業 | SDGs関連項目 |
  令和3年度までの主な取組 | 令和4年度の主な取組 | 令和5年度の主な取組 |
  令和6年度の取組予定 | 実施状況 | 担当課``. A row whose first cell starts with a
  circled number (``①…``) opens a manifesto item; rows with an empty first cell
  continue the item above (one row per related project / responsible department,
  each with its own 実施状況 and 担当課). Year cells are either ``<ul><li>`` lists or
  run-on ``・`` bullets; ``—`` means "nothing".

Conversion defects handled here (see ``_normalize_row``, ``_realign_names`` and
``_attach_fragments``): 実施状況 and 担当課 glued into one cell (``A 管財課``), rows
shifted one cell to the left, one row with a spurious extra cell, the manifesto
column displaced one row up at the end of 8-(2), and one ownerless fragment row.
Not repaired, because the layout gives no reliable clue: year cells shifted by one
column or one row inside 8-(2)-①–③ and 4-(5)-⑦ (text stays with a neighbouring item
or year), and 2-(1)-③'s second row, which may belong to ④.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from indexer.parsing.common import (
    cells,
    compact,
    html_list_items,
    join_cells,
    one_line,
    unique_keys,
)
from indexer.records import DocumentInfo, Field, Project, project_record, section_record
from indexer.textclean import nfkc, strip_html_lists

_CIRCLED = "\u2460-\u2473"  # ①–⑳
_BUNYA = re.compile(r"^(\d+)\.\s*\S")
_SHOBUNYA = re.compile(r"^\((\d+)\)\s*\S")
_HEADING_MARKS = re.compile(r"^#+\s*")
_ITEM = re.compile(rf"^([{_CIRCLED}])\s*(.+)$", re.S)
_LEGEND_TITLE = "<実施状況>"
_LEGEND_ENTRY = re.compile(r"^([A-E])\s*[:：]\s*\S")
_STATUS = re.compile(r"^[A-E—]$")
# 実施状況 and 担当課 merged into one cell by the converter: ``A 管財課``.
_STATUS_AND_DEPT = re.compile(r"^([A-E—])\s+(\S.*)$", re.S)
_YEAR_COLUMN = re.compile(r"^(令和\d+年度(?:まで)?)の?(\S+)$")
# A 施策 code of the 総合計画 as printed: ``2-2-3①③``, ``2-2-1❶1``, ``1-2-2❶``.
_POLICY_CODE = re.compile(r"(?<!\S)\d+-\d+-\d+[\u2460-\u2473\u2776-\u277f0-9]*(?!\S)")
# Where a second 施策 code starts inside one 関連事業 cell.
_CODE_BREAK = re.compile(r"\s+(?=\d+-\d+-\d+[\u2460-\u2473\u2776-\u277f0-9]*\s)")
# Run-on bullets: a new item starts at ``・`` preceded by white space (a ``・`` glued
# to words is the Japanese middle dot of ``小学校・中学校`` and must stay).
_BULLET_BREAK = re.compile(r"\s+(?=・)")
_NONE = "—"

_NAME_COL = "マニフェスト"
_RELATED_COL = "総合計画実施計画の関連事業"
_SDGS_COL = "SDGs関連項目"
_STATUS_COL = "実施状況"
_DEPT_COL = "担当課"
# Field names for the fixed columns (the brief's short labels); other columns keep
# their printed label.
_FIELD_NAMES = {_RELATED_COL: "関連事業", _SDGS_COL: "SDGs", _STATUS_COL: "実施状況"}

# 小分野 in which, from the given item on, every manifesto text sits one row above
# its content, the table's last row printing ``—`` in the manifesto column. In 8-(2)
# ⑰「国庫補助事業…」 stands on the row describing digitalisation (the second row of
# the second ⑯「業務のデジタル化…」), ⑱「公館…」 on the row about 国庫補助,
# ⑲「支所…」 on the row about 公民館, ⑳「行政区…」 on the one about 支所, and the
# ``—`` row describes 行政区. Where the displacement starts cannot be read from the
# layout, hence this table; without an orphan ``—`` row it does nothing.
_NAMES_ONE_ROW_UP: dict[str, str] = {"8-(2)": "⑰"}


@dataclass(frozen=True)
class _Part:
    """The rows of one 小分野, each a mapping from column label to raw cell."""

    bunya: str
    shobunya: str
    code: str  # ``1-(1)``
    rows: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class _Item:
    """One manifesto item: its printed number and text, and all its rows."""

    part: _Part
    number: str
    name_cell: str
    rows: tuple[dict[str, str], ...]


def parse(text: str, doc: DocumentInfo) -> list[Project]:
    """Parse the manifesto progress report into project and section records."""
    title, legend, parts = _read_document(text)
    items = list(_items(parts))
    # The legend is the one section; 8-(2) prints ⑯ for two different items.
    keys = unique_keys([*([None] if legend else []), *map(_item_id, items)])
    records: list[Project] = []
    if legend:
        records.append(_legend_record(doc, keys[0], title, legend))
    meanings = {line[0]: line for line in legend}
    project_keys = keys[len(records) :]
    records += [
        _item_record(doc, key, item, meanings)
        for key, item in zip(project_keys, items, strict=True)
    ]
    return records


# --- reading lines into parts ------------------------------------------------------


def _read_document(text: str) -> tuple[str, list[str], list[_Part]]:
    """Title heading, 実施状況 legend lines and the 小分野 parts, in document order."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    # Headings are the only lines without a tab; their # marks say nothing.
    headings = [(i, one_line(_HEADING_MARKS.sub("", ln))) for i, ln in enumerate(lines)]
    headings = [(i, h) for i, h in headings if "\t" not in lines[i]]
    title = next((h for _, h in headings if not _BUNYA.match(h) and not _SHOBUNYA.match(h)), "")
    legend = [c for ln in lines if _is_legend(ln) for c in cells(ln, one_line)]
    legend = [c for c in legend if c != _LEGEND_TITLE]
    return title, legend, list(_parts(lines, headings))


def _is_legend(line: str) -> bool:
    """A row of the 実施状況 legend: its title or an ``A : …`` entry."""
    first = line.split("\t")[0].strip()
    return first == _LEGEND_TITLE or bool(_LEGEND_ENTRY.match(first))


def _parts(lines: list[str], headings: list[tuple[int, str]]) -> Iterator[_Part]:
    """One part per 小分野: the table rows between its heading and the next one."""
    bunya = number = ""
    ends = [i for i, _ in headings[1:]] + [len(lines)]
    for (i, heading), end in zip(headings, ends, strict=True):
        if m := _BUNYA.match(nfkc(heading)):
            bunya, number = heading, m.group(1)
        elif (m := _SHOBUNYA.match(nfkc(heading))) and (rows := _table_rows(lines[i + 1 : end])):
            yield _Part(bunya, heading, f"{number}-({m.group(1)})", rows)


def _table_rows(lines: list[str]) -> tuple[dict[str, str], ...]:
    """Data rows of the tables in ``lines``, keyed by the header row above them."""
    columns: list[str] = []
    rows = []
    for line in lines:
        raw = line.split("\t")
        # Header labels have spaces inside (``実施 状況``); the header is repeated per page.
        if compact(raw[0]) == _NAME_COL:
            columns = [compact(c) for c in raw]
        elif columns and not _is_legend(line):
            rows.append(dict(zip(columns, _normalize_row(raw, len(columns)), strict=True)))
    return tuple(rows)


# --- repairing rows ----------------------------------------------------------------


def _normalize_row(raw: list[str], width: int) -> list[str]:
    """Cells of a table row brought back to the header's columns.

    Repairs, in this order: a 実施状況 letter glued to its 担当課 (``A 管財課``, 6-(1)
    and 6-(2)) is split; a surplus cell is dropped (a trailing empty one, else the
    first empty one after the manifesto column, as in the 商工労働課 row of 5-(3)-③);
    a row whose cells all sit one column too far left (it ends ``…| B | 交通政策課 |``
    with an empty last cell) is moved right, the lost cell being the leading one.
    """
    cells = _split_status_and_dept([c.strip() for c in raw])
    while len(cells) > width and cells[-1] == "":
        cells.pop()
    if len(cells) > width:
        spare = next((i for i, c in enumerate(cells) if i > 0 and c == ""), None)
        if spare is None:  # no empty cell to drop: keep the surplus in the last column
            cells = [*cells[: width - 1], " ".join(cells[width - 1 :])]
        else:
            cells.pop(spare)
    if len(cells) == width and _shifted_left(cells):
        cells = ["", *cells[:-1]]
    return (cells + [""] * width)[:width]


def _split_status_and_dept(cells: list[str]) -> list[str]:
    """Split ``A 管財課`` (the last non-empty cell) into ``A`` and ``管財課``."""
    filled = [i for i, c in enumerate(cells) if c]
    if not filled or not (m := _STATUS_AND_DEPT.match(cells[filled[-1]])):
        return cells
    last = filled[-1]
    return [*cells[:last], m.group(1), m.group(2), *cells[last + 1 :]]


def _shifted_left(cells: list[str]) -> bool:
    """True when 実施状況 and 担当課 sit one cell early, before an empty last cell."""
    status, dept, last = cells[-3], cells[-2], cells[-1]
    return last == "" and bool(_STATUS.match(status)) and bool(dept) and not _STATUS.match(dept)


def _realign_names(part: _Part) -> _Part:
    """Move displaced manifesto texts of ``_NAMES_ONE_ROW_UP`` one row down."""
    first = _NAMES_ONE_ROW_UP.get(part.code)
    names = [r[_NAME_COL] for r in part.rows]
    orphan = next((i for i, n in enumerate(names) if n == _NONE), None)
    if first is None or orphan is None:
        return part
    start = next((i for i in range(orphan) if names[i].startswith(first)), None)
    if start is None:
        return part
    names[start : orphan + 1] = ["", *names[start:orphan]]
    return _with_names(part, names)


def _attach_fragments(part: _Part) -> _Part:
    """Give an ownerless fragment row to the item printed on the next row.

    A continuation row with neither related project, 実施状況 nor 担当課 has nothing
    tying it to the item above; the converter left such a row just above the item
    whose text it carries (8-(2): 「採用計画を策定しました」 above ② 職員数の適正化と
    …採用計画を策定します), the item's text being centred in its merged cell.
    """
    names = [r[_NAME_COL] for r in part.rows]
    for i in range(len(names) - 1):
        if _is_fragment(part.rows[i], names[i]) and _ITEM.match(names[i + 1]):
            names[i], names[i + 1] = names[i + 1], ""
    return _with_names(part, names)


def _is_fragment(row: dict[str, str], name: str) -> bool:
    """A continuation row with content but no related project, status or department."""
    owners = (row.get(_RELATED_COL, ""), row.get(_STATUS_COL, ""), row.get(_DEPT_COL, ""))
    content = [v for k, v in row.items() if k != _NAME_COL and v and v != _NONE]
    return not name and all(v in ("", _NONE) for v in owners) and bool(content)


def _with_names(part: _Part, names: list[str]) -> _Part:
    """The part with its manifesto column replaced by ``names``."""
    rows = tuple({**r, _NAME_COL: n} for r, n in zip(part.rows, names, strict=True))
    return replace(part, rows=rows)


# --- grouping rows into items ------------------------------------------------------


def _items(parts: list[_Part]) -> Iterator[_Item]:
    """Manifesto items in document order, continuation rows merged into them.

    A continuation row at the top of a 小分野 (none in this document) would join the
    last item of the previous one rather than be lost.
    """
    current: _Item | None = None
    for part in parts:
        fixed = _attach_fragments(_realign_names(part))
        for row in fixed.rows:
            if m := _ITEM.match(row[_NAME_COL]):
                if current:
                    yield current
                current = _Item(fixed, m.group(1), row[_NAME_COL], (row,))
            elif current:
                current = replace(current, rows=(*current.rows, row))
    if current:
        yield current


# --- building records --------------------------------------------------------------


def _legend_record(doc: DocumentInfo, key: str, title: str, legend: list[str]) -> Project:
    """The 実施状況 legend, a document-wide explanation, as a section record."""
    return section_record(
        doc, key, (title,) if title else (), (Field(_STATUS_COL, "\n".join(legend)),)
    )


def _item_id(item: _Item) -> str:
    """``1-(1)-①``: the 小分野 code and the item's circled number."""
    return f"{item.part.code}-{item.number}"


def _item_record(doc: DocumentInfo, key: str, item: _Item, meanings: dict[str, str]) -> Project:
    """One manifesto item as a project record."""
    match = _ITEM.match(item.name_cell)
    assert match is not None  # items are found by this same pattern
    name = one_line(match.group(2))
    fields = _item_fields(item, meanings) or (Field(_NAME_COL, one_line(item.name_cell)),)
    return project_record(
        doc,
        project_key=key,
        project_id=_item_id(item),
        name=name,
        department="、".join(_departments(item.rows)) or None,
        path=(item.part.bunya, item.part.shobunya),
        fields=fields,
        related=tuple(_unique(c for r in item.rows for c in _codes(r.get(_RELATED_COL, "")))),
    )


def _item_fields(item: _Item, meanings: dict[str, str]) -> tuple[Field, ...]:
    """関連事業, SDGs, one field per year column, 実施状況 and any unknown column.

    Cells printing ``—`` are left out; an item whose every cell is ``—`` (4-(5)-④ and
    ⑤) gets no field here and falls back to its manifesto text.
    """
    fields: list[Field] = []
    for column in item.rows[0]:
        if column in (_NAME_COL, _DEPT_COL):
            continue
        if column == _STATUS_COL:
            text = _status_text(item.rows, meanings)
        elif column == _RELATED_COL:
            text = "\n".join(_unique(ln for r in item.rows for ln in _related_lines(r[column])))
        elif column == _SDGS_COL:
            text = "\n".join(_unique(one_line(r[column]) for r in item.rows if _filled(r[column])))
        else:
            text = "\n".join(_plain(r[column]) for r in item.rows if _filled(r[column]))
        if text:
            fields.append(_field(column, text))
    return tuple(fields)


def _field(column: str, text: str) -> Field:
    """A field named after its column; year columns carry their fiscal year."""
    if m := _YEAR_COLUMN.match(column):
        return Field(m.group(2), text, m.group(1))
    return Field(_FIELD_NAMES.get(column, column), text)


def _status_text(rows: tuple[dict[str, str], ...], meanings: dict[str, str]) -> str:
    """The 実施状況 letters with their legend meaning.

    When several rows (departments) are rated, each line is ``担当課 | B : …`` so the
    letter stays tied to the department it rates.
    """
    rated = [r for r in rows if _filled(r.get(_STATUS_COL, ""))]
    lines = []
    for r in rated:
        meaning = meanings.get(r[_STATUS_COL], r[_STATUS_COL])
        dept = one_line(r.get(_DEPT_COL, ""))
        lines.append(join_cells((dept, meaning)) if len(rated) > 1 and _filled(dept) else meaning)
    return "\n".join(lines)


def _departments(rows: tuple[dict[str, str], ...]) -> list[str]:
    """Distinct 担当課 cells of an item, in order (``—`` means none)."""
    return _unique(one_line(r[_DEPT_COL]) for r in rows if _filled(r.get(_DEPT_COL, "")))


def _related_lines(cell: str) -> list[str]:
    """Related projects of one cell, one per line (a cell may cite two 施策 codes)."""
    if not _filled(cell):
        return []
    return [ln for ln in _CODE_BREAK.split(one_line(strip_html_lists(cell))) if ln]


def _codes(cell: str) -> list[str]:
    """施策 codes cited in a 関連事業 cell, as printed (``2-2-3①③``)."""
    return _POLICY_CODE.findall(cell) if _filled(cell) else []


def _plain(cell: str) -> str:
    """A year cell as plain text, one bullet item per line."""
    return html_list_items(cell, _BULLET_BREAK)


def _filled(cell: str) -> bool:
    """True when a cell holds something other than blanks or ``—``."""
    return cell.strip() not in ("", _NONE)


def _unique(values: Iterator[str] | list[str]) -> list[str]:
    """Values without repeats, first occurrence kept."""
    return list(dict.fromkeys(v for v in values if v))
