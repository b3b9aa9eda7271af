"""Candidate answers: passages cut into sentences, list lines, table rows and short fields.

A chunk's text is a sequence of 【label】 blocks (indexer.labels writes and parses them). Each
unit keeps the label it sits under, so that its field and fiscal year can be scored and cited.
Pure functions: no index, no model.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from indexer.chunking import field_role
from indexer.labels import OPEN, field_block, parse_label_line
from service.answer.config import DEFAULT_CONFIG, AnswerConfig
from service.answer.patterns import ERA, has_figure
from service.schemas import Hit

UnitKind = Literal["sentence", "line", "row", "table", "field", "department"]

DEPARTMENT_LABEL = "担当"

# "事業計画 令和4年度", "取組達成度 令和2年度〜令和3年度", "主な取組 令和3年度まで"
_LABEL_YEAR = re.compile(rf"^(.*?)\s*({ERA}(?:\s*[〜~～]\s*{ERA})?(?:まで|以降)?)$")
# "令和4年度: 17.0%", "現状値 (令和2年度): 16.2%", "現状値（令和2年度）: 100万人"
_ROW_YEAR = re.compile(rf"^[^:：|]{{0,8}}?[（(]?\s*({ERA})\s*[)）]?\s*[:：]")
_KEY_VALUE = re.compile(r"^[^:：|]{1,10}[:：]")
_TABLE_KEY = re.compile(r"^[^:：|]{1,20}[:：]")  # "現状値 (令和2年度):" too
# 。 ends a sentence unless a closing bracket follows (『はな咲く。』プロジェクト).
_SENTENCE_END = re.compile(r"(?<=。)(?![」』）)】〕])")
# A calendar year alone (令和4年, 令和元年): no field is named so (field labels are a name with
# or without a fiscal year, 令和4年度).
_CALENDAR_YEAR = re.compile(r"(?:令和|平成|昭和)\s*(?:元|[0-9０-９]{1,2})\s*年")
_CELL = " | "  # how the parsers join the cells of a table row
_NOTE_OPEN = ("（", "(", "※")  # a piece opening so annotates the sentence before it
_ITEM, _SUB_ITEM = "●", "○"  # a list item and the sub-items that break it down

# Fields whose short value rows mean nothing without the indicator named just before them.
_INDICATOR_FIELDS = ("指標名", "成果指標")
_VALUE_FIELDS = ("現状値", "目標値")
# A funding breakdown means nothing without the total it breaks down (事業費総額 → 財源内訳).
_TOTAL_FIELD = "事業費"
_BREAKDOWN_FIELD = "財源内訳"
# A status field with one row per department (実施状況: 企画調整課 | C …, 交通政策課 | B …).
_WHOLE_FIELDS = (_BREAKDOWN_FIELD, "実施状況")
# A key-value table longer than this is not one fact (the indicator tables have 4–6 lines).
_MAX_TABLE_LINES = 8


@dataclass(frozen=True)
class Unit:
    """A candidate answer: one sentence, line, row or short field of a passage.

    ``body`` is the text as printed; ``label`` the 【field label】 it sits under (name and
    year); ``context`` a line that makes a bare row understandable (the table header, the
    indicator name), shown and scored with it; ``passage`` the index of its hit.
    """

    body: str
    label: str
    kind: UnitKind
    context: str = ""
    passage: int = 0
    position: int = 0

    @property
    def name(self) -> str:
        """The field name without its year (``事業計画``)."""
        return split_label(self.label)[0]

    @property
    def year(self) -> str | None:
        """The fiscal year label of the field, or of the row when the row is keyed by year."""
        year = split_label(self.label)[1]
        if year:
            return year
        match = _ROW_YEAR.match(self.body)
        return match.group(1) if match else None

    @property
    def text(self) -> str:
        """What the user sees: context first, then 【label】 and the unit itself."""
        head = field_block(self.label, self.body)
        if not self.context:
            return head
        if self.context.startswith(OPEN):
            return f"{self.context}\n{head}"
        return f"{field_block(self.label, self.context)}\n{self.body}"

    @property
    def scoring_text(self) -> str:
        """What is matched against the question: label, context and body on one line."""
        return " ".join(p for p in (self.label, self.context, self.body) if p)


# A unit's name and year are read from its label four times as it is scored, ~120 times an
# answer; the labels are the documents' few hundred field labels.
@functools.lru_cache(maxsize=4096)
def split_label(label: str) -> tuple[str, str | None]:
    """A field label as (name, fiscal year or None).

    ``事業計画 令和4年度`` → (事業計画, 令和4年度); ``目標`` → (目標, None).
    """
    match = _LABEL_YEAR.match(label.strip())
    if not match:
        return label.strip(), None
    name = match.group(1).strip()
    return (name or label.strip()), match.group(2)


@dataclass(frozen=True)
class FieldBlock:
    """One 【label】 block of a chunk: its label and its non-empty lines."""

    label: str
    lines: tuple[str, ...]


def split_fields(text: str, fallback_label: str) -> list[FieldBlock]:
    """The 【label】 blocks of a chunk text; text before the first label gets ``fallback_label``.

    A chunk split inside a long field starts without its label, hence the fallback (the
    chunk's field name).
    """
    fields: list[FieldBlock] = []
    label = fallback_label
    lines: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        opened = parse_label_line(line)
        if opened and _CALENDAR_YEAR.fullmatch(opened[0].strip()):
            # 「【令和4年】 交通人身事故 1,143件」 inside 取組成果: the document's own heading of
            # a calendar year's line, not a field; the line stays in its field, as printed
            opened = None
        if opened and _sub_heading(opened[0].strip(), label, lines):
            # 「【取組成果 令和3年度】【協働まちづくり事業】 2団体…」 then 「【ボランティア・
            # 市民活動通信】 1回1,000部…」: a heading of the year's own items, not a field; the
            # line stays in the year's field (its 1,000部 is 令和3年度's, not every year's)
            opened = None
        if opened:
            if lines:
                fields.append(FieldBlock(label, tuple(lines)))
            label, lines = opened[0].strip(), []
            line = opened[1].strip()
        if line:
            lines.append(line)
    if lines:
        fields.append(FieldBlock(label, tuple(lines)))
    return fields


def _sub_heading(opened: str, label: str, lines: Sequence[str]) -> bool:
    """A 【heading】 line inside a field of one fiscal year whose first line opens with a
    heading too (行政改革's 取組成果 prints one per item: 【協働まちづくり事業】, 【ボランティア・
    市民活動通信】 …): it names no field (no year, no field role) and heads the year's next item."""
    return (
        bool(lines)
        and lines[0].startswith(OPEN)
        and split_label(label)[1] is not None
        and split_label(opened)[1] is None
        and field_role(opened) == "other"
    )


def split_sentences(line: str) -> list[str]:
    """A line cut after each 。; fragments without content, and notes on the sentence before
    (a piece opening with a bracket or ※: 「…新種目を追加しました。（フレクダンス、
    スクートボード）※…」), are glued to the sentence before."""
    pieces = [p.strip() for p in _SENTENCE_END.split(line) if p.strip()]
    out: list[str] = []
    for piece in pieces:
        if out and (len(piece) <= 2 or piece.startswith(_NOTE_OPEN)):
            out[-1] += piece
        else:
            out.append(piece)
    return out


def with_sub_items(lines: Sequence[str]) -> list[str]:
    """Lines with each ○ sub-item joined (by a line break) to the ● item it belongs to: the
    実施計画 prints a plan's item with its breakdown (「●年間予定基数 448基 ○新規設置補助 408基
    ○転換設置補助 40基」), and a sub-item alone reads as the whole (408基 for 「年間何基」)."""
    out: list[str] = []
    for line in lines:
        if line.startswith(_SUB_ITEM) and out and out[-1].startswith(_ITEM) and _CELL not in line:
            out[-1] += f"\n{line}"
        else:
            out.append(line)
    return out


def _is_header(row: str) -> bool:
    # A table header names columns: no figures once fiscal years ("(H30年度)") are taken out.
    return _CELL in row and ":" not in row and not has_figure(row)


def _is_short(f: FieldBlock, body: str, config: AnswerConfig) -> bool:
    return (
        len(body) <= config.short_field_chars
        and len(f.lines) <= config.short_field_lines
        and _CELL not in body
    )


def _field_units(
    f: FieldBlock, indicator: str, config: AnswerConfig, total: str = ""
) -> list[Unit]:
    body = "\n".join(f.lines)
    name = split_label(f.label)[0]
    context = indicator if name in _VALUE_FIELDS else ""
    if _is_short(f, body, config):
        return [Unit(body, f.label, "field", context)]
    if name.startswith(_WHOLE_FIELDS) and len(f.lines) <= _MAX_TABLE_LINES:
        # The whole breakdown with its total: 「事業費はいくらで、そのうち起債は」 is one fact.
        return [Unit(body, f.label, "table", total)]
    units: list[Unit] = []
    first = f.lines[0]
    header = first if _is_header(first) else ""
    key_title = first if _KEY_VALUE.match(first) and _CELL not in first else ""
    if (
        key_title
        and len(f.lines) <= _MAX_TABLE_LINES
        and all(_TABLE_KEY.match(line) for line in f.lines[1:])
    ):
        # 指標名 with its definition, 現状値 and every 目標値 year: one fact, kept whole.
        return [Unit("\n".join(f.lines[1:]), f.label, "table", key_title)]
    for i, line in enumerate(with_sub_items(f.lines)):
        if _CELL in line:
            if line != header:
                units.append(Unit(line, f.label, "row", header or context))
        elif i > 0 and key_title and _KEY_VALUE.match(line):
            # "令和4年度: 17.0%" under "指標名: がん検診受診率"
            units.append(Unit(line, f.label, "row", key_title))
        else:
            kind: UnitKind = "line" if line.count("。") <= 1 else "sentence"
            units.extend(Unit(s, f.label, kind, context) for s in split_sentences(line))
    return units


def split_units(
    text: str, field: str, passage: int = 0, *, config: AnswerConfig = DEFAULT_CONFIG
) -> list[Unit]:
    """Candidate answer units of one passage text, in reading order.

    Table rows (cells joined by " | ") stay whole; other lines are cut after 。; a short field
    stays whole (``497,952 (千円)`` with its note on the next line); value fields of an
    indicator (現状値, 目標値) carry the indicator's name as context.
    """
    units: list[Unit] = []
    indicator = total = ""
    for f in split_fields(text, field):
        name = split_label(f.label)[0]
        if name in _INDICATOR_FIELDS:
            indicator = field_block(f.label, " ".join(f.lines))
        made = _field_units(f, indicator, config, total)
        if name == _VALUE_FIELDS[1] and units and units[-1].name == _VALUE_FIELDS[0]:
            # 目標値 right after 現状値: the pair is the fact (「現状値と目標値は？」).
            now = units[-1]
            pair = f"{now.context}\n{field_block(now.label, now.body)}".lstrip("\n")
            made = [replace(u, context=pair) for u in made]
        total = field_block(f.label, " ".join(f.lines)) if name.startswith(_TOTAL_FIELD) else ""
        units.extend(made)
    return [replace(u, passage=passage, position=i) for i, u in enumerate(units)]


def department_unit(hit: Hit, passage: int) -> Unit | None:
    """The department of a hit's project as a unit of its own (departments are not in the text)."""
    if not hit.department or hit.project_id is None:
        return None
    return Unit(hit.department, DEPARTMENT_LABEL, "department", "", passage, -1)
