"""Parser for 伊勢原市第5次総合計画 後期基本計画 中期戦略事業プラン (isehara-chuki-r3-r4).

Layout of the PDF-converted text, top to bottom:

* Cover (title, period) and 目次. The 目次 lists the three chapters and, under
  each, its headings (``1⇥中期戦略事業プラン改定の趣旨⇥3``) or, in 第3章, the five
  分野 (``⇥暮らし力⇥29``). Both are skipped, but the 目次 tells which body lines
  are headings.
* 第1章 中期戦略事業プランについて: numbered headings ``1 …`` to ``9 …`` with
  paragraphs, figure captions (``●…``) and tables (SDGs per 施策, 計画事業費).
* 第2章 リーディングプロジェクト: ``4つのプロジェクト`` introduction, then four
  projects printed as ``プロジェクト`` / ``①`` / name, each with
  ``■プロジェクトの狙い■`` and several 方針 headings, each followed by
  ``■中期戦略事業プランにおけるプロジェクトの取組内容■`` and a table that names
  related projects in 【】 (by name, never by number).
* 第3章 個別事業: ``1 計画の見方`` explains the 個別事業計画表 with a sample block
  (a copy of 1-101). Then per 分野 (暮らし力 … 自治力): its vision and 施策体系
  (【まちづくり目標】 ``1 …``, 【基本政策】 ``1-1 …``, 【施策展開の方向】 ``1-1-1 …``),
  then per 施策: a bare ``1-1-1`` line, ``施策 01 name``, a summary, 施策の方針,
  the 主な事業 table (``事業No.⇥事業名⇥担当部⇥担当課⇥リーディングプロジェクト``),
  the 事業番号 blocks and an optional その他の関連の事業 table.
* Back cover (publisher, address): skipped.

A block is a header and consecutive tab-separated rows up to the next blank line::

    事業番号 1-102⇥⇥食育推進事業⇥⇥(保健福祉部 健康づくり課)⇥
    事業内容⇥<ul …> ・… ・… ⇥
    事業行程⇥項目⇥令和3年度⇥令和4年度
    ⇥食育推進に係る会議の開催⇥7回以上の開催⇥7回以上の開催
    目 標⇥指標名⇥指標の定義
    ⇥食育教育・食育相談の 参加者数⇥食育相談や食育教育に参加した市民の延べ人数
    ⇥現状値(令和2年度)⇥令和3年度⇥令和4年度
    ⇥800人⇥3,550人⇥3,600人
    事業費総額(2年間の事業費見込み)⇥⇥9,155千円
    ⇥財源内訳⇥(一般財源)⇥6,031千円
    ⇥⇥(国県補助等)⇥0千円 …

The header also comes as a bare ``事業番号`` line followed by number, name and
department on separate lines (name and department may wrap), with the number
glued to the name (``26-101伊勢原大山インター土地区画整理``), or with the
department glued to the name in full-width parentheses. Cells drift between
columns from block to block, so rows are read by their first non-empty cell.

Other quirks handled here:

* 19-103 is printed for two different projects (児童 / 高齢者・障がい者); the
  second one has two 目標 tables (``目 標 ①`` / ``目 標 ②``).
* 1-101 is printed twice: as the sample in 1 計画の見方 and in 施策 01. One
  record is kept, in 施策 01; the sample only adds fields that differ (none do).
* The ``目 標`` label sometimes sits on the last 事業行程 row; the row stays in
  事業行程 and 目標 starts at its ``指標名`` header.
* Some rows lost their leading tab (``駐車場・渋滞対策⇥…``, ``（一般財源）⇥…``):
  a row without a label continues the field above.
* 事業内容 lists lost their ``<li>`` tags: items are split on the bullets, or on
  sentence ends when there are none.

Records: one ``project`` per block (121 numbers, 122 projects); ``section``
records for each heading of 第1章/第2章, each 分野 page, and each 施策 (summary,
施策の方針, 主な事業 table, その他の関連の事業 table).

Modules: :mod:`.outline` (目次 and 施策体系 pages), :mod:`.walk` (the body, line by
line), :mod:`.blocks` (one 事業番号 block), :mod:`.sections` (text under a heading),
:mod:`.projects` (merging printings, 主な事業 table columns), :mod:`.text` (cells).
"""

from __future__ import annotations

from indexer.parsing.common import unique_keys
from indexer.parsing.isehara.blocks import Block
from indexer.parsing.isehara.outline import read_outline
from indexer.parsing.isehara.projects import dedupe, table_rows, with_table
from indexer.parsing.isehara.sections import Section, section_fields
from indexer.parsing.isehara.walk import walk
from indexer.records import DocumentInfo, Field, Project, project_record, section_record

__all__ = ["parse"]

_SectionText = tuple[tuple[str, ...], tuple[Field, ...]]  # (path, fields) of a section


def parse(text: str, doc: DocumentInfo) -> list[Project]:
    """Project and section records of the 中期戦略事業プラン, in document order."""
    lines = text.splitlines()
    outline = read_outline(lines)
    table = table_rows(lines)
    entries = [
        with_table(e, table.get(e.project_id), outline.leading) if isinstance(e, Block) else e
        for e in dedupe(walk(lines, outline))
    ]
    return _records(entries, doc)


def _records(entries: list[Section | Block], doc: DocumentInfo) -> list[Project]:
    """Records in document order; sections without any text are left out."""
    kept: list[Block | _SectionText] = []
    for e in entries:
        if isinstance(e, Block):
            kept.append(e)
        elif fields := section_fields(e.lines):
            kept.append((e.path, fields))
    keys = unique_keys(e.project_id if isinstance(e, Block) else None for e in kept)
    return [
        _project_record(doc, key, e) if isinstance(e, Block) else section_record(doc, key, *e)
        for e, key in zip(kept, keys, strict=True)
    ]


def _project_record(doc: DocumentInfo, key: str, block: Block) -> Project:
    return project_record(
        doc,
        project_key=key,
        project_id=block.project_id,
        name=block.name,
        department=block.department,
        path=block.path,
        fields=block.fields,
    )
