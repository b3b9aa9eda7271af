"""The layout-independent parser (``--layout generic``): projects found from a document's
own structure, for a plan no specific parser knows.

It reads what Japanese plans print whatever their layout: numbered headings (``第3章``,
``1``, ``(1)``, ``1-1-1``, ``重点施策 1-1``) kept as the section path; a project opened by a
number after a label (``事業番号 34``, ``No. ①``), by an ordinal after a word (``方針２：``)
or by a row of a table of projects (a ``No.``/``事業番号`` column, or a first cell opening
with ``①``); its label–value rows (事業名, 担当課, 実施目的, 目標 …) as named fields, per
fiscal year when a row of year columns heads them. A local number (``①``, ``(1)``,
``方針２``) is qualified by the headings above it (``1-(1)-①``, ``1-1 方針2``).

A project printed twice (a table of contents, then its page) is one record: the printing
with the most text. The records are the same ``Project`` shapes the specific parsers yield.
"""

from __future__ import annotations

import re

from indexer.parsing.common import unique_keys
from indexer.parsing.generic.walk import Block, Section, Walk
from indexer.records import DocumentInfo, Field, Project, project_record, section_record

_SPACE = re.compile(r"\s+")


def _size(block: Block) -> int:
    return sum(len(f.text) for f in block.fields)


def _one_per_project(items: list[Block | Section]) -> list[Block | Section]:
    """Items with each project kept once: the printing with the most text, numbered as first
    printed. Printings are one project when they print the same number and name; the
    contents list numbers a project under all its headings while its page may sit under
    fewer (a 取組項目 page that repeats only the 中項目), so the first number is kept."""
    groups: dict[tuple[str, str], list[Block]] = {}
    for item in items:
        if isinstance(item, Block):
            groups.setdefault((item.printed, _SPACE.sub("", item.name or "")), []).append(item)
    kept: dict[int, Block] = {}
    for printings in groups.values():
        richest = max(printings, key=_size)
        richest.number, richest.path = printings[0].number, printings[0].path
        kept[id(richest)] = richest
    # A row of a contents table whose number a page prints under another spelling of the
    # name (or two pages, for two parts of one numbered project) points at those pages.
    paged = {b.number for b in kept.values() if not b.contents}
    kept = {k: b for k, b in kept.items() if not (b.contents and b.number in paged)}
    return [i for i in items if isinstance(i, Section) or id(i) in kept]


def _record(item: Block | Section, key: str, doc: DocumentInfo) -> Project:
    if isinstance(item, Section):
        name = item.path[-1] if item.path else "本文"
        return section_record(doc, key, item.path, (Field(name, "\n".join(item.lines)),))
    return project_record(
        doc,
        project_key=key,
        project_id=item.number,
        name=item.name,
        department=item.department,
        path=item.path,
        fields=tuple(item.fields),
    )


def parse(text: str, doc: DocumentInfo) -> list[Project]:
    """Project and section records of any plan document's text."""
    walk = Walk()
    for line in text.split("\n"):
        walk.feed(line)
    items = _one_per_project(walk.finish())
    keys = unique_keys(i.number if isinstance(i, Block) else None for i in items)
    return [_record(item, key, doc) for item, key in zip(items, keys, strict=True)]
