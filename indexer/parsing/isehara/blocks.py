"""個別事業計画表: one ``事業番号`` block (header and labelled rows) as a project's fields."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.parsing.common import join_cells, one_line, table_rows
from indexer.parsing.isehara.text import canonical_label, join_wrapped, list_items, row_cells
from indexer.records import Field
from indexer.textclean import nfkc

_NUMBER = re.compile(r"^(\d+-\d{3})\s*(.*)$", re.DOTALL)
_TRAILING_PARENS = re.compile(r"[（(]([^（()）]*)[)）]\s*$")
_DEPARTMENT = re.compile(r"^\s*\S*部(?:\s|$)")
_LABEL = re.compile(r"^(?:事業内容|事業行程|目\s*標(?:\s*[①-⑳])?|事業費総額.*|財源内訳)$")
_MAX_HEADER_LINES = 10
_PLAN_HEAD = "項目"


@dataclass(frozen=True)
class Block:
    """One printed project block, with the section path where it is printed."""

    project_id: str
    name: str
    department: str | None
    path: tuple[str, ...]
    fields: tuple[Field, ...]


@dataclass
class _Draft:
    name: str
    rows: list[list[str]] = field(default_factory=list)


def block_at(lines: list[str], i: int, path: tuple[str, ...]) -> tuple[Block, int]:
    """The block whose ``事業番号`` line is ``lines[i]`` and the lines it spans."""
    body = _header_end(lines, i)
    end = body
    while end < len(lines) and lines[end].strip():
        end += 1
    number, name, department = _parse_header([c for ln in lines[i:body] for c in row_cells(ln)])
    fields = tuple(f for f in map(_render, _drafts(lines[body:end])) if f)
    return Block(number, name, department, path, fields), end - i


def _parse_header(pieces: list[str]) -> tuple[str, str, str | None]:
    """(number, name, department or None) from the header cells of a block."""
    text = re.sub(r"^事業番号\s*", "", "\n".join(pieces))
    m = _NUMBER.match(text)
    if m is None:
        return "", join_wrapped(text.split("\n")), None
    number, rest = nfkc(m.group(1)), m.group(2)
    department = None
    paren = _TRAILING_PARENS.search(rest)
    # A trailing parenthesis is the department only if it names a 部: names
    # such as 虐待防止事業（児童） end in parentheses too.
    if paren and _DEPARTMENT.match(paren.group(1)):
        department = one_line(paren.group(1))
        rest = rest[: paren.start()]
    return number, join_wrapped(rest.split("\n")), department


def _label_of(cell: str) -> str | None:
    return canonical_label(cell) if _LABEL.match(cell) else None


def _header_end(lines: list[str], i: int) -> int:
    """Index of the first labelled row after the ``事業番号`` line at ``i``.

    The header is one line or, when the PDF broke it up, up to a handful of
    lines (number, name, department, each possibly wrapped).
    """
    for j in range(i + 1, min(i + _MAX_HEADER_LINES, len(lines))):
        cells = row_cells(lines[j])
        if cells and _label_of(cells[0]):
            return j
    return i + 1


def _drafts(body: list[str]) -> list[_Draft]:
    """Rows of a block grouped under their labels (目標 misplacements repaired)."""
    drafts: list[_Draft] = [_Draft("本文")]
    pending_goal: str | None = None
    for cells in filter(None, map(row_cells, body)):
        label = _label_of(cells[0])
        if label and label.startswith("目標") and cells[1:] and cells[1] != "指標名":
            # The PDF put the 目標 label on the last 事業行程 row: keep the row
            # where it belongs and open 目標 at its 指標名 header.
            pending_goal = label
            drafts[-1].rows.append(cells[1:])
        elif label:
            drafts.append(_Draft(label, [cells[1:]] if cells[1:] else []))
        elif cells[0] == "指標名" and not drafts[-1].name.startswith("目標"):
            drafts.append(_Draft(pending_goal or "目標", [cells]))
            pending_goal = None
        else:
            drafts[-1].rows.append(cells)
    return drafts


def _is_goal_header(cells: list[str]) -> bool:
    return cells[0] == "指標名" or cells[0].startswith("現状値")


def _goal_lines(rows: list[list[str]]) -> list[str]:
    """目標 rows as ``header: value`` lines (header rows alternate with value rows)."""
    out: list[str] = []
    i = 0
    while i < len(rows):
        head = rows[i]
        values = rows[i + 1] if i + 1 < len(rows) else []
        if _is_goal_header(head) and len(values) == len(head) and not _is_goal_header(values):
            out += [f"{h}: {v}" for h, v in zip(head, values, strict=True)]
            i += 2
        else:
            out.append(join_cells(head))
            i += 1
    return out


def _render(draft: _Draft) -> Field | None:
    """A labelled group of rows as a plain-text field (None when empty)."""
    rows = [r for r in draft.rows if r]
    if draft.name == "事業内容":
        text = list_items(" ".join(c for r in rows for c in r))
    elif draft.name.startswith("目標"):
        text = "\n".join(_goal_lines(rows))
    else:
        text = "\n".join(join_cells(r) for r in rows)
        # 事業行程 is printed as a table under the header 項目 | 令和3年度 | 令和4年度.
        table = table_rows(rows) if rows and rows[0][0] == _PLAN_HEAD else ()
        return Field(draft.name, text, rows=table) if text else None
    return Field(draft.name, text) if text else None
