"""Scores of candidate units against a question (their confidence: service.answer.confidence).

Pure functions of the question, the hits, the units, an IDF table and an AnswerConfig; the
cosine to the question is computed by the Answerer (it needs the model) and added here.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from indexer.analyze import get_analyzer, normalize
from indexer.chunking import field_role
from indexer.textclean import nfkc
from indexer.years import fiscal_years
from service.answer.config import DEFAULT_CONFIG, AnswerConfig
from service.answer.patterns import (
    ASKS_CHANGE,
    ERA,
    asked_quantities,
    bands_only,
    changes_only,
    dated_fiscal_years,
    quantities,
)
from service.answer.question import Question, budget_years, content_terms
from service.answer.units import Unit
from service.schemas import Hit

if TYPE_CHECKING:
    import bm25s

# (a day of the week answers 「毎月いつ？」: 「毎月第1日曜日の市民スポーツの日」)
_DATE = re.compile(
    r"[0-9０-９元]{1,2}\s*年\s*[0-9０-９]{1,2}\s*月|[0-9０-９]{1,2}\s*月|[日月火水木金土]曜日"
)
# What gives a cause (a reason question wants it, not the status line it explains).
_CAUSE = re.compile(
    r"ため|影響|により|によって|による|原因|理由|できなかった|できず|厳しい|延長|遅れ|繰り越|見送"
)
_CAUSE_FIELD = re.compile(r"課題|理由|原因|要因")
# The fields that say how a project is done (a method question wants them, not its purpose).
_METHOD_FIELD = re.compile(r"方法|手法|取組内容|事業内容|事業計画|取組予定")
# A status: 達成度 marks, ランク letters, 計画以下 …
_STATUS = re.compile(
    r"[◎○△×]|計画以下|計画通り|計画以上|達成|進捗率|未着手|検討・準備中|^[A-E]\s*[:：]"
)

TermWeight = Callable[[str], float]


# -- term weights -------------------------------------------------------------------------------


class TermWeights:
    """IDF of lexical terms over the index's chunks (from the BM25 matrix, no re-tokenizing)."""

    def __init__(self, lexical: bm25s.BM25) -> None:
        vocab: dict[str, int] = lexical.vocab_dict
        doc_freq = np.diff(np.asarray(lexical.scores["indptr"]))
        n = float(lexical.scores["num_docs"])
        self._idf = {
            term: _idf(float(doc_freq[i]) if i < len(doc_freq) else 0.0, n)
            for term, i in vocab.items()
        }
        # A word the corpus never uses is as specific as a word can be.
        self._unknown = _idf(0.0, n)

    def __call__(self, term: str) -> float:
        return self._idf.get(term, self._unknown)


def _idf(doc_freq: float, n: float) -> float:
    return math.log(1.0 + (n - doc_freq + 0.5) / (doc_freq + 0.5))


def overlap(question: Question, unit_terms: AbstractSet[str], weights: TermWeight) -> float:
    """IDF-weighted share of the question's content terms that occur in the unit (0–1); a term
    also occurs when a unit word has its kanji (「見直す計画」 and 「BCPの見直し」)."""
    return AskedTerms.of(question, weights).overlap(unit_terms)


@dataclass(frozen=True)
class AskedTerms:
    """A question's content terms with their weights and kanji stems, read once per question:
    ``overlap`` runs for each of its ~30 units, and weighing and stemming the same terms again
    for each took about a third of scoring them."""

    terms: tuple[tuple[str, float, str], ...]  # (term, weight, ``_stem``) in question order
    total: float

    @classmethod
    def of(cls, question: Question, weights: TermWeight) -> AskedTerms:
        terms = tuple((t, weights(t), _stem(t)) for t in question.terms)
        # Summed as a generator over the terms in order, so the total is the same float
        # whichever way the share is computed.
        return cls(terms, sum(w for _, w, _ in terms))

    def overlap(self, unit_terms: AbstractSet[str]) -> float:
        """``overlap`` of the question against one unit's terms."""
        total = self.total
        if total <= 0:
            return 0.0
        missing = [(w, stem) for t, w, stem in self.terms if t not in unit_terms]
        found = total - sum(w for w, _ in missing)
        if missing and isinstance(unit_terms, frozenset):
            stems = kanji_stems(unit_terms)
            found += sum(w for w, stem in missing if stem in stems)
        return found / total


_KANA = re.compile(r"[ぁ-ゖ]")
_KANJI = re.compile(r"[一-龥々]")


def _stem(word: str) -> str:
    """A word's kanji without its okurigana (見直す, 見直し → 見直; 取り組む, 取組 → 取組), or
    "" when fewer than two kanji are left (生きる and 生む would meet at 生)."""
    stem = _KANA.sub("", word)
    return stem if len(_KANJI.findall(stem)) >= 2 and _KANJI.fullmatch(stem[0]) else ""


@functools.lru_cache(maxsize=8192)  # per unit: a unit's lemma set is made once per chunk
def kanji_stems(terms: frozenset[str]) -> frozenset[str]:
    """The ``_stem`` of each word of a unit that has one."""
    return frozenset(filter(None, map(_stem, terms)))


# -- features -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    """A unit with its score parts (the config's weights are applied when the total is read)."""

    unit: Unit
    lexical: float  # IDF share of question terms in project name + label + context + body
    passage: float  # fused search score of the unit's passage / the best passage's
    year: float  # +1 a year the question names, -1 other years only, 0 no year either side
    kind: float  # 1 when the unit holds the kind of thing asked (figure, date)
    field: float  # share of the field name's terms that the question uses (取組達成度); -1 filing
    role: float  # 1 when the field's role is one the question asks for (plan, target …)
    department: float  # 1 for the department unit of a question that asks for one
    # The question's compound nouns the unit prints (named_in): not a score term (weighted
    # 0.5 on dev it answered a department and two reason questions from the wrong unit, and an
    # out-of-scope one); compose.names_more reads it to choose between close units.
    named: frozenset[str] = frozenset()
    cosine: float | None = None
    # (dataclasses.field in full: the feature above is called ``field``)
    config: AnswerConfig = dataclasses.field(default=DEFAULT_CONFIG, repr=False, compare=False)

    @property
    def cheap(self) -> float:
        """Score without the embedding (used to choose which units to embed)."""
        c = self.config
        year = c.w_year_match if self.year > 0 else c.w_year_clash if self.year < 0 else 0.0
        return (
            c.w_lexical * self.lexical
            + c.w_passage * self.passage
            + year
            + c.w_kind * self.kind
            + c.w_field * self.field
            + c.w_role * self.role
            + c.w_department * self.department
        )

    @property
    def total(self) -> float:
        """Full score; a unit left unembedded counts as if its cosine were the centre."""
        center = self.config.cosine_center
        cosine = center if self.cosine is None else self.cosine
        return self.cheap + self.config.w_cosine * (cosine - center)


def year_match(question: Question, unit: Unit) -> float:
    """+1 for a unit of a year the question names, -1 for one of other years only, else 0.

    A quantity in another year's column that names the asked year itself still matches: a
    report's column of one year often states the figure of the year before (「令和4年度末事業
    進捗率 … 71.5%」 under 令和5年度). Only for a value question: a reason in a later column
    that mentions the year (「令和2年度からの繰り越しも含めて」) is no reason of that year.
    """
    if not question.years:
        return 0.0
    if question.initial_budget:
        return _budget_year_match(question, unit)
    if not unit.year:
        return _row_year_match(question, unit)
    if question.dated and any(d in re.sub(r"\s", "", nfkc(unit.body)) for d in question.dated):
        # 「令和4年度の組織機構改正で…」 answered in the column of 令和3年度まで, which prints
        # 「令和4年度の組織機構改正で、各支所にある…を廃止し」: the thing dated, not the column
        return 1.0
    years = fiscal_years(unit.year)
    if not years:
        return 0.0
    if years & question.years:
        return -1.0 if _figure_of_other_year(question, unit) else 1.0
    if (
        question.asks_quantity
        and dated_fiscal_years(unit.body) & question.years
        and asked_quantities(unit.body, question.units)
    ):
        return 1.0
    return -1.0


def _budget_year_match(question: Question, unit: Unit) -> float:
    """The year match of a question asking a year's initial budget (「令和4年度当初予算は」): a
    unit naming whose budget it states matches by that year, any other by its column's year
    plus one, since a budget is compiled in the year before and reported in that year's column
    (取組成果 令和3年度: 「…777億7,000万円の予算を編成した」 is the 令和4年度 budget)."""
    years = budget_years(unit.body)
    if not years and unit.year:
        years = {y + 1 for y in fiscal_years(unit.year)}
    if not years:
        return 0.0
    return 1.0 if years & question.years else -1.0


def _row_year_match(question: Question, unit: Unit) -> float:
    """A table row under a header of year columns (「項目 | 令和3年度 | 令和4年度」) or with
    cells keyed by year (「令和4年度: 導入」) holds each of those years' entry: +1 when one is
    asked, -1 when only others are; 0 for any other unit without a year label."""
    if unit.kind != "row":
        return 0.0
    header = unit.context if _CELL in unit.context else ""
    years = fiscal_years(header) | fiscal_years(" ".join(_YEAR_CELL.findall(unit.body)))
    if not years:
        return 0.0
    return 1.0 if years & question.years else -1.0


_CELL = " | "  # how the parsers join the cells of a table row (service.answer.units)
_YEAR_CELL = re.compile(rf"{ERA}(?=\s*[:：])")


def _figure_of_other_year(question: Question, unit: Unit) -> bool:
    """A value unit under the asked year's label whose text dates its figure to other years
    only: 「直近の…総排出量は令和元年度で、53,721t-CO2」 under 取組成果 令和2年度 is the figure
    of 令和元年度, not the one asked for 令和2年度."""
    if not question.asks_quantity:
        return False
    named = dated_fiscal_years(unit.body)
    return (
        bool(named)
        and not named & question.years
        and bool(asked_quantities(unit.body, question.units))
    )


def kind_match(question: Question, unit: Unit) -> float:
    """1 when the unit holds what the question asks for: a figure (every figure of a two-part
    question: 1.5), a date, a cause, a status; -1 for a bare status line to a reason question."""
    if unit.kind == "department":
        return 0.0
    body = unit.body
    if question.kind == "reason":
        if _CAUSE.search(body):
            # the field that states why (取組課題と…方針: 「達成できなかった理由も記載」)
            return 1.5 if _CAUSE_FIELD.search(unit.name) else 1.0
        return -1.0 if _STATUS.search(body) and len(body) < 20 else 0.0
    if question.kind == "method":
        return 1.0 if _METHOD_FIELD.search(unit.name) else 0.0
    if question.kind == "fact" and question.thing:
        # 「救急医療の協議会は、何という会？」: the line that names one (「伊勢崎佐波救急医療連絡
        # 協議会を開催します」), not the one that says 救急 and 病院 more often
        return 1.0 if names_a_thing(question, body) else 0.0
    if question.kind == "fact" and question.asks_who:
        # 「代替用地は、だれに売るの？」: the line that names the buyers (「移転用地の取得希望者等
        # に売払いを行う」), not the purpose that says 代替用地 and 道路整備 more often
        return 1.0 if names_people(question, body) else 0.0
    if question.kind == "fact" and question.focus:
        # 「道路の危ない場所を見つけるため、何を委託している？」: the line that says 委託
        return 1.0 if question.focus in body else 0.0
    if question.kind == "place" and question.place:
        # 「どこの小学校」: the unit that names one (「全校配置 (大山小学校以外)」), not the
        # indicator that only counts them (「…を配置した小学校数」)
        return 1.0 if names_a_place(question, body) else 0.0
    if question.kind == "place" and names_a_facility(question, body):
        # 「茂呂クリーンセンターからどこに送って処理する？」: the unit naming a facility the
        # question does not (「伊勢崎浄化センター（下水処理施設）へ送り」)
        return 1.0
    if question.kind == "status":
        if _STATUS.search(body):
            return 1.0
        if not question.units:  # 「どこまで進んでいる」 asks a status, not any figure
            return 0.0
    if question.asks_quantity:
        return quantity_match(question, unit)
    if question.asks_date and (_DATE.search(body) or _names_a_year(question, body)):
        return 1.0
    return 0.0


def names_a_place(question: Question, body: str) -> bool:
    """The body names a place of the kind asked: the kind's word right after a kanji or
    katakana name that the question does not use itself (大山 in 大山小学校)."""
    return _unasked_name_before(question, question.place, body, "一-龥々ァ-ヶー")


def _unasked_name_before(question: Question, word: str, body: str, letters: str) -> bool:
    """A run of ``letters`` right before ``word`` in the body that the question does not use."""
    pattern = rf"([{letters}]+){re.escape(word)}"
    return any(m.group(1) not in question.text for m in re.finditer(pattern, body))


# People a plan's line names: those who (…者), pupils (…生), staff (職員), residents, groups.
_PEOPLE = re.compile(
    r"[一-龥々ァ-ヶー]*(?:者|生|職員|市民|住民|県民|団体|児童|生徒|世帯|家庭|農家|企業)"
)


def names_people(question: Question, body: str) -> bool:
    """The body names people the question does not name itself (取得希望者, 高校生)."""
    return any(m.group() not in question.text for m in _PEOPLE.finditer(body))


def names_a_thing(question: Question, body: str) -> bool:
    """The body gives the asked thing a name: a kanji or katakana name before it that the
    question does not use (伊勢崎佐波救急医療連絡 before 協議会), or one in 「」 next to it
    or around it (小冊子「いせさきぐらし」, 「伊勢崎市スリムアップ化計画(…)ハンドブック」)."""
    thing = re.escape(question.thing)
    if re.search(
        rf"{thing}\s*「|」\s*(?:の|という|として|[（(])?\s*{thing}|「[^」]*{thing}」", body
    ):
        return True
    return _unasked_name_before(question, question.thing, body, "一-龥々ァ-ヶーA-Za-z")


# The heads of a named facility or part of one (伊勢崎浄化センター, 第3工区, 大山小学校); not 施設,
# which ends common nouns as often (し尿処理施設, 公共施設), nor 市 or 町 (本市, 市町).
_FACILITY = re.compile(
    r"[一-龥々ァ-ヶー0-9０-９]+?(?:センター|学校|公園|住宅|工区|地区|会館|公民館|図書館|病院|駅"
    r"|広場|ホール|プラザ|庁舎|浄水場|処分場|聖苑)"
)


def names_a_facility(question: Question, body: str) -> bool:
    """The body names a facility (``_FACILITY``) that the question does not name itself."""
    return any(m.group() not in question.text for m in _FACILITY.finditer(body))


_ASKS_YEAR = re.compile(r"何年|いつ")
# A fiscal year the text dates something to: 「令和5年度から開始」「令和4年度末に完了」.
_DATED_YEAR = re.compile(
    rf"(?:{ERA}|(?:19|20)[0-9]{{2}}\s*年度?)\s*(?:末|中|当初)?\s*(?:から|まで|に|より|を目途|を目安)"
)


def _names_a_year(question: Question, body: str) -> bool:
    """The unit dates something to a fiscal year, and the question asks which year (何年度 …)."""
    return bool(_ASKS_YEAR.search(question.text) and _DATED_YEAR.search(nfkc(body)))


def quantity_match(question: Question, unit: Unit) -> float:
    """How well a unit answers a value question: a quantity in the asked unit 1 (every slot of a
    two-part question filled: 1.5), a quantity in another unit or stated as a change (「1,100人
    増加」 to 「どれくらい」) 0.5, digits without a unit (a code such as 「2-1-2①」) 0 (a status
    letter's legend is no quantity either: patterns.quantities)."""
    body = unit.body
    asked = asked_quantities(body, question.units)
    if asked and changes_only(body, question.units) and not ASKS_CHANGE.search(question.text):
        return 0.5  # 「1,100人増加した」 does not say how many there are
    if asked and bands_only(body, question.units):
        return 0.5  # 「23%台が続いている」 does not say which figure
    if asked:
        whole = asked_quantities(unit.text, question.units)
        return 1.5 if question.slots >= 2 and len(whole) >= question.slots else 1.0
    if question.asks_date and _DATE.search(body):
        return 1.0
    return 0.5 if quantities(body) else 0.0


def named_in(question: Question, hit: Hit, unit: Unit) -> frozenset[str]:
    """The question's compound nouns (``Question.phrases``) that the unit's project name,
    label, context or body prints as written (normalized): the things the question names,
    where word overlap alone cannot tell 公園施設 from スポーツ施設 (both hold 施設) or 市全体
    from the city office's own emissions (both hold 市). A compound headed by 事業 names
    nothing (``_PROJECT``): on dev 「森林の整備事業」 moved a value answer off card #1's 23-105 to
    23-101 農業基盤整備事業 (answers gold dev 0.953 -> 0.958 without it)."""
    if not question.phrases or unit.kind == "department":
        return frozenset()
    text = normalize(f"{hit.project_name or ''} {unit.scoring_text}")
    return frozenset(
        phrase for phrase, lemmas in question.phrases if lemmas[-1] != _PROJECT and phrase in text
    )


# The head noun of the projects' own names (…整備事業, …推進事業): a question's 「森林の整備事業」
# names that it asks about a project, and the name of any other 整備事業 prints it as well.
_PROJECT = "事業"


def field_match(question: Question, unit: Unit) -> float:
    """Share of the field name's content terms that the question uses (0–1).

    A term the question uses only inside one of its compound nouns that neither holds the
    field's name nor sits in it does not count: 「多目的広場」 names no 実施目的, while
    「取組達成度の評価」 names 取組達成度 and 「事業費は」 the 事業費総額 field.
    """
    terms = content_terms(unit.name)
    if not terms or unit.kind == "department":
        return 0.0
    asked = set(question.terms) - _compound_only(question, normalize(unit.name))
    return sum(t in asked for t in terms) / len(terms)


# Fields that file a project (its place in the plan's tree, its programme, related codes):
# they repeat the topic every unit shares and hold no fact of their own, so unless the question
# names them they score below the project's other units (「…で見直す計画は？」: the 具体的方法
# sentence with BCPの見直し, not the 施策体系 breadcrumb of the same words).
_FILING_FIELDS: tuple[str, ...] = ("施策体系", "重点プログラム", "リーディングプロジェクト")
_FILING_FIELDS += ("関連事業", "SDGs", "施策の展開と主な取組")


def filing_field(question: Question, unit: Unit, named: float) -> float:
    """-1 for a unit of a filing field the question does not name (``named``: its field
    match), else ``named``."""
    if named <= 0 and unit.kind != "department" and unit.name.startswith(_FILING_FIELDS):
        return -1.0
    return named


@functools.lru_cache(maxsize=1024)  # per question and field name: a few dozen of each
def _compound_only(question: Question, name: str) -> frozenset[str]:
    """The question's terms inside its compounds unrelated to the field ``name`` and in none
    related to it (a term also used alone elsewhere in the question is rare enough to lose)."""
    inside = {t for p, lemmas in question.phrases if not _related(p, name) for t in lemmas}
    related = {t for p, lemmas in question.phrases if _related(p, name) for t in lemmas}
    return frozenset(inside - related)


def _related(phrase: str, name: str) -> bool:
    return phrase in name or name in phrase


def role_match(question: Question, unit: Unit) -> float:
    """1 when the unit's field plays a role the question asks about (a plan, a target …)."""
    if unit.kind == "department":
        return 0.0
    role = field_role(unit.name)
    # 行政改革's 「5年後までの目標 (目指すべき姿)」 is chunked with the summary (what a project
    # is), but it states the target a 「…を目標にしている？」 question asks for
    if role == "summary" and unit.name.startswith(_TARGET_SUMMARY):
        role = "target"
    return 1.0 if role in question.roles else 0.0


_TARGET_SUMMARY = "5年後までの目標"


def unit_lemmas(hit: Hit, unit: Unit) -> frozenset[str]:
    """The lemmas a unit is matched on: its project's name, label, context and body.

    The project name carries the topic every unit of the passage shares; the unit's own words
    then decide between units of the same passage. A function of the chunk alone, so the
    Answerer keeps it per chunk (service.answer.engine.ChunkUnits).
    """
    # Past the analyzer's own cache (``__wrapped__``): ChunkUnits keeps these per chunk, and
    # 8,192 unit texts held a second time cost about 9 MB after the 218 gold questions.
    lemmas = get_analyzer().lemmas.__wrapped__
    return frozenset(lemmas(f"{hit.project_name or ''} {unit.scoring_text}"))


def features(
    question: Question,
    hit: Hit,
    unit: Unit,
    weights: TermWeight,
    top_score: float,
    config: AnswerConfig = DEFAULT_CONFIG,
    lemmas: frozenset[str] | None = None,
    asked: AskedTerms | None = None,
) -> Scored:
    """Every cheap feature of one unit (``lemmas``: its ``unit_lemmas``, if already known;
    ``asked``: the question's ``AskedTerms`` under ``weights``, if already read)."""
    if lemmas is None:
        lemmas = unit_lemmas(hit, unit)
    if asked is None:
        asked = AskedTerms.of(question, weights)
    return Scored(
        unit=unit,
        lexical=asked.overlap(lemmas),
        passage=hit.score / top_score if top_score > 0 else 0.0,
        year=year_match(question, unit),
        kind=kind_match(question, unit),
        field=filing_field(question, unit, field_match(question, unit)),
        role=role_match(question, unit),
        department=1.0 if unit.kind == "department" else 0.0,
        named=named_in(question, hit, unit),
        config=config,
    )


# -- ranking ------------------------------------------------------------------------------------


def by_score(score: Callable[[Scored], float]) -> Callable[[Scored], tuple[float, int, int]]:
    """Sort key: higher score first; then earlier passage, then earlier in it (deterministic)."""
    return lambda s: (-round(score(s), 6), s.unit.passage, s.unit.position)


def score_units(
    question: Question,
    hits: Sequence[Hit],
    units: Sequence[Unit],
    weights: TermWeight,
    config: AnswerConfig = DEFAULT_CONFIG,
    lemmas: Sequence[frozenset[str]] | None = None,
) -> list[Scored]:
    """Every unit scored cheaply (no model), best first; ``unit.passage`` indexes ``hits``.

    ``lemmas``: each unit's ``unit_lemmas`` in the order of ``units`` (else tokenized here).
    """
    top = max((h.score for h in hits), default=0.0)
    known = lemmas if lemmas is not None else [None] * len(units)
    asked = AskedTerms.of(question, weights)
    scored = [
        features(question, hits[u.passage], u, weights, top, config, lem, asked)
        for u, lem in zip(units, known, strict=True)
    ]
    return sorted(scored, key=by_score(lambda s: s.cheap))


def to_embed(scored: Sequence[Scored], config: AnswerConfig = DEFAULT_CONFIG) -> list[Scored]:
    """The units worth a cosine: the best ``embed_limit`` by the cheap score, none if unweighted."""
    return list(scored[: config.embed_limit]) if config.w_cosine else []


def with_cosines(scored: Sequence[Scored], cosines: Sequence[float]) -> list[Scored]:
    """The first ``len(cosines)`` units given their cosine; all re-sorted by the full score."""
    n = len(cosines)
    # Rounded so that float noise (a text embedded alone or in a batch) cannot reorder
    # units: same question, same answer.
    done = [replace(s, cosine=round(float(c), 4)) for s, c in zip(scored[:n], cosines, strict=True)]
    return sorted([*done, *scored[n:]], key=by_score(lambda s: s.total))
