"""Records → chunks: one or more fields per chunk, never two records per chunk.

Consecutive small fields of a record are packed together (a project's purpose and
method, its yearly plans) while they fit; a field longer than the bound is split
on Japanese sentence boundaries. Lengths are measured in model tokens by the
``count_tokens`` callable, so the bound holds for the real embedder's window.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from indexer.labels import field_block
from indexer.records import Chunk, DocumentInfo, Field, Project, place_of

if TYPE_CHECKING:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from indexer.settings import Settings

TokenCounter = Callable[[str], int]

# Coarse to fine; the separator stays at the end of the piece it closes.
JAPANESE_SEPARATORS = ["\n\n", "\n", "。", "、", " ", ""]


@dataclass(frozen=True)
class ChunkingConfig:
    """Bounds of a chunk in model tokens, header included."""

    max_tokens: int = 384
    overlap_tokens: int = 32

    @classmethod
    def from_settings(cls, settings: Settings) -> ChunkingConfig:
        """The bounds a build's settings give (every builder reads them the same way)."""
        return cls(settings.chunk_max_tokens, settings.chunk_overlap_tokens)


def chunk_id_for(doc_id: str, project_key: str, field: str, part: int) -> int:
    """Stable positive int64 id of a chunk, from where it sits in the corpus."""
    digest = hashlib.blake2b(
        f"{doc_id}\x1f{project_key}\x1f{field}\x1f{part}".encode(), digest_size=8
    )
    return int.from_bytes(digest.digest(), "big") & 0x7FFF_FFFF_FFFF_FFFF


# The numbering before a heading's name (施策 20, 重点施策 7-1, 1-2-1, (2), ①): no words.
_HEADING_NUMBER = re.compile(r"^(?:重点施策|施策)?\s*(?:[\d-]+|\(\d+\)|[①-⑳])\s*")


def policy_of(record: Project) -> str:
    """The name of the policy a project serves: its innermost heading without its number
    (実施計画 ``① 子育て環境の充実``, 中期 ``施策 20 平和と多文化共生社会の推進``, 行革
    ``(6) 安心安全社会の実現``, アクションプラン ``重点施策 7-1 …``, マニフェスト
    ``(2) 行財政改革``); "" for a section or a project without headings."""
    if record.project_id is None or not record.section_path:
        return ""
    return _HEADING_NUMBER.sub("", record.section_path[-1]).strip()


def header_for(doc: DocumentInfo, record: Project, field: str) -> str:
    """One line saying where a passage comes from: document › project (and the policy it
    serves) or section › field.

    The policy is the words a resident's question shares with a project whose own name it
    does not know (「お年よりの集まり」 → 生きがいと健康づくりの推進, not 放課後児童クラブ), and it
    tells apart projects of one name in different fields. On the dev questions (hybrid nDCG@10,
    the index rebuilt with it) citizen 0.857 -> 0.871, list 0.825 -> 0.836, foreign 0.868 ->
    0.883, plain 0.761 -> 0.770 (33 q), staff 0.989 -> 0.979, detail unchanged; on test citizen
    0.788 -> 0.804, staff 0.957 -> 0.962, list 0.668 -> 0.678, detail 0.946 -> 0.944, plain
    0.688 -> 0.679, foreign unchanged."""
    parts = [doc.short_title or doc.title]
    if record.project_id is not None:
        label = doc.project_label(record.project_id)
        parts.append(f"{label} {record.project_name}" if record.project_name else label)
        if policy := policy_of(record):
            parts.append(policy)
    elif record.section_path:
        parts.append(" › ".join(record.section_path))
    if field and field != "本文":
        parts.append(field)
    return " | ".join(parts)


def merge_repeated_years(fields: Iterable[Field]) -> list[Field]:
    """Consecutive yearly fields with the same name and text become one field over a range.

    Plans often repeat the same work for every year; embedding it three times
    costs time and crowds the ranking with copies of one passage.
    """
    out: list[Field] = []
    run_end: dict[int, str] = {}
    for f in fields:
        last = out[-1] if out else None
        if last and f.year and last.year and (last.name, last.text) == (f.name, f.text):
            run_end[len(out) - 1] = f.year
            continue
        out.append(f)
    for i, end in run_end.items():
        out[i] = Field(out[i].name, out[i].text, f"{out[i].year}〜{end}")
    return out


def _field_block(f: Field) -> str:
    return field_block(f.label, f.text)


# What a field says about a project. A chunk holds fields of one role only, so a
# project's purpose is embedded apart from its yearly bullets, figures and
# classification, which would otherwise blur the vector of what it is about.
_ROLE_BY_NAME = {
    "実施目的": "summary",
    "具体的方法": "summary",
    "事業内容": "summary",
    "取組内容": "summary",
    # An action-plan 方針 (or 取組) row is its title and its indicators: one passage, now
    # that its group's shared 取組の方向性 text is indexed on the project's own page.
    "方針": "target",
    "取組": "target",
    "マニフェスト": "summary",
    "事業計画": "plan",
    "事業行程": "plan",
    "取組工程": "plan",
    "取組予定": "plan",
    "目標": "target",
    "成果指標": "target",
    "指標名": "target",
    "現状値": "target",
    "目標値": "target",
    "取組状況": "result",
    "取組成果": "result",
    "取組達成度": "result",
    "実施状況": "result",
    "主な取組": "context",
    "施策体系": "context",
    "重点プログラム": "context",
    "リーディングプロジェクト": "context",
    "関連事業": "context",
    "SDGs": "context",
}
_ROLE_BY_PREFIX = (
    ("5年後までの目標", "summary"),
    ("目標", "target"),
    ("事業費総額", "budget"),
    ("財源内訳", "budget"),
    ("財政効果額", "budget"),
    ("取組課題", "result"),
    ("取組の方向性", "context"),
)


def field_role(name: str) -> str:
    """The role of a field by its printed name; ``other`` for section headings and the rest."""
    if name in _ROLE_BY_NAME:
        return _ROLE_BY_NAME[name]
    return next((role for prefix, role in _ROLE_BY_PREFIX if name.startswith(prefix)), "other")


def _group_fields(fields: Iterable[Field], fits: Callable[[str], bool]) -> Iterator[list[Field]]:
    """Consecutive fields of one role, packed greedily while their joined text fits."""
    group: list[Field] = []
    for f in fields:
        candidate = [*group, f]
        same_role = not group or field_role(group[-1].name) == field_role(f.name)
        if group and (not same_role or not fits("\n".join(_field_block(x) for x in candidate))):
            yield group
            candidate = [f]
        group = candidate
    if group:
        yield group


def _field_name(group: list[Field]) -> str:
    if len(group) == 1:
        return group[0].label
    return "・".join(dict.fromkeys(f.name for f in group))


def _splitter(budget: int, overlap: int, count: TokenCounter) -> RecursiveCharacterTextSplitter:
    # Imported here: a server reads ``field_role`` from this module, and langchain (~7 MB with
    # what it pulls in: requests, urllib3, langchain_core) is for building an index only.
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        separators=JAPANESE_SEPARATORS,
        keep_separator="end",
        chunk_size=budget,
        chunk_overlap=min(overlap, budget // 4),
        length_function=count,
        strip_whitespace=True,
    )


def chunk_record(
    doc: DocumentInfo, record: Project, count: TokenCounter, config: ChunkingConfig
) -> list[Chunk]:
    """Chunks of one record, in field order; each ``indexed_text`` within ``max_tokens``."""
    chunks: list[Chunk] = []

    def fits_with(header: str, body: str) -> bool:
        return count(f"{header}\n{body}") <= config.max_tokens

    probe_header = header_for(doc, record, "")
    # Shared text is indexed on the record of the page that prints it, not on each copy.
    fields = merge_repeated_years(f for f in record.fields if not f.shared)
    for group in _group_fields(fields, lambda body: fits_with(probe_header, body)):
        field = _field_name(group)
        header = header_for(doc, record, field)
        body = "\n".join(_field_block(f) for f in group)
        pieces = [body] if fits_with(header, body) else _split(header, body, count, config)
        for piece in pieces:
            part = sum(1 for c in chunks if c.field == field)
            chunks.append(_make_chunk(doc, record, field, header, piece, part))
    return chunks


def _split(header: str, body: str, count: TokenCounter, config: ChunkingConfig) -> list[str]:
    # The header and the joining newline count against the model window too.
    budget = config.max_tokens - count(header + "\n") - 2
    pieces = _splitter(budget, config.overlap_tokens, count).split_text(body)
    return [p for p in pieces if p.strip()]


def _make_chunk(
    doc: DocumentInfo, record: Project, field: str, header: str, text: str, part: int
) -> Chunk:
    return Chunk(
        chunk_id=chunk_id_for(doc.doc_id, record.project_key, field, part),
        field=field,
        header=header,
        text=text,
        **place_of(record),
    )


def chunk_records(
    doc: DocumentInfo, records: Iterable[Project], count: TokenCounter, config: ChunkingConfig
) -> list[Chunk]:
    """Chunks of every record of one document, in document order."""
    return [c for r in records for c in chunk_record(doc, r, count, config)]
