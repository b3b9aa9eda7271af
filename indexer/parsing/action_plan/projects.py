"""Chapter 2 (``２ 重点プロジェクト``): each project's pages as sections and 方針 records."""

from __future__ import annotations

import re

from indexer.parsing.action_plan.directions import DIRECTION, Group, direction_groups
from indexer.parsing.action_plan.drafts import Draft, section_draft
from indexer.parsing.action_plan.indicators import indicator_table
from indexer.parsing.action_plan.lines import Line, is_footnote, join_paragraphs
from indexer.parsing.action_plan.policies import policy_rows, row_draft
from indexer.parsing.common import group_under
from indexer.records import table_field
from indexer.textclean import squeeze

_PROJECT = re.compile(r"^(\S+プロジェクト)$")
_BLOCK = re.compile(
    r"^◼\s*(?P<a>.+)$|^(?P<b>プロジェクトのねらい|プロジェクト指標|基本的方向|関連計画)$"
)
_SUBBLOCK = re.compile(r"^➢\s*(.+)$")


def split_projects(lines: list[Line]) -> list[tuple[str, list[Line]]]:
    """Lines per 重点プロジェクト: a ``…プロジェクト`` line followed by a ◼ heading."""
    projects: list[tuple[str, list[Line]]] = []
    for i, line in enumerate(lines):
        following = lines[i + 1].text if i + 1 < len(lines) else ""
        if _PROJECT.match(line.text) and following.startswith("◼"):
            projects.append((line.text, []))
        elif projects:
            projects[-1][1].append(line)
    return projects


def project_drafts(name: str, lines: list[Line], measures: dict[str, str]) -> list[Draft | None]:
    """Sections and 方針 records of one 重点プロジェクト, in document order."""
    # The project's icon label (``少子高齢化対策``) is printed beside the page text.
    icon = name.removesuffix("プロジェクト")
    lines = [ln for ln in lines if ln.text != icon]
    notes = [ln.text for ln in lines if is_footnote(ln.text)]
    blocks = group_under([ln for ln in lines if not is_footnote(ln.text)], _block_heading)
    groups: list[Group] = []
    drafts: list[Draft | None] = []
    for heading, body in blocks:
        texts = [ln.text for ln in body]
        if heading == "基本的方向":
            groups, new = _direction_drafts(name, texts)
            drafts += new
        elif heading.startswith("「"):
            drafts += [row_draft(name, r, measures) for r in policy_rows(texts, groups)]
        else:
            drafts.append(_block_section(name, heading, body))
    drafts.append(section_draft((name, "用語解説"), [("用語解説", "\n".join(notes))]))
    return drafts


def _block_heading(line: Line) -> str | None:
    """``◼ <heading>``; the 産業活性化 page lost the ◼ of ``プロジェクト指標``."""
    m = _BLOCK.match(line.text)
    return (m["a"] or m["b"]) if m else None


def _block_section(project: str, heading: str, body: list[Line]) -> Draft | None:
    """ねらい (prose), プロジェクト指標 (table) or 関連計画 (one plan per line)."""
    texts = [ln.text for ln in body]
    if heading == "プロジェクト指標":
        return section_draft(
            (project, heading), [table_field(heading, indicator_table(texts, set()))]
        )
    if heading == "関連計画":
        # Plan names are separated by two or more spaces on the printed line.
        plans = [p for ln in body for part in ln.parts for p in re.split(r"\s{2,}", part)]
        text = "\n".join(squeeze(p) for p in plans if p.strip())
    else:
        paragraphs, rest = join_paragraphs(texts)
        text = "\n".join(paragraphs + rest)
    return section_draft((project, heading), [(heading, text)])


def _direction_drafts(project: str, texts: list[str]) -> tuple[list[Group], list[Draft | None]]:
    """The ➢ parts of 基本的方向: 地域の実情・課題認識 and the 目指す姿 groups."""
    groups: list[Group] = []
    drafts: list[Draft | None] = []
    for heading, body in group_under(texts, _subblock_heading):
        path = (project, "基本的方向", heading)
        if heading == DIRECTION:
            groups = direction_groups(body)
            fields = [(g.title, f"{g.description}\n主な取組：{g.actions}") for g in groups]
            drafts.append(section_draft(path, fields))
        else:
            paragraphs, rest = join_paragraphs(body)
            drafts.append(section_draft(path, [(heading, "\n".join(paragraphs + rest))]))
    return groups, drafts


def _subblock_heading(text: str) -> str | None:
    m = _SUBBLOCK.match(text)
    return m.group(1) if m else None
