"""Cross-document links: a project that names another document's project in 関連事業.

Manifesto items print the 実施計画 施策 code, the 主な取組 and the project name they rely
on (「2-2-3①③ 進出企業と市内企業との協業支援 企業誘致事業」); the action plan names
related projects too. A line links the projects of another document of the same city
that it names, found in this order (the first rule that finds the name wins):

* ``名称一致``: the project's name, spaces and 「」『』 ignored, stands in the line; when
  several projects share the name, the one under the cited 施策 code wins.
* ``名称近似（表記揺れ）``: under the cited 施策 (``2-2-3``), a cited name of the same
  length as the project's with at most one character in six replaced — what the PDF
  conversion does to a name (「心たはすくすくプラン」 for 「ふたばすくすくプラン」).
* ``名称包含``: under the cited 施策, a cited name of six characters or more that the
  project's name contains, or that contains it (「再資源化推進事業」 for
  「ごみ減量化・再資源化推進事業」).
* ``施策・主な取組一致、名称近似``: under the cited 施策 and 主な取組, which the project's
  施策体系 lists, a cited name at least 80 % similar (「空家等対策事業」 for
  「空家等対策推進事業」). A project's 主な取組 include the rows its cell spans in the
  施策体系 table: a 主な取組 printed with no number of its own belongs to the project above
  it (「● 実践的な防災訓練の実施による地域防災力の強化」 below 182 地域防災力向上事業).

An approximate match counts only when one project is clearly closest (by ten points of
similarity): 「華蔵寺公園遊園地充実事業」 is as near to 「…修繕事業」 as to 「…保守点検事業」
and links neither. Only names printed like project names (…事業, …プラン, …プロジェクト)
are looked for (a bracketed qualifier after the name is allowed: 「…道路改良事業（足利線以南
工区）」), so an action-plan 方針 title inside a line is no citation.

The rules are checked against a hand audit of every manifesto item's 関連事業 against the
実施計画 r3 (``eval/gold/manifesto-links.jsonl``): the 62 items that cite a project r3
prints link all of them, and no item links a project it does not cite.

A line whose names match none of these links nothing: the manifesto often cites a later
edition's project names (「商業振興対策事業」), which this edition does not print, and the
projects that merely sit under the same 施策 are not what the item cites. Each link keeps
how it was found (``evidence``), and is also recorded in the other direction.

Links are computed once at index time and stored with the index (``links.jsonl``), so a
service never recomputes them and every process serves the same ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise

from indexer.records import DocumentInfo, Project

CITING_FIELDS = ("関連事業",)
# 「2-2-3①③ 進出企業と… 企業誘致事業」: the 施策 code as printed, then the rest of the line.
_CODE = re.compile(r"^\s*(\d+-\d+-\d+)\S*\s*(.*)$")
_POLICY = re.compile(r"\d+-\d+-\d+")
# How a printed project name ends: 企業誘致事業, 「ふたばすくすくプラン」推進事業, …プロジェクト.
_NAME_END = re.compile(r"(事業|プラン|プロジェクト)$")
_IGNORED = re.compile(r"[\s「」『』]")
# A name may end in a bracketed qualifier: 「都市計画道路3・3・3号道路改良事業（足利線以南工区）」.
_QUALIFIER = re.compile(r"\([^()]*\)$")
MIN_NAME_CHARS = 4
MIN_CONTAINED_CHARS = 6
MAX_NAME_TOKENS = 3
SIMILAR = 0.8
MARGIN = 0.1

Key = tuple[str, str]


@dataclass(frozen=True)
class Link:
    """A project of another document that a record cites, or that cites it (``via`` says which
    field, with （被参照） for the reverse direction; ``evidence`` how the name was matched)."""

    doc_id: str
    project_key: str
    project_id: str | None
    project_name: str | None
    via: str
    evidence: str = ""


def normalized(text: str) -> str:
    """A name as compared: NFKC, without spaces and 「」『』 (the converter adds and drops them)."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class _Target:
    """A project that may be cited: its compared name, 施策 codes and 主な取組."""

    project: Project
    name: str
    policies: frozenset[str]
    actions: tuple[str, ...]


def _target(p: Project, spanned: Iterable[str] = ()) -> _Target:
    """``p`` as a citable project; ``spanned`` are 主な取組 its table cell spans (see below)."""
    placements = [ln for f in p.fields if f.name == "施策体系" for ln in f.text.splitlines()]
    policies = {c for text in (*p.section_path, *placements) for c in _POLICY.findall(text)}
    listed = [ln.rsplit("●", 1)[1] for ln in placements if "●" in ln]
    actions = tuple(dict.fromkeys(normalized(a) for a in (*listed, *spanned)))
    return _Target(p, normalized(p.project_name or ""), frozenset(policies), actions)


def spanned_actions(records: Iterable[Project], number_label: str) -> dict[str, list[str]]:
    """Project number → the 主な取組 whose row prints no number of its own, below its own.

    A 施策体系 table (「① … | 事業番号 | 事業名 | ページ」) prints one project cell over
    several 主な取組 rows (「● 自主防災組織などの強化 | 182 | 地域防災力向上事業」, then
    「● 実践的な防災訓練の実施による地域防災力の強化」 with empty cells): the converter keeps
    the cell on the first row only, so a numberless 主な取組 belongs to the project above it.
    """
    out: dict[str, list[str]] = defaultdict(list)
    for f in (f for r in records if r.kind == "section" for f in r.fields if f.rows):
        column: int | None = None
        above: list[str] = []
        for row in f.rows:
            if number_label in row and "事業名" in row:
                column, above = row.index(number_label), []
            elif column is not None and column < len(row):
                number, action = row[column], row[0].lstrip("●").strip()
                if number:
                    above = [number] if row[0].startswith("●") else [*above, number]
                elif row[0].startswith("●"):
                    for n in above:
                        out[n].append(action)
    return dict(out)


@dataclass(frozen=True)
class _Line:
    """A citing line: its 施策 code (if printed), compared text and cited-name candidates."""

    policy: str | None
    text: str
    names: tuple[str, ...]


def _read_line(line: str) -> _Line:
    m = _CODE.match(line)
    rest = m.group(2) if m else line
    return _Line(m.group(1) if m else None, normalized(rest), tuple(_cited_names(rest)))


def _cited_names(rest: str) -> Iterator[str]:
    """Candidate names: runs of up to three words ending like a name, after the 主な取組.

    Names are printed after the 主な取組, sometimes broken by a space (「心たはすくすくプラン
    推進事業」); the first word is the 主な取組 unless it is the only word.
    """
    words = rest.split()
    first = 1 if len(words) > 1 else 0
    for end, word in enumerate(words):
        if _NAME_END.search(word):
            for start in range(max(first, end - MAX_NAME_TOKENS + 1), end + 1):
                yield normalized("".join(words[start : end + 1]))


def _exact(line: _Line, targets: list[_Target]) -> list[tuple[_Target, str]]:
    named = [t for t in targets if len(t.name) >= MIN_NAME_CHARS and t.name in line.text]
    # 「中小企業振興対策事業」 must not also match a shorter name inside it.
    named = [t for t in named if not any(t.name != u.name and t.name in u.name for u in named)]
    by_name: dict[str, list[_Target]] = defaultdict(list)
    for t in named:
        by_name[t.name].append(t)
    out = []
    for options in by_name.values():
        coded = [t for t in options if line.policy in t.policies]
        out.append(((coded or options)[0], "名称一致"))
    return out


def _misprinted(cited: str, name: str) -> bool:
    """Same length, at most one character in six replaced (at least one), none side by side.

    The converter damages single glyphs (心 for ふ, は for ば); a renamed project changes a
    word (「華蔵寺公園遊園地充実事業」 is not 「…修繕事業」).
    """
    if len(cited) != len(name) or len(name) < MIN_NAME_CHARS:
        return False
    replaced = [i for i, (a, b) in enumerate(zip(cited, name, strict=True)) if a != b]
    adjacent = any(j == i + 1 for i, j in pairwise(replaced))
    return len(replaced) <= max(1, len(name) // 6) and not adjacent


def _contained(cited: str, name: str) -> bool:
    shorter = min(cited, name, key=len)
    return len(shorter) >= MIN_CONTAINED_CHARS and (cited in name or name in cited)


def _same_action(line: _Line, target: _Target) -> bool:
    return any(line.text.startswith(a) for a in target.actions if a)


def _near(line: _Line, targets: list[_Target]) -> list[tuple[_Target, str]]:
    """Names that differ from the project's, under the cited 施策 only; best match per name."""
    coded = [t for t in targets if line.policy and line.policy in t.policies]
    found: dict[str, tuple[_Target, str]] = {}
    for cited in line.names:
        ranked = sorted(coded, key=lambda t: -SequenceMatcher(None, cited, t.name).ratio())
        for rule, evidence in _NEAR_RULES:
            hits = [t for t in ranked if rule(line, cited, t)]
            if not hits:
                continue
            if _clearly_closest(cited, hits[0], ranked):
                found.setdefault(hits[0].project.project_key, (hits[0], f"{evidence}: {cited}"))
            break
    return list(found.values())


def _clearly_closest(cited: str, best: _Target, ranked: list[_Target]) -> bool:
    """No other project under the 施策 is within ``MARGIN`` of ``best``'s similarity."""
    score = SequenceMatcher(None, cited, best.name).ratio()
    others = [SequenceMatcher(None, cited, t.name).ratio() for t in ranked if t is not best]
    return all(o <= score - MARGIN for o in others)


_NEAR_RULES = (
    (lambda line, cited, t: _misprinted(cited, t.name), "名称近似（表記揺れ）"),
    (lambda line, cited, t: _contained(cited, t.name), "名称包含"),
    (
        lambda line, cited, t: (
            _same_action(line, t) and SequenceMatcher(None, cited, t.name).ratio() >= SIMILAR
        ),
        "施策・主な取組一致、名称近似",
    ),
)


def cited_projects(line: str, targets: Iterable[Project]) -> list[tuple[Project, str]]:
    """The projects of ``targets`` that one 関連事業 line cites, each with how it matched."""
    return _cited(line, [_target(p) for p in targets])


def _cited(line: str, kept: list[_Target]) -> list[tuple[Project, str]]:
    read = _read_line(line)
    exact = _exact(read, kept)
    # A cited name that matched exactly is not matched again approximately.
    rest = _Line(read.policy, read.text, tuple(n for n in read.names if not _has(n, exact)))
    near = [(t, e) for t, e in _near(rest, kept) if all(t is not x for x, _ in exact)]
    return [(t.project, evidence) for t, evidence in exact + near]


def _has(cited: str, matched: list[tuple[_Target, str]]) -> bool:
    return any(t.name in cited or cited in t.name for t, _ in matched)


def build_links(
    records: Iterable[Project], documents: dict[str, DocumentInfo]
) -> dict[Key, list[Link]]:
    """(doc_id, key) → links to projects of other documents, both directions, de-duplicated."""
    records = list(records)
    projects = [r for r in records if r.kind == "project"]
    spanned = {
        doc_id: spanned_actions((r for r in records if r.doc_id == doc_id), doc.number_label)
        for doc_id, doc in documents.items()
    }
    by_doc: dict[str, list[_Target]] = defaultdict(list)
    for p in projects:
        if p.project_name and _NAME_END.search(_QUALIFIER.sub("", normalized(p.project_name))):
            by_doc[p.doc_id].append(_target(p, spanned[p.doc_id].get(p.project_id or "", ())))
    links: dict[Key, list[Link]] = defaultdict(list)
    for source in projects:
        city = documents[source.doc_id].city
        others = [d for d in by_doc if d != source.doc_id and documents[d].city == city]
        for f in (f for f in source.fields if f.name in CITING_FIELDS):
            for line in f.text.splitlines():
                for doc_id in others:
                    for target, evidence in _cited(line, by_doc[doc_id]):
                        _add(links, (source.doc_id, source.project_key), target, f.name, evidence)
                        _add(
                            links,
                            (target.doc_id, target.project_key),
                            source,
                            f"{f.name}（被参照）",
                            evidence,
                        )
    return dict(links)


def _add(links: dict[Key, list[Link]], key: Key, target: Project, via: str, evidence: str) -> None:
    if all((x.doc_id, x.project_key) != (target.doc_id, target.project_key) for x in links[key]):
        link = Link(
            target.doc_id, target.project_key, target.project_id, target.project_name, via, evidence
        )
        links[key].append(link)
