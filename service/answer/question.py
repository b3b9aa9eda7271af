"""What a question asks: its content terms, fiscal years and the kind of answer it wants.

Pure: the tokenizer and regular expressions only, no index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.analyze import get_analyzer
from indexer.years import fiscal_years
from service.answer.patterns import without_years

# Lemmas of interrogatives and light verbs: every answer lacks them, so they only dilute overlap.
QUESTION_WORDS = frozenset(
    (
        *("何", "何処", "何の", "何れ", "何時", "幾", "幾ら", "つ", "誰", "どう", "如何"),
        *("為る", "居る", "有る", "成る", "教える", "下さる", "呉れる", "貰う", "思う", "知る"),
        *("分かる", "出来る", "良い", "事", "物", "もの", "様", "方", "ない", "無い"),
    )
)
_ASKS_DEPARTMENT = re.compile(r"担当|部署|所管|どこの課|どの課|何課|どこの部|どの部|窓口はどこ")
_ASKS_QUANTITY = re.compile(
    r"何\s*(?:[％%人件回戸基食店歳円倍割名校台本社]|か所|箇所|ヶ所|ケ所|トン|ホール|世帯|キロ|平方)"
    r"|いくら|いくつ|どのくらい|どれくらい|どれほど|どこまで|何パーセント|目標値|現状値|割合|率は"
)
_ASKS_DATE = re.compile(r"いつ|何月|何年")
# Words that say which kind of field holds the answer, by the roles of indexer.chunking.
_ROLE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("plan", re.compile(r"予定|計画|工程|行程|スケジュール")),
    ("target", re.compile(r"目標|目指|指標|現状値")),
    ("result", re.compile(r"評価|ランク|達成|実績|成果|状況|どうなった|だった|できた|始めた")),
    ("budget", re.compile(r"予算|事業費|財源|費用|効果額|起債|歳入|歳出|収入")),
)


@dataclass(frozen=True)
class Question:
    """What the scorer needs to know about a question."""

    text: str
    terms: tuple[str, ...]
    years: frozenset[int]
    roles: frozenset[str]
    asks_department: bool
    asks_quantity: bool
    asks_date: bool


def content_terms(text: str) -> list[str]:
    """Lemmas of ``text`` without the question words (which no answer contains)."""
    return [t for t in get_analyzer().lemmas(text) if t not in QUESTION_WORDS]


def read_question(query: str) -> Question:
    """Content terms (years and question words removed), fiscal years and the kind of answer."""
    return Question(
        text=query,
        terms=tuple(dict.fromkeys(content_terms(without_years(query, " ")))),
        years=frozenset(fiscal_years(query)),
        roles=frozenset(role for role, cue in _ROLE_CUES if cue.search(query)),
        asks_department=bool(_ASKS_DEPARTMENT.search(query)),
        asks_quantity=bool(_ASKS_QUANTITY.search(query)),
        asks_date=bool(_ASKS_DATE.search(query)),
    )
