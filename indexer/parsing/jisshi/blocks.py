"""第3部 実施計画事業: one block of labelled table rows per project, as a project record."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from indexer.parsing.common import non_empty, one_line
from indexer.parsing.jisshi.fields import overview_fields, plan_fields
from indexer.parsing.jisshi.sections import rows_text
from indexer.parsing.jisshi.system import Placement
from indexer.records import DocumentInfo, Field, Project, project_record

Block = list[list[str]]  # the rows of one block, cells split on tabs (positions kept)
_Groups = list[tuple[str, Block]]
_HEADER_LABELS = ("事業番号", "担当課", "重点P")


@dataclass(frozen=True)
class ProjectContext:
    """What a block needs from the rest of the document."""

    placements: dict[str, list[Placement]]
    legend: dict[str, str]
    plan_years: tuple[str, ...]


def read_blocks(lines: Sequence[str]) -> list[Block]:
    """Project blocks as lists of rows (cells split on tabs, positions kept).

    A block is the run of tab-separated rows from a ``事業番号`` row; the only lines
    without a tab in 第3部 are the back-cover colophon, which is not project content.
    """
    blocks: list[Block] = []
    in_block = False
    for line in lines:
        if line.startswith("事業番号\t"):
            blocks.append([])
            in_block = True
        elif line.strip() and "\t" not in line:
            in_block = False
        if in_block and line.strip():
            blocks[-1].append(line.split("\t"))
    return blocks


def block_id(rows: Block) -> str:
    """The 事業番号 printed on the first row of a block."""
    return _header_values(rows[0])["事業番号"]


def _labelled_groups(rows: Block) -> _Groups:
    """Rows grouped under their label (first cell); continuation rows have it empty."""
    groups: _Groups = []
    for row in rows:
        label = row[0].strip()
        if label or not groups:
            groups.append((label, [row]))
        else:
            groups[-1][1].append(row)
    return groups


def _header_values(row: list[str]) -> dict[str, str]:
    """``事業番号 1 担当課 健康づくり課 重点P 重点1`` → label → value (value may be absent)."""
    filled = non_empty(row)
    values = {}
    for label, value in zip(filled, [*filled[1:], ""], strict=True):
        if label in _HEADER_LABELS and value and value not in _HEADER_LABELS:
            values[label] = one_line(value)
    return values


def block_record(doc: DocumentInfo, key: str, rows: Block, context: ProjectContext) -> Project:
    """One project block → a ``kind="project"`` record with the given key."""
    groups = _labelled_groups(rows)
    header = _header_values(groups[0][1][0])
    project_id = header["事業番号"]
    name, fields = _block_fields(groups[1:], context)
    if "重点P" in header:
        fields.insert(0, Field("重点プログラム", _program_text(header["重点P"], context.legend)))
    placements = context.placements.get(project_id, [])
    if placements:
        fields.append(Field("施策体系", "\n".join(dict.fromkeys(p.line for p in placements))))
    return project_record(
        doc,
        project_key=key,
        project_id=project_id,
        name=name,
        department=header.get("担当課"),
        path=placements[0].path if placements else ("第3部 実施計画事業",),
        fields=tuple(f for f in fields if f.text),
    )


def _block_fields(groups: _Groups, context: ProjectContext) -> tuple[str, list[Field]]:
    """The 事業名 and the fields of the rows after the 事業番号 row."""
    name = ""
    fields: list[Field] = []
    for label, group in groups:
        if label == "事業名":
            name = one_line(" ".join(c for c in group[0][1:] if c.strip()))
        elif label == "事業概要":
            fields += overview_fields(group)
        elif label == "事業計画":
            fields += plan_fields(group, context.plan_years)
        else:  # no other label occurs here; keep any such row searchable all the same
            fields.append(Field(label, rows_text(["\t".join(r[1:]) for r in group]) or label))
    return name, fields


def _program_text(value: str, legend: dict[str, str]) -> str:
    """``重点1、2`` → ``重点1、2（夢・希望応援プログラム、くらし安心プログラム）``."""
    names = [legend[f"重点{n}"] for n in re.findall(r"\d", value) if f"重点{n}" in legend]
    return f"{value}（{'、'.join(names)}）" if names else value
