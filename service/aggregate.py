"""Passages → projects: the first passage of each project, in rank order (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar


class Passage(Protocol):
    """What ranking and grouping read of a passage: a ``service.schemas.Hit``, or a lighter
    record of a candidate that becomes a hit only if it is shown."""

    @property
    def doc_id(self) -> str: ...
    @property
    def project_key(self) -> str: ...
    @property
    def project_id(self) -> str | None: ...
    @property
    def project_name(self) -> str | None: ...
    @property
    def text(self) -> str: ...
    @property
    def score(self) -> float: ...


P = TypeVar("P", bound=Passage)


@dataclass(frozen=True)
class ProjectRank:
    """A project's place in a ranking, from its best passage."""

    doc_id: str
    project_key: str
    project_id: str
    project_name: str | None
    rank: int
    score: float


def rank_projects(hits: Iterable[Passage]) -> list[ProjectRank]:
    """Projects in the order of their best passage; non-project passages are skipped."""
    seen: set[tuple[str, str]] = set()
    out: list[ProjectRank] = []
    for hit in hits:
        key = (hit.doc_id, hit.project_key)
        if hit.project_id is None or key in seen:
            continue
        seen.add(key)
        out.append(
            ProjectRank(
                hit.doc_id,
                hit.project_key,
                hit.project_id,
                hit.project_name,
                len(out) + 1,
                hit.score,
            )
        )
    return out


def group_by_project(
    hits: Iterable[P], top_k: int, evidence: int = 3
) -> list[tuple[ProjectRank, list[P]]]:
    """The ``top_k`` best projects, each with up to ``evidence`` of its best passages.

    A passage is not shown a second time under the same title: when a project of the
    same name already shows that text, the passage is left out of the later project's
    evidence (and a project left with no passage is not listed). Two such cards would
    read as one project listed twice, e.g. a 方針 row that two 重点プロジェクト pages both
    print with the same indicator.
    """
    groups: dict[tuple[str, str], list[P]] = {}
    shown: dict[tuple[str | None, str], tuple[str, str]] = {}  # (title, text) → its project
    for hit in hits:
        key = (hit.doc_id, hit.project_key)
        seen = (hit.project_name, hit.text)
        if hit.project_id is None or shown.get(seen, key) != key:
            continue
        if key not in groups and len(groups) == top_k:
            continue
        passages = groups.setdefault(key, [])
        if len(passages) < evidence:
            passages.append(hit)
            shown.setdefault(seen, key)
    return [
        (rank, groups[(rank.doc_id, rank.project_key)])
        for rank in rank_projects([g[0] for g in groups.values()])
    ]
