"""Passages → projects: the first passage of each project, in rank order (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar


class Grouped(Protocol):
    """What grouping by project reads of a passage (a ``service.search`` chunk holds it)."""

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


class Passage(Grouped, Protocol):
    """What ranking and grouping read of a passage: a ``service.schemas.Hit``, or a lighter
    record of a candidate that becomes a hit only if it is shown."""

    @property
    def score(self) -> float: ...


P = TypeVar("P", bound=Passage)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Grouping:
    """What grouping reads of a passage, as keys: its project (document and key), what its card
    would show (title and text) and whether it belongs to a project at all. A function of the
    chunk alone, so a search engine makes each chunk's once at load (``Grouping.of``) instead
    of reading five fields of every candidate (~335 a question) on every request."""

    project: tuple[str, str]
    shown: tuple[str | None, str]
    is_project: bool

    @classmethod
    def of(cls, passage: Grouped) -> Grouping:
        """The grouping keys of ``passage``."""
        return cls(
            (passage.doc_id, passage.project_key),
            (passage.project_name, passage.text),
            passage.project_id is not None,
        )


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
    """The ``top_k`` best projects, each with up to ``evidence`` of its best passages (the
    rules: ``group_passages``)."""
    groups = group_passages(((h, Grouping.of(h)) for h in hits), top_k, evidence)
    # Each group's first passage is its project's best, groups in the order of those: the
    # projects' ranks are the groups' order.
    ranks = rank_projects([g[0] for g in groups])
    return list(zip(ranks, groups, strict=True))


def group_passages(
    passages: Iterable[tuple[T, Grouping]], top_k: int, evidence: int = 3
) -> list[list[T]]:
    """The passages (best first, each with its ``Grouping``) of the ``top_k`` best projects,
    up to ``evidence`` each, projects in the order of their best passage; passages of
    non-project sections are skipped.

    A passage is not shown a second time under the same title: when a project of the
    same name already shows that text, the passage is left out of the later project's
    evidence (and a project left with no passage is not listed). Two such cards would
    read as one project listed twice, e.g. a 方針 row that two 重点プロジェクト pages both
    print with the same indicator.
    """
    groups: dict[tuple[str, str], list[T]] = {}
    shown: dict[tuple[str | None, str], tuple[str, str]] = {}  # (title, text) → its project
    for passage, grouping in passages:
        key, seen = grouping.project, grouping.shown
        if not grouping.is_project or shown.get(seen, key) != key:
            continue
        if key not in groups and len(groups) == top_k:
            continue
        found = groups.setdefault(key, [])
        if len(found) < evidence:
            found.append(passage)
            shown.setdefault(seen, key)
    return list(groups.values())
