"""Blocks made into projects: repeated printings merged, 主な事業 table columns added."""

from __future__ import annotations

import re
from dataclasses import replace

from indexer.parsing.common import one_line
from indexer.parsing.isehara.blocks import Block
from indexer.parsing.isehara.sections import Section
from indexer.records import Field
from indexer.textclean import nfkc

_TABLE_ROW = re.compile(r"^(\d+-\d{3})\t([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)$")
_LEADING_LABEL = "リーディングプロジェクト"
_NO_MARK = frozenset({"—", "-", "－"})


def table_rows(lines: list[str]) -> dict[str, list[str]]:
    """事業No. → [事業名, 担当部, 担当課, リーディングプロジェクト] from the 主な事業 tables."""
    return {m.group(1): list(m.groups()[1:]) for m in map(_TABLE_ROW.match, lines) if m}


def dedupe(entries: list[Section | Block]) -> list[Section | Block]:
    """One entry per project: printings with the same number and name are merged.

    The printing inside a 施策 chapter stays in place; the others (the sample in
    1 計画の見方) are folded into it and disappear from the sequence.
    """
    groups: dict[tuple[str, str], list[Block]] = {}
    for e in entries:
        if isinstance(e, Block):
            groups.setdefault((e.project_id, _text_key(e.name)), []).append(e)
    merged: dict[int, Block] = {}
    for blocks in groups.values():
        anchor = next((b for b in blocks if _in_measure(b)), blocks[-1])
        result = anchor
        for other in (b for b in blocks if b is not anchor):
            result = _merge(result, other)
        merged[id(anchor)] = result
    return [
        merged[id(e)] if isinstance(e, Block) else e
        for e in entries
        if not isinstance(e, Block) or id(e) in merged
    ]


def with_table(block: Block, row: list[str] | None, leading: dict[str, str]) -> Block:
    """Department fallback and the リーディングプロジェクト column from the 主な事業 table."""
    if row is None:
        return block
    department = block.department or one_line(f"{row[1]} {row[2]}")
    marks = [leading.get(c, c) for c in row[3] if c.strip() and c not in _NO_MARK]
    extra = (Field(_LEADING_LABEL, "\n".join(marks)),) if marks else ()
    return replace(block, department=department, fields=block.fields + extra)


def _merge(primary: Block, other: Block) -> Block:
    """``primary`` plus the fields of ``other`` (a second printing) that differ.

    Added fields are named after the heading where the second printing appears.
    """
    seen = {(f.name, f.year, _text_key(f.text)) for f in primary.fields}
    heading = other.path[-1] if other.path else ""
    extra = tuple(
        Field(f"{heading} {f.name}".strip(), f.text, f.year)
        for f in other.fields
        if (f.name, f.year, _text_key(f.text)) not in seen
    )
    return replace(primary, fields=primary.fields + extra)


def _text_key(text: str) -> str:
    """Comparison key: width, spacing and bullets ignored."""
    return re.sub(r"[\s・●•]", "", nfkc(text))


def _in_measure(block: Block) -> bool:
    return bool(block.path) and block.path[-1].startswith("施策 ")
