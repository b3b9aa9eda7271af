"""Parser for ``isesaki-action-plan-r7``.

第3次伊勢崎市総合計画 前期アクションプラン, chapter 重点プロジェクト (令和7〜11年度).

The PDF was converted one printed line per text line, with hard line breaks inside
sentences and table cells and (mostly) a blank line between printed lines. The one
reliable signal is the trailing space: the converter ends every text block (a
paragraph, a heading, a table cell) with a space, while a line wrapped by the PDF
layout has none. Layout, top to bottom:

* ``１ 重点プロジェクトとは`` with subsections ``（１）`` … ``（５）``: prose, a diagram
  (``【重点プロジェクトと国の総合戦略の関係】``), the project-indicator table, the
  ``【ＳＤＧｓローカル指標】`` table (政策 | 重点施策 | ・指標 …) and the call-outs that
  explain how to read the project pages.
* ``２ 重点プロジェクト``: five projects (``少子高齢化対策プロジェクト`` …), each with

  - ``◼ プロジェクトのねらい`` (prose), ``◼ プロジェクト指標`` (table
    指標名 | 現状値 | 目標値 | 解説・算出方法など; the ◼ is missing once),
  - ``◼ 基本的方向`` with ``➢ 地域の実情・課題認識`` (prose) and
    ``➢ 取組の方向性・目指す地域の姿``: three groups of title, description and
    ``主な取組：…``,
  - ``◼ 「取組の方向性・目指す地域の姿」と対応する施策の展開方針``: per group, rows
    ``重点施策 1-1`` / ``方針２：<title>`` / indicator / 現状値 / 目標値 / ``Ｐ.○``;
    projects 4–5 print ``…施策ごとの取組`` instead, with rows
    ``方針２関係：<取組>`` / 関連事業 / 指標名 / values,
  - ``◼ 関連計画`` (plan names separated by two spaces) and ``※term：…`` footnotes at
    the bottom of the pages, wherever the page break falls.

* ``３ 重点施策との対応``: the 36 重点施策 (by 政策) against the five projects, a
  matrix of ◎/○ printed as one line of space-separated cells per 重点施策.

Records: one ``project`` record per 重点施策・方針 row (``1-1 方針2``), named after its
方針 (or, in the 施策ごとの取組 tables, its 取組) and placed under its 重点プロジェクト and
重点施策 (``section_path``); a number printed twice gets the keys ``<id>_2``, ``<id>_3`` …
The row's 取組の方向性 group is kept on the record as ``shared`` fields: it is indexed
once, on the project's 基本的方向 section, not in every row it heads.
Everything else becomes ``section`` records; a project's own text (ねらい, 指標,
基本的方向, 関連計画, 用語解説) goes into sections whose path starts with the project.
The document names no responsible department (no 担当課 or 所管 anywhere in it), so
``department`` is always None.

Modules: :mod:`.lines` (rejoining wrapped lines, chapters), :mod:`.intro` (chapter 1),
:mod:`.projects`, :mod:`.directions` and :mod:`.policies` (chapter 2), :mod:`.matrix`
(chapter 3), :mod:`.indicators` (printed values and indicator tables), :mod:`.drafts`
(records before their keys).
"""

from __future__ import annotations

from indexer.parsing.action_plan.drafts import Draft, finalize
from indexer.parsing.action_plan.intro import intro_drafts
from indexer.parsing.action_plan.lines import (
    join_paragraphs,
    logical_lines,
    rejoin_wrapped,
    split_chapters,
)
from indexer.parsing.action_plan.matrix import matrix_drafts, measure_names
from indexer.parsing.action_plan.projects import project_drafts, split_projects
from indexer.records import DocumentInfo, Project

__all__ = ["join_paragraphs", "logical_lines", "parse", "rejoin_wrapped"]


def parse(text: str, doc: DocumentInfo) -> list[Project]:
    """Parse the 重点プロジェクト document into section and 方針 records, in order."""
    chapters = split_chapters(text.split("\n"))
    intro, body, matrix = (chapters.get(n) for n in "123")
    projects = split_projects(body.lines) if body else []
    names = [name for name, _ in projects]
    measures = measure_names(matrix.lines) if matrix else {}
    drafts: list[Draft | None] = []
    if intro:
        drafts += intro_drafts(intro.heading, intro.lines, set(names))
    for name, lines in projects:
        drafts += project_drafts(name, lines, measures)
    if matrix:
        drafts += matrix_drafts(matrix, names)
    return finalize(drafts, doc)
