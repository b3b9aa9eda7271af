"""Parser for 第2次伊勢崎市総合計画 後期基本計画 実施計画（令和3年度版） (``isesaki-jisshi-r3``).

Layout of the converted PDF (tab-separated table rows, some HTML fragments):

* Cover and 目次 (table of contents, rows ``title<TAB>page``): skipped.
* ``第1部 実施計画の概要``: a short list of its chapters (``- 1 …``, skipped), then
  chapters ``1 総合計画の構成と期間`` … with prose, sub-headings such as ``基本構想`` or
  ``■ まちづくり重点プログラム``, and a two-column table of project counts per 分野.
  The legend ``夢・希望応援プログラム …… 重点1`` names the まちづくり重点プログラム.
* ``第2部 施策体系``: a list of the 分野 (``- 健康・医療分野`` …), then per 施策 a heading
  ``1-1-1 健康づくりと疾病予防の推進``, the sub-heading ``施策の展開と主な取組`` with one
  table per 施策の展開 (``① …<TAB>事業番号<TAB>事業名<TAB>ページ``) whose rows are
  ``● 主な取組<TAB>1<TAB>事業名<TAB>50`` (主な取組 left empty on continuation rows and
  主な取組 without project rows have empty number cells), and the sub-heading
  ``まちづくりの指標（成果指標）`` with an indicator table. The 分野 names are printed only
  in the list (and twice as standalone headings); the n-th distinct ``X-Y`` 施策 prefix
  belongs to the n-th listed 分野. The last table, ``まちづくり重点プログラム``, has no 施策.
* ``第3部 実施計画事業``: 343 blocks, one per project, each of four labelled rows plus
  continuation rows (first cell empty)::

      事業番号<TAB>1<TAB>担当課<TAB>健康づくり課<TAB>重点P<TAB>重点1
      事業名<TAB>健康づくりの拠点整備事業
      事業概要<TAB>実施目的<TAB><TAB>具体的方法 …   (texts on this row or the next one)
      事業計画<TAB>令和3年度<TAB><TAB>令和4年度<TAB><TAB>令和5年度
      <TAB><ul …> ●… ●… <TAB><TAB><ul …> ●… <TAB><TAB>●…

  The PDF conversion shifts cells, so texts are attributed by the label they follow and
  by column (see :mod:`.fields`). A back-cover colophon follows the last block and is
  skipped.

Projects get their section_path (分野, 施策, 施策の展開) from their first listing in the
施策体系 tables and a ``施策体系`` field with every listing.

Modules: :mod:`.overview` (第1部), :mod:`.system` (第2部), :mod:`.blocks` and
:mod:`.fields` (第3部), :mod:`.sections` (non-project text of parts 1 and 2).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from indexer.parsing.common import group_under, unique_keys
from indexer.parsing.jisshi.blocks import Block, ProjectContext, block_id, block_record, read_blocks
from indexer.parsing.jisshi.fields import plan_years
from indexer.parsing.jisshi.overview import overview_sections, program_legend
from indexer.parsing.jisshi.sections import Section
from indexer.parsing.jisshi.system import Placement, by_project, read_system
from indexer.records import DocumentInfo, Project, section_record

__all__ = ["Placement", "parse", "read_placements"]

# Part headings are the only "第N部 …" lines without a tab (the 目次 rows carry a page).
_PART_HEADING = re.compile(r"^第(\d)部 [^\t]+$")


def parse(text: str, doc: DocumentInfo) -> list[Project]:
    """Parse the 実施計画 into section records (parts 1 and 2) and 343 project records."""
    sections: list[Section] = []
    placements: list[Placement] = []
    blocks: list[Block] = []
    for number, heading, lines in _split_parts(text):
        if number == "1":
            sections += overview_sections(heading, lines)
        elif number == "2":
            system_sections, placements = read_system(lines)
            sections += system_sections
        elif number == "3":
            blocks = read_blocks(lines)
    kept = [s for s in sections if s.fields()]
    keys = unique_keys([*(None for _ in kept), *map(block_id, blocks)])
    section_keys, project_keys = keys[: len(kept)], keys[len(kept) :]
    context = ProjectContext(by_project(placements), program_legend(text), plan_years(text))
    return [
        section_record(doc, key, s.path, s.fields())
        for key, s in zip(section_keys, kept, strict=True)
    ] + [
        block_record(doc, key, block, context)
        for key, block in zip(project_keys, blocks, strict=True)
    ]


def read_placements(text: str) -> dict[str, list[Placement]]:
    """Every listing of each project in the 施策体系 tables, keyed by project_id."""
    for number, _heading, lines in _split_parts(text):
        if number == "2":
            return by_project(read_system(lines)[1])
    return {}


def _split_parts(text: str) -> Iterator[tuple[str, str, list[str]]]:
    """(part number, heading, lines) of each 第N部; the cover and 目次 before it are dropped."""
    parts = group_under(text.split("\n"), _part_heading)
    for heading, lines in parts:
        yield heading[1], heading, lines  # heading[1] is the N of 第N部


def _part_heading(line: str) -> str | None:
    """``第1部 実施計画の概要`` (stripped) when ``line`` is a part heading."""
    return line.strip() if _PART_HEADING.match(line.strip()) else None
