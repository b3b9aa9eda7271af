"""Cross-document links: a project that names another document's project in 関連事業.

Manifesto items print the 実施計画 施策 code and project name they rely on
(「2-2-3①③ 進出企業と市内企業との協業支援 企業誘致事業」); the action plan names
related projects too. A link is made when a line of such a field contains the
exact name of a project of another document of the same city; when several
projects share the name, the one whose 施策 heading starts with the cited code
wins. Every link is also recorded in the other direction.

Links are computed once at index time and stored with the index (``links.jsonl``), so a
service never recomputes them and every process serves the same ones.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from indexer.records import DocumentInfo, Project

CITING_FIELDS = ("関連事業",)
_CODE = re.compile(r"^\s*(\d+-\d+-\d+)")
# 「2-2-2②② 技術開発や製品開発への支援 …」: the 施策 code, then the 主な取組 it names.
_CODE_AND_ACTION = re.compile(r"^\s*(\d+-\d+-\d+)\S*\s+(\S+)")
MAX_PLACEMENT_LINKS = 5
MIN_NAME_CHARS = 4

Key = tuple[str, str]


@dataclass(frozen=True)
class Link:
    """A project of another document that a record cites, or that cites it (``via`` says which
    field, with （被参照） for the reverse direction)."""

    doc_id: str
    project_key: str
    project_id: str | None
    project_name: str | None
    via: str


def _link(target: Project, via: str) -> Link:
    return Link(target.doc_id, target.project_key, target.project_id, target.project_name, via)


def _targets_in(line: str, candidates: dict[str, list[Project]]) -> list[Project]:
    named = [name for name in candidates if name in line]
    # 「中小企業振興対策事業」 must not also match a shorter name inside it.
    named = [n for n in named if not any(n != m and n in m for m in named)]
    code = _CODE.match(line)
    out = []
    for name in named:
        options = candidates[name]
        if code and len(options) > 1:
            coded = [p for p in options if any(s.startswith(code.group(1)) for s in p.section_path)]
            options = coded or options
        out.append(options[0])
    return out


def _placements(projects: list[Project]) -> dict[str, list[tuple[str, Project]]]:
    """doc_id → (施策体系 line, project) for documents that print placements."""
    out: dict[str, list[tuple[str, Project]]] = defaultdict(list)
    for p in projects:
        for f in p.fields:
            if f.name == "施策体系":
                out[p.doc_id] += [(line, p) for line in f.text.splitlines()]
    return out


def _placed_under(line: str, placements: list[tuple[str, Project]]) -> list[Project]:
    """Projects listed under the cited 施策 code and 主な取組, when no name matched.

    Manifesto items often cite a later edition's project names, which this
    edition does not print; the 施策 and 主な取組 they cite still place them.
    """
    match = _CODE_AND_ACTION.match(line)
    if not match:
        return []
    code, action = match.groups()
    found = [p for text, p in placements if f" {code} " in f" {text} " and f"● {action}" in text]
    return list(dict.fromkeys(found))[:MAX_PLACEMENT_LINKS]


def build_links(
    records: Iterable[Project], documents: dict[str, DocumentInfo]
) -> dict[Key, list[Link]]:
    """(doc_id, key) → links to projects of other documents, both directions, de-duplicated."""
    projects = [r for r in records if r.kind == "project"]
    by_name: dict[str, dict[str, list[Project]]] = defaultdict(lambda: defaultdict(list))
    for p in projects:
        if p.project_name and len(p.project_name) >= MIN_NAME_CHARS:
            by_name[p.doc_id][p.project_name].append(p)
    placements = _placements(projects)
    links: dict[Key, list[Link]] = defaultdict(list)
    for source in projects:
        city = documents[source.doc_id].city
        for f in (f for f in source.fields if f.name in CITING_FIELDS):
            for line in f.text.splitlines():
                for doc_id, names in by_name.items():
                    if doc_id == source.doc_id or documents[doc_id].city != city:
                        continue
                    targets = _targets_in(line, names) or _placed_under(line, placements[doc_id])
                    for target in targets:
                        _add(links, (source.doc_id, source.project_key), _link(target, f.name))
                        _add(
                            links,
                            (target.doc_id, target.project_key),
                            _link(source, f"{f.name}（被参照）"),
                        )
    return dict(links)


def _add(links: dict[Key, list[Link]], key: Key, link: Link) -> None:
    if all((x.doc_id, x.project_key) != (link.doc_id, link.project_key) for x in links[key]):
        links[key].append(link)
