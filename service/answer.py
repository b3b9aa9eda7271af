"""Extractive answers: the sentence, list line or table row of the top passages that answers.

The search ranks whole passages; a question like
「がん検診の受診率は令和4年度に何％を目標にしている？」 wants one row of one passage
(``令和4年度: 17.0%``). This module

1. retrieves the top passages with the ordinary hybrid search,
2. cuts them into *units* — sentences ending in 。, list lines, table rows (kept whole, with the
   table header as context), short fields as a whole, and one 「担当」 unit per project carrying its
   department — each unit keeping the 【field label】 it sits under,
3. scores every unit cheaply (IDF-weighted overlap with the question's content words, the
   passage's own search score, agreement of fiscal years, the kind of answer the question asks
   for), embeds only the best few together with the question in one call of the engine's
   embedder (unit vectors cached by text) and adds their cosine to the question,
4. returns the best unit with a confidence from a logistic curve over its score and over the
   absolute similarity of the question to its best passage (is there anything to answer?).

Below ``FOUND_THRESHOLD`` the answer is ``found=False`` with ``text=""`` (the schema's "empty when
not found") and no citation; the caller shows the closest projects instead.

Everything is deterministic: ties are broken by passage rank and by position in the passage.
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from indexer.chunking import field_role
from indexer.embedding.base import Embedder
from indexer.tokenize import tokenize
from indexer.years import fiscal_years
from service.filters import SearchFilters
from service.schemas import AnswerOut, Citation, Hit
from service.search import SearchEngine

# -- tuning -------------------------------------------------------------------------------------
# Chosen on eval/gold/dev.jsonl (all styles) plus the dev nonsense questions of eval/answers.py;
# the test split was only run to report figures. See the docstring of eval/answers.py.

W_COSINE = 4.0  # cosine (question vs unit) minus COSINE_CENTER; e5 cosines sit in 0.75–0.95
COSINE_CENTER = 0.8
W_LEXICAL = 1.0  # IDF-weighted share of the question's content words found in the unit
W_PASSAGE = 0.6  # the passage's fused search score relative to the best passage
W_YEAR_MATCH = 0.4  # the unit's fiscal year is one the question names
W_YEAR_CLASH = -0.4  # the unit names other fiscal years only
W_KIND = 0.3  # the unit holds the kind of thing asked for (a figure, a date)
W_FIELD = 0.3  # the question names the unit's field (取組達成度, 目標値)
W_ROLE = 0.2  # the question asks for the role of the unit's field (plan, target, result …)
W_DEPARTMENT = 1.0  # the department unit, when the question asks who is in charge
# Units embedded per question, best first by the cheap score. Dev accuracy is the same for 3
# and for 12; each embedded unit costs ~50 ms on 2 cores, so keep it small.
EMBED_LIMIT = 4
# confidence = sigmoid(CONF_BIAS + CONF_PER_SCORE * score
#                      + CONF_PER_RELEVANCE * (relevance - RELEVANCE_CENTER)):
# a logistic fit of "the answer is right" (hint contained, or for non-detail questions the
# cited project is gold) on dev, with the nonsense questions as wrong answers:
#     python -m eval.answers --split dev --all-styles --fit
CONF_BIAS = -2.30
CONF_PER_SCORE = 1.31
CONF_PER_RELEVANCE = 26.4
RELEVANCE_CENTER = 0.85
# The calibrated decision point (P(right) = 0.5). On dev it lets through no nonsense question
# and every detail question (the lowest, manifesto-024, has 0.65); see the `--fit` table.
FOUND_THRESHOLD = 0.5

SHORT_FIELD_CHARS = 60  # a field this short (and ≤ SHORT_FIELD_LINES lines) is one unit
SHORT_FIELD_LINES = 3
DEPARTMENT_LABEL = "担当"

UnitKind = Literal["sentence", "line", "row", "field", "department"]

# -- units --------------------------------------------------------------------------------------

_LABEL_LINE = re.compile(r"^【([^】]+)】\s*(.*)$")
_ERA = r"(?:令和|平成|昭和)\s*(?:元|[0-9０-９]{1,2})\s*年度?"
# "事業計画 令和4年度", "取組達成度 令和2年度〜令和3年度", "主な取組 令和3年度まで"
_LABEL_YEAR = re.compile(rf"^(.*?)\s*({_ERA}(?:\s*[〜~～]\s*{_ERA})?(?:まで|以降)?)$")
# "令和4年度: 17.0%", "現状値 (令和2年度): 16.2%", "現状値（令和2年度）: 100万人"
_ROW_YEAR = re.compile(rf"^[^:：|]{{0,8}}?[（(]?\s*({_ERA})\s*[)）]?\s*[:：]")
_KEY_VALUE = re.compile(r"^[^:：|]{1,10}[:：]")
_DIGIT = re.compile(r"[0-9０-９]")
_YEAR_WORDS = re.compile(rf"{_ERA}|(?:19|20)[0-9]{{2}}\s*年度?|[RH][0-9]{{1,2}}年度?")

# Fields whose short value rows mean nothing without the indicator named just before them.
_INDICATOR_FIELDS = ("指標名", "成果指標")
_VALUE_FIELDS = ("現状値", "目標値")


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
        head = f"【{self.label}】{self.body}"
        if not self.context:
            return head
        if self.context.startswith("【"):
            return f"{self.context}\n{head}"
        return f"【{self.label}】{self.context}\n{self.body}"

    @property
    def scoring_text(self) -> str:
        """What is matched against the question: label, context and body on one line."""
        return " ".join(p for p in (self.label, self.context, self.body) if p)


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
class _Field:
    label: str
    lines: tuple[str, ...]


def split_fields(text: str, fallback_label: str) -> list[_Field]:
    """The 【label】 blocks of a chunk text; text before the first label gets ``fallback_label``.

    A chunk split inside a long field starts without its label, hence the fallback (the
    chunk's field name).
    """
    fields: list[_Field] = []
    label, lines = fallback_label, []
    for raw in text.split("\n"):
        line = raw.strip()
        match = _LABEL_LINE.match(line)
        if match:
            if lines:
                fields.append(_Field(label, tuple(lines)))
            label, lines = match.group(1).strip(), []
            line = match.group(2).strip()
        if line:
            lines.append(line)
    if lines:
        fields.append(_Field(label, tuple(lines)))
    return fields


# 。 ends a sentence unless a closing bracket follows (『はな咲く。』プロジェクト).
_SENTENCE_END = re.compile(r"(?<=。)(?![」』）)】〕])")


def split_sentences(line: str) -> list[str]:
    """A line cut after each 。; fragments without content are glued to the sentence before."""
    pieces = [p.strip() for p in _SENTENCE_END.split(line) if p.strip()]
    out: list[str] = []
    for piece in pieces:
        if out and len(piece) <= 2:
            out[-1] += piece
        else:
            out.append(piece)
    return out


def _is_header(row: str) -> bool:
    # A table header names columns: no figures once fiscal years ("(H30年度)") are taken out.
    return " | " in row and ":" not in row and not _DIGIT.search(_YEAR_WORDS.sub("", row))


def _field_units(f: _Field, indicator: str) -> list[Unit]:
    body = "\n".join(f.lines)
    name = split_label(f.label)[0]
    context = indicator if name in _VALUE_FIELDS else ""
    if len(body) <= SHORT_FIELD_CHARS and len(f.lines) <= SHORT_FIELD_LINES and " | " not in body:
        return [Unit(body, f.label, "field", context)]
    units: list[Unit] = []
    header = f.lines[0] if _is_header(f.lines[0]) else ""
    key_title = f.lines[0] if _KEY_VALUE.match(f.lines[0]) and " | " not in f.lines[0] else ""
    for i, line in enumerate(f.lines):
        if " | " in line:
            if line != header:
                units.append(Unit(line, f.label, "row", header or context))
        elif i > 0 and key_title and _KEY_VALUE.match(line):
            # "令和4年度: 17.0%" under "指標名: がん検診受診率"
            units.append(Unit(line, f.label, "row", key_title))
        else:
            kind: UnitKind = "line" if line.count("。") <= 1 else "sentence"
            units.extend(Unit(s, f.label, kind, context) for s in split_sentences(line))
    return units


def split_units(text: str, field: str, passage: int = 0) -> list[Unit]:
    """Candidate answer units of one passage text, in reading order.

    Table rows (cells joined by " | ") stay whole; other lines are cut after 。; a short field
    stays whole (``497,952 (千円)`` with its note on the next line); value fields of an
    indicator (現状値, 目標値) carry the indicator's name as context.
    """
    units: list[Unit] = []
    indicator = ""
    for f in split_fields(text, field):
        name = split_label(f.label)[0]
        if name in _INDICATOR_FIELDS:
            indicator = f"【{f.label}】{' '.join(f.lines)}"
        units.extend(_field_units(f, indicator))
    return [replace(u, passage=passage, position=i) for i, u in enumerate(units)]


def department_unit(hit: Hit, passage: int) -> Unit | None:
    """The department of a hit's project as a unit of its own (departments are not in the text)."""
    if not hit.department or hit.project_id is None:
        return None
    return Unit(hit.department, DEPARTMENT_LABEL, "department", "", passage, -1)


# -- the question -------------------------------------------------------------------------------

# Lemmas of interrogatives and light verbs: every answer lacks them, so they only dilute overlap.
_QUESTION_WORDS = frozenset(
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
_DATE = re.compile(r"[0-9０-９元]{1,2}\s*年\s*[0-9０-９]{1,2}\s*月|[0-9０-９]{1,2}\s*月")
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


def read_question(query: str) -> Question:
    """Content terms (years and question words removed), fiscal years and the kind of answer."""
    without_years = _YEAR_WORDS.sub(" ", query)
    terms = tuple(dict.fromkeys(t for t in tokenize(without_years) if t not in _QUESTION_WORDS))
    return Question(
        text=query,
        terms=terms,
        years=frozenset(fiscal_years(query)),
        roles=frozenset(role for role, cue in _ROLE_CUES if cue.search(query)),
        asks_department=bool(_ASKS_DEPARTMENT.search(query)),
        asks_quantity=bool(_ASKS_QUANTITY.search(query)),
        asks_date=bool(_ASKS_DATE.search(query)),
    )


# -- term weights -------------------------------------------------------------------------------


class TermWeights:
    """IDF of lexical terms over the index's chunks (from the BM25 matrix, no re-tokenizing)."""

    def __init__(self, engine: SearchEngine) -> None:
        lexical = engine.index.lexical
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


_weights: weakref.WeakKeyDictionary[SearchEngine, TermWeights] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


def term_weights(engine: SearchEngine) -> TermWeights:
    """The IDF table of an engine, built on first use."""
    with _registry_lock:
        if engine not in _weights:
            _weights[engine] = TermWeights(engine)
        return _weights[engine]


def overlap(question: Question, unit_terms: set[str], weights: TermWeights) -> float:
    """IDF-weighted share of the question's content terms that occur in the unit (0–1)."""
    total = sum(weights(t) for t in question.terms)
    if total <= 0:
        return 0.0
    return sum(weights(t) for t in question.terms if t in unit_terms) / total


# -- unit vectors -------------------------------------------------------------------------------


class VectorCache:
    """Vectors of unit texts, least recently used dropped; the question and the missing units
    are embedded in one model call.

    Units are embedded the way the question is (e5's ``query: `` prefix on both sides, its
    recipe for symmetric similarity): that lets one call serve both, and on dev it scored the
    same as ``passage: `` units while saving a model call — the costly part on a busy machine.
    """

    def __init__(self, embedder: Embedder, maxsize: int = 8192) -> None:
        self.embedder = embedder
        self.maxsize = maxsize
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, question: str, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The question's vector (dim,) and the texts' vectors (n × dim), in order."""
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                if text in self._vectors:
                    self._vectors.move_to_end(text)
                    found[text] = self._vectors[text]
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        # Outside the lock: the embedder serializes model calls itself.
        vectors = self.embedder.encode_queries([question, *missing])
        found.update(zip(missing, vectors[1:], strict=True))
        if missing:
            with self._lock:
                for text in missing:
                    self._vectors[text] = found[text]
                    self._vectors.move_to_end(text)
                while len(self._vectors) > self.maxsize:
                    self._vectors.popitem(last=False)
        units = np.stack([found[t] for t in texts]) if texts else vectors[:0]
        return vectors[0], units


_caches: weakref.WeakKeyDictionary[Embedder, VectorCache] = weakref.WeakKeyDictionary()


def vector_cache(embedder: Embedder) -> VectorCache:
    """The unit-vector cache of an embedder (one per embedder, so models never mix)."""
    with _registry_lock:
        if embedder not in _caches:
            _caches[embedder] = VectorCache(embedder)
        return _caches[embedder]


# -- scoring ------------------------------------------------------------------------------------


@dataclass
class Scored:
    """A unit with its score parts (weights are applied when the total is read)."""

    unit: Unit
    lexical: float  # IDF share of question terms in project name + label + context + body
    passage: float  # fused search score of the unit's passage / the best passage's
    year: float  # +1 a year the question names, -1 other years only, 0 no year either side
    kind: float  # 1 when the unit holds the kind of thing asked (figure, date)
    field: float  # share of the field name's terms that the question uses (取組達成度)
    role: float  # 1 when the field's role is one the question asks for (plan, target …)
    department: float  # 1 for the department unit of a question that asks for one
    cosine: float | None = None

    @property
    def cheap(self) -> float:
        """Score without the embedding (used to choose which units to embed)."""
        year = W_YEAR_MATCH if self.year > 0 else W_YEAR_CLASH if self.year < 0 else 0.0
        return (
            W_LEXICAL * self.lexical
            + W_PASSAGE * self.passage
            + year
            + W_KIND * self.kind
            + W_FIELD * self.field
            + W_ROLE * self.role
            + W_DEPARTMENT * self.department
        )

    @property
    def total(self) -> float:
        """Full score; a unit left unembedded counts as if its cosine were the centre."""
        cosine = COSINE_CENTER if self.cosine is None else self.cosine
        return self.cheap + W_COSINE * (cosine - COSINE_CENTER)


def year_match(question: Question, unit: Unit) -> float:
    """+1 for a unit of a year the question names, -1 for one of other years only, else 0."""
    if not question.years or not unit.year:
        return 0.0
    years = fiscal_years(unit.year)
    if not years:
        return 0.0
    return 1.0 if years & question.years else -1.0


def kind_match(question: Question, unit: Unit) -> float:
    """1 when the unit holds what the question asks for: a figure or a date."""
    if unit.kind == "department":
        return 0.0
    if question.asks_quantity and _DIGIT.search(_YEAR_WORDS.sub("", unit.body)):
        return 1.0
    if question.asks_date and _DATE.search(unit.body):
        return 1.0
    return 0.0


def field_match(question: Question, unit: Unit) -> float:
    """Share of the field name's content terms that the question uses (0–1)."""
    terms = [t for t in tokenize(unit.name) if t not in _QUESTION_WORDS]
    if not terms or unit.kind == "department":
        return 0.0
    asked = set(question.terms)
    return sum(t in asked for t in terms) / len(terms)


def role_match(question: Question, unit: Unit) -> float:
    """1 when the unit's field plays a role the question asks about (a plan, a target …)."""
    return 1.0 if unit.kind != "department" and field_role(unit.name) in question.roles else 0.0


def candidate_units(hits: Sequence[Hit], question: Question) -> list[Unit]:
    """Units of every hit, deduplicated by what the user would see (first passage wins)."""
    units: list[Unit] = []
    seen: set[str] = set()
    for i, hit in enumerate(hits):
        found = split_units(hit.text, hit.field, i)
        dept = department_unit(hit, i) if question.asks_department else None
        for unit in [*([dept] if dept else []), *found]:
            if unit.text not in seen:
                seen.add(unit.text)
                units.append(unit)
    return units


def features(
    question: Question, hit: Hit, unit: Unit, weights: TermWeights, top_score: float
) -> Scored:
    """Every cheap feature of one unit."""
    # The project name carries the topic every unit of the passage shares; the unit's own
    # words then decide between units of the same passage.
    lexical_text = f"{hit.project_name or ''} {unit.scoring_text}"
    return Scored(
        unit=unit,
        lexical=overlap(question, set(tokenize(lexical_text)), weights),
        passage=hit.score / top_score if top_score > 0 else 0.0,
        year=year_match(question, unit),
        kind=kind_match(question, unit),
        field=field_match(question, unit),
        role=role_match(question, unit),
        department=1.0 if unit.kind == "department" else 0.0,
    )


@dataclass(frozen=True)
class Ranking:
    """The passages of a question, their units scored best first, and how relevant they are."""

    hits: list[Hit]
    units: list[Scored]
    relevance: float  # best cosine between the question and a passage (as the dense search)


def score_units(
    engine: SearchEngine, question: Question, hits: Sequence[Hit], units: Sequence[Unit]
) -> tuple[list[Scored], np.ndarray]:
    """Every unit scored cheaply, the best ``EMBED_LIMIT`` also by cosine; best first.

    Also returns the question's vector (embedded in the same model call as the units).
    """
    weights = term_weights(engine)
    top = max((h.score for h in hits), default=0.0)
    scored = [features(question, hits[u.passage], u, weights, top) for u in units]
    scored.sort(key=_order(lambda s: s.cheap))
    chosen = scored[:EMBED_LIMIT] if W_COSINE else []
    cache = vector_cache(engine.embedder)
    query_vector, vectors = cache.embed(question.text, [s.unit.scoring_text for s in chosen])
    for s, cosine in zip(chosen, vectors @ query_vector, strict=True):
        # Rounded so that float noise (a text embedded alone or in a batch) cannot
        # reorder units: same question, same answer.
        s.cosine = round(float(cosine), 4)
    scored.sort(key=_order(lambda s: s.total))
    return scored, query_vector


def passage_relevance(engine: SearchEngine, hits: Sequence[Hit], query_vector: np.ndarray) -> float:
    """The best cosine between the question and its passages, from the stored passage vectors.

    The fused search score is normalized per question, so it cannot say whether the best
    passage is any good; this absolute similarity can (on dev every out-of-scope question
    stays below 0.86, most answerable ones above). No model call: FAISS keeps the vectors.
    """
    cosines = []
    for hit in hits:
        try:
            vector = engine.index.dense.reconstruct(hit.chunk_id)
        except RuntimeError:  # an index type that cannot give vectors back: stay neutral
            return RELEVANCE_CENTER
        cosines.append(round(float(np.dot(vector, query_vector)), 4))
    return max(cosines, default=RELEVANCE_CENTER)


def _order(score: Callable[[Scored], float]) -> Callable[[Scored], tuple[float, int, int]]:
    # Higher score first; then earlier passage, then earlier in the passage: deterministic.
    return lambda s: (-round(score(s), 6), s.unit.passage, s.unit.position)


def confidence(score: float, relevance: float) -> float:
    """Probability that the answer is right, from the best unit's score and the passages'
    relevance (a logistic curve fitted on dev)."""
    z = CONF_BIAS + CONF_PER_SCORE * score + CONF_PER_RELEVANCE * (relevance - RELEVANCE_CENTER)
    return float(1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z)))))


def citation_for(hit: Hit, unit: Unit) -> Citation:
    """Where the unit comes from: document, project, field name and fiscal year."""
    return Citation(
        doc_id=hit.doc_id,
        doc_title=hit.doc_title,
        project_id=hit.project_id,
        project_key=hit.project_key,
        project_name=hit.project_name,
        field=unit.name,
        year=unit.year,
    )


def rank_units(
    engine: SearchEngine, query: str, filters: SearchFilters | None = None, passages: int = 8
) -> Ranking:
    """The top passages, every unit of them scored (best first), and their relevance."""
    outcome = engine.search_full(query, top_k=passages, filters=filters or SearchFilters())
    question = read_question(query.strip())
    units = candidate_units(outcome.hits, question)
    if not units:  # nothing passed the filters: no model call needed
        return Ranking(outcome.hits, [], RELEVANCE_CENTER)
    scored, query_vector = score_units(engine, question, outcome.hits, units)
    relevance = passage_relevance(engine, outcome.hits, query_vector)
    return Ranking(outcome.hits, scored, relevance)


def answer_from(ranking: Ranking) -> AnswerOut:
    """The answer of a ranking: its best unit, or found=False below the threshold."""
    if not ranking.units:
        return AnswerOut(text="", found=False, confidence=0.0, citation=None)
    best = ranking.units[0]
    conf = round(confidence(best.total, ranking.relevance), 4)
    if conf < FOUND_THRESHOLD:
        return AnswerOut(text="", found=False, confidence=conf, citation=None)
    hit = ranking.hits[best.unit.passage]
    return AnswerOut(
        text=best.unit.text, found=True, confidence=conf, citation=citation_for(hit, best.unit)
    )


def answer_question(
    engine: SearchEngine,
    query: str,
    filters: SearchFilters | None = None,
    *,
    passages: int = 8,
) -> AnswerOut:
    """The best sentence or row of the top ``passages`` passages, or found=False.

    ``found=False`` comes with ``text=""`` and no citation. Raises ``SearchInputError`` for
    an empty or too long question or a bad filter, like the search does.
    """
    return answer_from(rank_units(engine, query, filters, passages))
