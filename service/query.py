"""Query understanding: normalization and BM25 query expansion.

The index holds fugashi + unidic-lite lemmas of the text as printed (``indexer.analyze``). The
lemma already folds many spelling variants (子ども/こども/子供 → 子供, 障がい/障碍/障害 → 障害,
空家/空き家 → 空き家, ゴミ/ごみ → 塵), so the analyzer works on lemma sequences and adds what the
lemma cannot know:

* synonyms (子育て → 育児, 高齢者 → 年寄り, ごみ → 廃棄): the Sudachi synonym dictionary
  (built into ``var/synonyms/`` at install time) and a short curated list (``data/synonyms.tsv``);
* the other way of writing a fiscal year (令和4年度 → 2022, 2022年度 → 令和 4), since the
  documents print mostly 和暦 and the index keeps what is printed;
* for a question that is not in Japanese (``ParsedQuery.language``), the Japanese words of the
  glossary concepts it names (daycare, creche, 托儿所 → 保育, 所, 園): the index holds Japanese
  lemmas only, so without them BM25 scores a foreign question on nothing (``service/glossary.py``).
  Japanese questions skip this step;
* for a Japanese question in everyday words, two steps (``QueryAnalyzer._plain``): the index
  words that *sound* like a run of its tokens (UniDic readings: じしん → 地震, まど+ぐち → 窓口,
  いせ+さき → 伊勢崎, the misspelling 検針 → 検診), and the administrative words its everyday
  words call for (``data/colloquial.tsv``: あずかって → 一時・預かる・保育, 補聴器 → 補装具). On
  eval/gold/plain-dev.jsonl hybrid nDCG@10 0.362 → 0.465 (readings alone +0.02, the table
  alone +0.08), citizen 0.622 → 0.632, staff/detail/list unchanged. The same words are also
  embedded with the question (``ParsedQuery.embedded_text``): the small e5 model reads kana
  questions poorly and the plans' words well; plain-dev 0.465 → 0.716, citizen 0.632 → 0.637,
  staff 0.981 → 0.978.
  A second everyday table (``data/colloquial_dense.tsv``) feeds the embedded words only: its
  words are never BM25 tokens (``QueryAnalyzer._dense_only``). A word in kana that MeCab cuts
  wrongly (べんごし → 偏+越し, としょかん → 小+感, 通学ろ → 通学+櫓) never sounds like one index
  token, and the index often holds the word as two (弁護+士, 図書+館): hiragana stretches, and
  runs partly in kana, are read against the readings of the index's words, one token or two
  that touch in a passage (``CorpusVocabulary.compounds``), kanji words of four kana or more,
  never a stretch the plans print in kana themselves (``_kana_expansions``: the ``kana``
  step). On the dev questions plain 0.762 -> 0.783 (2 up, none down), citizen, staff, detail,
  list and foreign unchanged, and no staff, detail, list or citizen dev question (nor any of
  answers-dev, absent, keywords) gets a kana word;
* the embedded text writes the question's hiragana nouns as the plans write them (むすこ →
  息子, そうだん → 相談, しくみ → 仕組み: ``QueryAnalyzer._in_kanji``), never a noun the plans
  print in kana themselves (すべて, ふるさと, まちなか), a question word (いくら) or a kanji the
  plans never print (おむつ → 御襁褓): the small e5 model reads kanji far better than kana. On
  the dev questions plain 0.812 -> 0.843 (3 up, 1 down), citizen, staff, detail, list and
  foreign unchanged, and no dev question of those styles (nor answers-dev, keywords) changes
  its embedded text (one absent question does: ひきこもり);
* the request frame (…はありますか, …を教えてください) and the asker's city written in hiragana
  (いせさき, いせはら: ``_CITY_SHARE``) are cut from the embedded text (``without_frame``,
  ``without_names``, ``ParsedQuery.stem``).

Weighting: bm25s ``get_scores`` sums one BM25 term score per query token (duplicates count
again) and takes no weights, so the levers are which expansions a term gets, how many, and how
many times the original tokens are repeated. Chosen on the dev questions (``eval/synonyms.py``):

* the query's own tokens come first, once, unchanged: with no expansion the tokens are exactly
  the index tokenizer's. Repeating them twice (expansions at half weight) scored lower;
* at most ``max_expansions`` (2) tokens per matched term, nouns only (as chikkarpy by default),
  never for words of the question's frame (心配, 関係, 全部: ``data/no_expand.txt``);
* an expansion must be a token the index holds and at least as common there as the term: BM25's
  IDF falls as a token gets more common, so an expansion weighs no more than the user's own
  word. Without the rule, rare synonyms of common terms (高齢者 → シニア, 方針 → ポリシー) pull in
  passages for the wrong reason; with the other limits in place the two settings differ on dev
  by single questions either way (``rarer`` preset), and the rule is kept because it bounds
  what an expansion can do to a ranking.

A question is parsed once (``QueryAnalyzer.parse``) into a ``ParsedQuery`` that retrieval,
fusion, highlighting and answering all read; nothing downstream tokenizes the question again.
The synonym tables live in ``service/synonyms.py``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from indexer.analyze import NOT_TEXT, Token, get_analyzer
from indexer.analyze import normalize as index_form
from indexer.settings import Settings
from indexer.years import YearError, parse_year, wareki
from service.coverage import KANA_LETTERS
from service.glossary import GLOSSARY_FILE, japanese_tokens, load_glossary
from service.highlight import highlight_spans
from service.language import detect_language
from service.synonyms import (
    COLLOQUIAL_DENSE_FILE,
    SOURCES,
    Key,
    SpellingFilter,
    SynonymTable,
    colloquial_table,
    frame_words,
    synonym_table,
)

# The term of the fiscal-year expansion in ``QueryAnalyzer.expansions``.
YEAR_TERM: Key = ("<year>",)
# The steps whose words are also embedded with the question (``ParsedQuery.embedded_text``).
PLAIN_KINDS = frozenset({"reading", "colloquial", "kana"})
# The language of the documents: its questions need no glossary.
INDEX_LANGUAGE = "ja"
# 平成 starts in 1989: earlier years have no form the documents would print.
_FIRST_HEISEI = 1989
# Where scripts/fetch-synonyms.sh writes the Sudachi groups (``PLANSEARCH_SYNONYMS_FILE``).
DEFAULT_SUDACHI_FILE: Path = Settings.model_fields["synonyms_file"].default

_SPACES = re.compile(r"\s+")
# A fiscal-year mention: an era with its year number (令和4, R4), or a Western year followed by
# 年 or standing alone (2022年度, 2022 予算; not 2000人 or H2O).
_YEAR = re.compile(
    r"(?:令和|平成|(?<![A-Za-z])[RH])\s*(?:元|\d{1,2})(?![\dA-Za-z])"
    r"|(?<![\d.,])(?:19|20)\d{2}(?=\s*年|\s|$)"
)
# What every ``_YEAR`` match holds: a digit or 元 (令和元年).
_YEAR_HINT = re.compile(r"[\d元]")
# Tokens that only make a year form readable; the query keeps its own if it has them.
_YEAR_FILLER = frozenset({"年度", "年"})
# The most query tokens one dictionary word is matched over (長寿命化計画 is four).
_LONGEST_KEY = 4
# The most query tokens whose joint reading may name one index word (まど+ぐち → 窓口,
# いせ+さき → 伊勢崎), and the shortest reading that may: two-kana readings (シ, キ, マド) have
# too many homophones to be worth a token.
_LONGEST_READING_RUN = 3
_SHORTEST_READING = 3
# One token is taken for another word of the same sound (kana じしん tagged 自身 for 地震, the
# slip 検針 for 検診) only when the index word is this many times as common, and a kanji slip
# only when the two share a character: 町内/庁内, 自転/時点, 可燃/箇年, 起業/企業 are all words.
_MISSPELLING_RATIO = 5
# ... and only when the index hardly knows it (機械, 協同, 市外 are no slips for 機会, 協働, 市街).
_RARE = 5
# Parts of speech a reading is matched for: nouns and their affixes. Verbs and adjectives are
# written in kana all the time (しまう, にぎわう), and their homophones (姉妹, 賑わい) are noise.
_SOUNDED_POS = frozenset({"名詞", "接頭辞", "接尾辞"})
# Question words (何, 何処, 幾つ, 幾ら): what is asked, never a word of the plans.
_INTERROGATIVES = ("何", "幾")
_KANA = re.compile(r"[\u3041-\u309f\u30a1-\u30ff]")
# The request frame that closes a resident's question (…はありますか, …を教えてください,
# …したいのですが, …ってほんと?): no topic, and the small e5 model weighs it like one, pulling
# the question toward any passage that asks or offers. Cut from the embedded text only, end
# first, as often as one matches, with the punctuation around it. A question without a frame
# keeps even its closing ？ or 。: cutting that alone moved staff and detail questions (test
# staff 0.843 -> 0.830, detail 0.946 -> 0.932). BM25 never sees the difference (particles and
# 有る are no tokens). On the dev questions hybrid nDCG@10 citizen 0.644 -> 0.657, plain 0.796
# -> 0.811, list 0.826 -> 0.825, staff and detail unchanged (keeping the ？ after the cut:
# citizen 0.645); on test citizen 0.684 -> 0.709, plain 0.683 -> 0.670.
_CLOSING = re.compile(r"[?!？！。.…\s]*$")
_FRAME_END = re.compile(
    r"[、,\s]*(?:(?:は|って|とか|も|が)?(?:何か|なにか|なんか)?(?:あります|ありません|ある|あり)"
    r"(?:か|の|かな|んですか|のですか|んでしょうか|でしょうか)?"
    r"|(?:を|について)?(?:教えて|おしえて)(?:ください|下さい|ほしい|欲しい|くれる|もらえる)?(?:か|の)?"
    r"|(?:のですが|んですが|んだけど|のだけど|けど|のですけど)"
    r"|(?:って|は|と)?(?:本当|ほんと)(?:に|なの|ですか|なんですか)?)[?!？！。、\s]*$"
)
# A frame cut that leaves fewer characters than this keeps the question whole.
_SHORTEST_STEM = 4
# A place name written in hiragana (いせさき, いせはら) whose reading names a word held by this
# share of the passages (counted against the index's most common token) is the asker's city: the
# plans print 伊勢崎 in 78 % of the passages (イセハラ 22 %, a district such as 赤堀 1.4 %) and
# いせさき only inside the names of things (いせさき聖苑, 読書の街いせさき, いせさき福祉ふれあい
# マルシェ), so the model, reading the kana, pulled a question toward those. The name is cut
# from the embedded text (``ParsedQuery.stem``); BM25 and the city prior still read the city's
# word. Cut before the frame, so that 「…ってほんと？いせさき」 loses its frame too. On the dev
# questions (hybrid nDCG@10) plain 0.754 -> 0.765 (46 q: 5 up, 1 down; cut after the frame:
# 0.761), citizen, staff, detail, list and foreign unchanged.
_CITY_SHARE = 0.1
_HIRAGANA_RUN = re.compile(r"[\u3041-\u309f]+")
# A word written in kana that the tagger cut wrongly (べんごし → 偏+越し, としょかん → 小+感,
# まどぐち → 窓+愚痴る): a stretch of hiragana is read against the readings of the index's
# words, one token or two that touch in the text (弁護+士), when the word holds a kanji and its
# reading is at least this long and at most the longer one. Three kana found ホジョ (補助) of
# ほじょ金, and homophones everywhere else: こういう → 行為, そういう → 創意, どうしよう → 同士 in 3
# of the 34 citizen dev questions, いくら → 街区 in 2 plain ones.
_SHORTEST_KANA_WORD = 4
_LONGEST_KANA_WORD = 10
_HIRAGANA_STRETCH = re.compile(rf"[{KANA_LETTERS}]{{{_SHORTEST_KANA_WORD},}}")
_TO_KATAKANA = {c: c + 0x60 for c in range(0x3041, 0x3097)}
_KANJI = re.compile(r"[\u4e00-\u9fff々]")


def normalize(query: str) -> str:
    """NFKC (full-width ASCII → ASCII, half-width kana → full-width), whitespace collapsed,
    control characters and lone surrogates dropped."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", NOT_TEXT.sub("", query))).strip()


def without_frame(text: str) -> str:
    """``text`` without the request frame at its end (``_FRAME_END``) and its punctuation;
    ``text`` itself when it has no frame or too little would be left."""
    stem = text
    while (cut := _FRAME_END.sub("", stem)) != stem and cut:
        stem = cut
    stem = _CLOSING.sub("", stem)
    if stem == _CLOSING.sub("", text) or len(stem) < _SHORTEST_STEM:
        return text
    return stem


def without_names(text: str, names: Sequence[str]) -> str:
    """``text`` without each of ``names`` (and a 市 after it) and the punctuation around it;
    ``text`` itself when too little would be left."""
    pattern = "|".join(re.escape(name) for name in sorted(set(names), key=len, reverse=True))
    cut = re.sub(rf"[、。,\s]*(?:{pattern})市?[、。,\s]*", " ", text).strip()
    return cut if len(cut) >= _SHORTEST_STEM else text


def _lemmas(text: str) -> tuple[str, ...]:
    return get_analyzer().lemmas(text)


# -- years ---------------------------------------------------------------------------


def _years(text: str) -> Iterator[int]:
    """Fiscal years (西暦) named in normalized ``text``."""
    if not _YEAR_HINT.search(text):
        return  # most questions name no year, and ``_YEAR`` tries its branches everywhere
    for match in _YEAR.finditer(text):
        try:
            year = parse_year(match.group(0))
        except YearError:
            continue
        if year >= _FIRST_HEISEI:
            yield year


def year_variants(query: str) -> list[str]:
    """Tokens of the other forms of each fiscal year in ``query`` (令和4 ↔ 2022).

    The documents print 令和N年度 or RN年度, rarely 2022年度; a query may use either.
    """
    query = normalize(query)
    return _year_variants(_lemmas(query), _years(query))


def _year_variants(own: Sequence[str], years: Iterable[int]) -> list[str]:
    """``year_variants`` of a normalized question with tokens ``own`` naming ``years``."""
    present = set(own)
    out: list[str] = []
    for year in years:
        for form in (wareki(year), f"{year}年度"):
            out += [t for t in _lemmas(form) if t not in present and t not in _YEAR_FILLER]
    return list(dict.fromkeys(out))


# -- the analyzer ----------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """A query term found in a synonym table."""

    key: Key  # its lemmas as in the query
    content: Key  # the same without affixes: what its frequency is judged by
    candidates: tuple[Key, ...]


class Run(NamedTuple):
    """A run of a question's tokens that may be a dictionary word or sound like an index word,
    with what the table lookups and the reading step read of it (a named tuple: a question has
    ~40 runs, and a frozen dataclass doubled the cost of building them)."""

    size: int  # how many tokens it spans
    key: Key  # its lemmas
    framed: bool  # a word of the question's frame (心配, 関係): never a term
    written: str  # the question's characters it spans
    spoken: str  # its tokens' readings joined (まど+ぐち → マドグチ) when ``sounded``
    sounded: bool  # nouns and affixes, each with a reading, next to each other in the text
    affixes: tuple[bool, ...]  # which of its tokens are affixes (``content``)
    spellings: tuple[str, ...]  # as written (空家対策) and as lemmas (子ども → 子供), once if equal
    expandable: bool  # a noun run: nouns only, as chikkarpy by default (no 何処 → 何, numbers)
    proper: bool  # holds a proper noun (UniDic 固有名詞: イセ of いせさき)

    @property
    def content(self) -> Key:
        """Its lemmas without affixes: what a match's frequency is judged by. Read only for a
        match (a few a question), so not built for every run."""
        return tuple(lemma for lemma, aff in zip(self.key, self.affixes, strict=True) if not aff)


class Runs(NamedTuple):
    """A question's runs, token by token, and every spelling they have."""

    at: tuple[tuple[Run, ...], ...]  # for each token, the runs starting at it, the longest first
    # The runs' spellings, each once, that some table may hold (``QueryAnalyzer.parse`` keeps
    # those that pass the tables' joint filter): what each table's own filter reads.
    spellings: tuple[str, ...]


def question_runs(text: str, tokens: Sequence[Token], frame: frozenset[Key]) -> Runs:
    """For each of ``tokens`` (the analyzer's tokens of ``text``), the runs starting at it, the
    longest (``_LONGEST_KEY``) first.

    Built once per parse and read by every table step (synonyms, everyday words, dense-only
    words) and by the reading step: each of the four built the runs' keys and spellings (NFKC
    of the written form, the joined lemmas) again. The per-run tests are read off where each
    token's stretches end, each token judged once, and whether a run is a word of the
    question's frame (``frame``) is asked once, not per step.
    """
    n = len(tokens)
    lemmas = tuple(t.lemma for t in tokens)
    affixes = tuple(t.affix for t in tokens)
    readings = tuple(t.reading for t in tokens)
    propers = tuple(t.pos2 == "固有名詞" for t in tokens)
    # From each token on: where the tokens a noun run may hold end (nouns, as chikkarpy by
    # default: no pronouns 何処 → 何, numbers or verbs; and affixes), where the first noun is,
    # and where the tokens that may be read aloud as one word end (nouns and affixes with a
    # reading, ``_SOUNDED_POS``, next to each other in the text). A run [i, j) is expandable
    # when it holds a noun and fits (next_noun[i] < j <= fit_end[i]), sounded when j <=
    # sound_end[i].
    fit_end, next_noun, sound_end = [n] * (n + 1), [n] * (n + 1), [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        t = tokens[i]
        noun = t.pos == "名詞" and t.pos2 != "数詞"
        fit_end[i] = fit_end[i + 1] if noun or t.affix else i
        next_noun[i] = i if noun else next_noun[i + 1]
        if not (t.reading and t.pos in _SOUNDED_POS) or t.lemma.startswith(_INTERROGATIVES):
            # a question word is read as asked: 何+部 of 「何部配る」 sounds like 南部 and
            # 比+何 of 「対前年度比何％増」 like 避難, words no answer to them holds
            sound_end[i] = i
        elif i + 1 < n and t.end == tokens[i + 1].start:
            sound_end[i] = max(i + 1, sound_end[i + 1])
        else:
            sound_end[i] = i + 1
    # The index form of a run as written: its own characters when the question has no
    # thousands separator and the run is NFKC already (``is_normalized``, a C quick check), as
    # a normalized question's runs are; ``index_form`` otherwise.
    plain = "," not in text
    is_normalized = unicodedata.is_normalized
    out: list[tuple[Run, ...]] = []
    spellings: set[str] = set()
    for i in range(n):
        runs = []
        start = tokens[i].start
        for size in range(min(_LONGEST_KEY, n - i), 0, -1):
            j = i + size
            key = lemmas[i:j]
            written = text[start : tokens[j - 1].end]
            if plain and is_normalized("NFKC", written):
                form = written.lower()
            else:
                form = index_form(written)
            joined = "".join(key)
            spelt = (form,) if form == joined else (form, joined)
            spellings.update(spelt)
            sounded = j <= sound_end[i]
            runs.append(
                Run(
                    size,
                    key,
                    key in frame,
                    written,
                    "".join(readings[i:j]) if sounded else "",
                    sounded,
                    affixes[i:j],
                    spelt,
                    next_noun[i] < j <= fit_end[i],
                    any(propers[i:j]),
                )
            )
        out.append(tuple(runs))
    return Runs(tuple(out), tuple(spellings))


def _matches(runs: Runs, tables: tuple[SynonymTable, ...], nouns: bool = True) -> Iterator[Match]:
    """Terms of a question (its ``runs``) found in the tables: non-overlapping runs of tokens,
    the longest match first at each position; words of the question's frame are never terms, and
    with ``nouns`` only noun runs are (the colloquial table also maps verbs: 預かって)."""
    # Each table's filter is asked for all the question's spellings at once (``held``), and a
    # run is looked up only in the tables that may hold one of its spellings: the lookups give
    # nothing for any other, so the matches are those of asking every table for every run.
    held = [(table, maybe) for table in tables if (maybe := table.held(runs.spellings))]
    i = 0
    while held and i < len(runs.at):
        for run in runs.at[i]:
            if run.framed or (nouns and not run.expandable):
                continue
            # The words as written (空家対策) and as lemmas (子ども → 子供) both find entries.
            # Each table is asked directly and the candidates merged only when a second table
            # has some too (as ``lookup`` merges them): most runs are in no table, and the
            # merging call cost as much as the tables' own look-ups.
            candidates: tuple[Key, ...] = ()
            spelt = run.spellings
            for table, maybe in held:
                if spelt[0] not in maybe and spelt[-1] not in maybe:
                    continue
                found = table.lookup(run.spellings, run.key)
                if found and candidates:
                    found = candidates + tuple(c for c in found if c not in candidates)
                candidates = found or candidates
            if candidates:
                yield Match(run.key, run.content, candidates)
                i += run.size
                break
        else:
            i += 1


@dataclass(frozen=True)
class Expansion:
    """One matched query term, the tokens added for it, and which step added them (``synonym``,
    ``year``, ``reading``, ``colloquial`` or ``glossary``)."""

    term: Key
    added: tuple[str, ...]
    kind: str = "synonym"
    # A kana word's index word whole (弁護士, of which 弁護 may be the question's own token):
    # what the model reads of it (``_dense_words``).
    word: str = ""
    # The added tokens that are each a whole word of the synonym group on their own (引っ越し →
    # 転入, 転居: two alternatives, not one word cut in two as 行革 → 行政 改革 is).
    whole: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedQuery:
    """A question as every stage reads it, computed once per request.

    ``tokens`` are the analyzer's lemmas of the question (the index's own tokens);
    ``lexical_tokens`` what BM25 scores (``tokens`` repeated ``original_repeat`` times, then the
    expansions); ``highlight_terms`` every lemma a passage may be highlighted for; ``years``
    the fiscal years (西暦) the question names; ``vector`` the question's embedding of
    ``embedded_text``, set once by the engine when a dense retriever needs it.
    """

    text: str
    normalized: str
    tokens: tuple[str, ...]
    expansions: tuple[Expansion, ...]
    lexical_tokens: tuple[str, ...]
    highlight_terms: frozenset[str]
    years: tuple[int, ...]
    language: str | None = None
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)
    # The words the plain-Japanese steps found, appended to the text the model embeds.
    dense_words: tuple[str, ...] = ()
    # The question as the model reads it: ``text`` without its request frame
    # (``without_frame``); empty when the analyzer keeps the frame.
    stem: str = ""

    @property
    def embedded_text(self) -> str:
        """What the dense retriever embeds: the question (its ``stem`` when set), then the
        plans' words that its readings and everyday words called for (``QueryAnalyzer._plain``)."""
        base = self.stem or self.text
        return f"{base} {'・'.join(self.dense_words)}" if self.dense_words else base

    def with_vector(self, vector: np.ndarray) -> ParsedQuery:
        """The same question with its embedding."""
        return replace(self, vector=vector)


# Settings compared by ``python -m eval.synonyms measure --configs …`` (default is the service's).
PRESETS: dict[str, dict[str, Any]] = {
    "default": {},
    "curated": {"sources": ("curated",)},
    "sudachi": {"sources": ("sudachi",)},
    "years": {"sources": ()},
    "repeat2": {"original_repeat": 2},
    "max1": {"max_expansions": 1},
    "max3": {"max_expansions": 3},
    "rarer": {"rarer": True},
    "noframe": {"frame": False},
    "noglossary": {"glossary": False},
    "noreadings": {"readings": False},
    "nocolloquial": {"colloquial": False},
    "plainoff": {"readings": False, "colloquial": False},
    "nodense": {"dense_words": False},
    "keepframe": {"strip_frame": False},
    "nodensetable": {"dense_table": False},
    "nokana": {"kana_words": False},
    "nokanji": {"kanji_stem": False},
}


class QueryAnalyzer:
    """Normalizes queries and turns them into expanded BM25 tokens; holds the synonym tables.

    ``frequencies``: how many passages of the index contain each token (``index_frequencies``);
    without it nothing is filtered. With it, an expansion must be a token the index knows and,
    unless ``rarer`` is set, at least as common as the term it expands. BM25's IDF falls as a
    token gets more common, so such an expansion can never outscore the user's own word: it maps
    a word the documents rarely use (お年寄り, 持ち主) onto the one they do (高齢, 所有), and
    leaves alone words the documents already use (方針 is not widened to ポリシー).
    ``max_expansions``: tokens added per matched term at most. ``original_repeat``: how many
    times the query's own tokens are sent (2 weighs them 2:1 against expansions). ``glossary``:
    whether a question not in Japanese gets the Japanese tokens of the glossary concepts it
    names (read from ``glossary_file``), each once, when the index holds them. ``readings`` and
    ``colloquial``: the two steps for a Japanese question in everyday words (``_plain``);
    ``dense_words``: whether their words are also embedded with the question.
    """

    def __init__(
        self,
        frequencies: Mapping[str, int] | None = None,
        max_expansions: int = 2,
        original_repeat: int = 1,
        sources: tuple[str, ...] = SOURCES,
        years: bool = True,
        rarer: bool = False,
        frame: bool = True,
        sudachi_file: Path = DEFAULT_SUDACHI_FILE,
        glossary: bool = True,
        glossary_file: Path = GLOSSARY_FILE,
        readings: bool = True,
        colloquial: bool = True,
        dense_words: bool = True,
        strip_frame: bool = True,
        dense_table: bool = True,
        kana_words: bool = True,
        compounds: Mapping[tuple[str, str], int] | None = None,
        printed_kana: Collection[str] = (),
        kanji_stem: bool = True,
    ) -> None:
        self.frequencies = frequencies
        self.max_expansions = max_expansions
        self.original_repeat = original_repeat
        self.years = years
        self.rarer = rarer
        self.tables = tuple(synonym_table(source, sudachi_file) for source in sources)
        self.frame = frame_words() if frame else frozenset()
        self.glossary = load_glossary(glossary_file) if glossary else None
        self.readings = readings
        self.colloquial = (colloquial_table(),) if colloquial else ()
        self.dense_words = dense_words
        self.strip_frame = strip_frame
        self.dense_table = (colloquial_table(COLLOQUIAL_DENSE_FILE),) if dense_table else ()
        self._filter = SpellingFilter((*self.tables, *self.colloquial, *self.dense_table))
        self.kana_words = kana_words
        # The index's two-token words (``CorpusVocabulary.compounds``), set by the engine.
        self.compounds = compounds
        # The hiragana stretches the passages print (``CorpusVocabulary.kana``), set with it.
        self.printed_kana = printed_kana
        self.kanji_stem = kanji_stem

    def normalize(self, query: str) -> str:
        """NFKC and width normalization, whitespace collapsed (idempotent)."""
        return normalize(query)

    def _frequency(self, token: str) -> int:
        return self.frequencies.get(token, 0) if self.frequencies is not None else 0

    def _indexed(self, token: str) -> bool:
        return self.frequencies is None or token in self.frequencies

    def _allowed(self, token: str, match: Match) -> bool:
        """Whether ``token`` may expand ``match``: a word (not a digit or a lone character, as
        in 1人暮らし → 1), known to the index, and not rarer than the term."""
        if len(token) < 2 or token.isdigit() or not self._indexed(token):
            return False
        if self.frequencies is None or self.rarer:
            return True
        return self._frequency(token) >= min(self._frequency(t) for t in match.content)

    def _pick(self, match: Match, taken: set[str]) -> tuple[str, ...]:
        """Up to ``max_expansions`` new, allowed tokens from the candidates, in order."""
        picked: list[str] = []
        for token in (t for candidate in match.candidates for t in candidate):
            if len(picked) == self.max_expansions:
                break
            if token not in taken and self._allowed(token, match):
                picked.append(token)
                taken.add(token)
        return tuple(picked)

    def _expansions(
        self, own: tuple[str, ...], runs: Runs, years: tuple[int, ...]
    ) -> list[Expansion]:
        taken = set(own)
        out = []
        for match in _matches(runs, self.tables):
            added = self._pick(match, taken)
            if added:
                single = {c[0] for c in match.candidates if len(c) == 1}
                whole = tuple(t for t in added if t in single)
                out.append(Expansion(match.key, added, whole=whole))
        if self.years:
            # Another form of the same year is no synonym: exempt from the frequency rule.
            forms = _year_variants(own, years)
            added = tuple(t for t in forms if t not in taken and self._indexed(t))
            if added:
                out.append(Expansion(YEAR_TERM, added, "year"))
        return out

    def _glossary_expansions(
        self, text: str, language: str | None, taken: set[str]
    ) -> list[Expansion]:
        """For a question not in Japanese: per glossary concept it names (by the word found),
        the Japanese tokens of the concept not already sent."""
        if self.glossary is None or language == INDEX_LANGUAGE:
            return []
        out = []
        for found in self.glossary.find(text):
            tokens = japanese_tokens(found.concept.japanese)
            added = tuple(t for t in tokens if t not in taken and self._indexed(t))
            taken.update(added)
            if added:
                out.append(Expansion((found.word,), added, "glossary"))
        return out

    @cached_property
    def _spoken(self) -> dict[str, str]:
        """Each index token's katakana reading, tagged alone (地震 → ジシン; "" for none); built
        on first use (a few tenths of a second for the index's vocabulary)."""
        reading = get_analyzer().reading
        return {t: reading(t) for t in self.frequencies} if self.frequencies is not None else {}

    @cached_property
    def _kana_table(self) -> dict[str, tuple[Key, ...]]:
        """Index words holding a kanji by their katakana reading, most common first: each token
        (its passages) and each two-token word of ``compounds`` (its occurrences)."""
        if self.frequencies is None:
            return {}
        candidates: list[tuple[int, Key]] = [(n, (t,)) for t, n in self.frequencies.items()]
        candidates += [
            (n, key) for key, n in (self.compounds or {}).items() if all(map(self._indexed, key))
        ]
        # Read whole: a compound's second token alone may read otherwise (館 ヤカタ, 所 トコロ);
        # nouns only (できる+者 and どう+する are no words a tagger would miss).
        parts = get_analyzer().parts
        words: list[tuple[int, Key, str]] = []
        for n, key in candidates:
            # Every token in kanji: a word of kanji spelt in kana (イセサキ+市 is the city the
            # reading step reads, センター a word the question writes as the plans do).
            if not all(_KANJI.search(t) for t in key):
                continue
            joined = "".join(key)
            read = parts(joined)
            sound = "".join(r for _, r in read)
            if len(sound) >= _SHORTEST_KANA_WORD and all(
                pos in _SOUNDED_POS and r for pos, r in read
            ):
                words.append((n, key, sound))
                before = sound[: -len(read[-1][1])]
                if before.endswith(("ン", "ウ")) and (voiced := _voiced(read[-1][1])):
                    # 避難所 reads ヒナンショ, and is said ひなんじょ (rendaku).
                    words.append((0, key, before + voiced))
        out: dict[str, list[Key]] = {}
        for _, key, sound in sorted(words, key=lambda w: -w[0]):
            if len(sound) <= _LONGEST_KANA_WORD and key not in out.get(sound, ()):
                out.setdefault(sound, []).append(key)
        # A reading the plans themselves print in kana is no kanji word misspelt (ないよう of
        # …しないように, not 内容).
        for stretch in self.printed_kana:
            sound = stretch.translate(_TO_KATAKANA)
            for i in range(len(sound) - _SHORTEST_KANA_WORD + 1):
                for j in range(
                    i + _SHORTEST_KANA_WORD, min(len(sound), i + _LONGEST_KANA_WORD) + 1
                ):
                    out.pop(sound[i:j], None)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def _index_chars(self) -> frozenset[str]:
        """Every character of the index's tokens."""
        return frozenset("".join(self.frequencies or ()))

    @cached_property
    def _printed_starts(self) -> frozenset[str]:
        """The first two to six kana of each hiragana stretch the plans print (すべて of
        すべての, ふるさと of ふるさと納税, づくり of まちづくり): words the plans write in kana."""
        return frozenset(stretch[:size] for stretch in self.printed_kana for size in range(2, 7))

    @cached_property
    def _kana_starts(self) -> dict[str, int]:
        """The longest reading of ``_kana_table`` by its first ``_SHORTEST_KANA_WORD`` kana."""
        out: dict[str, int] = {}
        for sound in self._kana_table:
            start = sound[:_SHORTEST_KANA_WORD]
            out[start] = max(out.get(start, 0), len(sound))
        return out

    def _kana_expansions(
        self,
        text: str,
        tokens: Sequence[Token],
        taken: set[str],
        read: Collection[str] = (),
        spelt: set[int] | None = None,
    ) -> list[Expansion]:
        """Index words that a hiragana stretch of the question spells out where the tagger cut
        it otherwise (べんごし → 弁護+士): the longest readings first, not overlapping. A reading
        counts over one of the question's tokens at least (kana the tagger took for particles
        alone are too often no word: かいじょ of しゅうかいじょ), never from inside a token
        (きゅう|きゅう|しゃ holds no 休止), nor inside one token alone (that token's reading is
        the reading step's), nor over a token whose lemma is in ``read`` (another step's
        term). Adds the indices of the tokens each word stands for to ``spelt``."""
        table, longest = self._kana_table, self._kana_starts
        if not table:
            return []
        found: list[tuple[int, int, int, tuple[Key, ...]]] = []
        shortest = _SHORTEST_KANA_WORD
        for stretch in _HIRAGANA_STRETCH.finditer(text):
            sound = stretch.group().translate(_TO_KATAKANA)
            at, n = stretch.start(), len(sound)
            for i in range(n - shortest + 1):
                # Most places start no reading: one look-up of the first kana says so.
                size = longest.get(sound[i : i + shortest], 0)
                for j in range(min(n, i + size), i + shortest - 1, -1):
                    keys = table.get(sound[i:j])
                    if keys:
                        found.append((j - i, at + i, at + j, keys))
                        break
        out: list[Expansion] = []
        used: list[tuple[int, int]] = []
        for _, start, end, keys in sorted(found, key=lambda f: (-f[0], f[1])):
            if any(start < e and s < end for s, e in used):
                continue
            over = [k for k, t in enumerate(tokens) if t.start < end and start < t.end]
            pieces = [tokens[k] for k in over]
            if not pieces or any(t.lemma in read for t in pieces):
                continue
            first = pieces[0]
            if first.start < start or (
                len(pieces) == 1 and first.start == start and end <= first.end
            ):
                continue
            key = keys[0]
            added = tuple(t for t in key if t not in taken and self._indexed(t))
            if not added:
                continue
            used.append((start, end))
            taken.update(added)
            if spelt is not None:
                spelt.update(over)
            term = tuple(t.lemma for t in pieces if t.lemma not in key)
            out.append(Expansion(term, added, "kana", "".join(key)))
        return out

    @cached_property
    def _by_reading(self) -> dict[str, tuple[str, ...]]:
        """Index tokens by their katakana reading (ジシン → 地震, 自身), most common first."""
        out: dict[str, list[str]] = {}
        for token in sorted(self._spoken, key=lambda t: -self._frequency(t)):
            spoken = self._spoken[token]
            if len(spoken) >= _SHORTEST_READING and len(token) >= 2:
                out.setdefault(spoken, []).append(token)
        return {k: tuple(v) for k, v in out.items()}

    def _reading_expansions(
        self, runs: Runs, taken: set[str], spelt: AbstractSet[int] = frozenset()
    ) -> list[Expansion]:
        """Index words that sound like a run of the question's tokens: kana for kanji
        (じしん → 地震, まど+ぐち → 窓口, いせ+さき → 伊勢崎) and a wrong kanji of the same sound
        (検針 → 検診, 予防摂取 → 接種). A word counts only when it is at least as common in the
        index as the run's rarest token, so a word the plans use is never widened to a rarer
        homophone; one token only when ``_misread`` says so, and a kanji one only when it is rare
        in the index (``_RARE``; never a word the index lacks: 用事 is no 幼児). Nouns only
        (``Run.sounded``). At most ``max_expansions`` per run, the longest first. Tokens in
        ``spelt`` (the kana step's) are left alone."""
        out: list[Expansion] = []
        # Two-token words (通学+路), read only where a run sounds like one.
        compounds = self._kana_table if self.kana_words else {}
        i = 0
        while i < len(runs.at):
            compound = False
            for run in runs.at[i]:
                key, written, size = run.key, run.written, run.size
                if size > _LONGEST_READING_RUN or run.framed or not run.sounded:
                    continue
                if spelt and not spelt.isdisjoint(range(i, i + size)):
                    continue
                # Most readings are no index word's: asked first, before the run's frequencies.
                homophones = self._by_reading.get(run.spoken, ())
                if not homophones:
                    compound = compound or (
                        size > 1 and run.spoken in compounds and bool(_KANA.search(written))
                    )
                    continue
                floor = min(self._frequency(t) for t in key)
                kanji_only = not _KANA.search(written)
                if kanji_only and not 0 < floor <= _RARE:
                    continue
                added = tuple(
                    w
                    for w in homophones
                    if w not in key
                    and w not in taken
                    and self._frequency(w) >= floor
                    and (size > 1 or self._misread(written, floor, w, kanji_only))
                )[: self.max_expansions]
                if added:
                    taken.update(added)
                    out.append(Expansion(key, added, "reading"))
                    i += size
                    break
            else:
                # No one word sounds like a run from here: a two-token word may (通学ろ).
                found = self._compound(runs, i, taken, spelt) if compound else None
                if found is not None:
                    out.append(found[1])
                i += found[0] if found is not None else 1
        return out

    def _compound(
        self, runs: Runs, i: int, taken: set[str], spelt: AbstractSet[int]
    ) -> tuple[int, Expansion] | None:
        """The index's two-token word that a run from token ``i`` sounds like (the longest
        first), where the tokens it replaces are written in kana (通学+ろ, tagged 櫓 → 通学+路;
        not がん+検診 → 癌+健診), as the kana step adds it, with the run's size; None when none
        adds a token."""
        for run in runs.at[i]:
            if run.size < 2 or run.framed or not run.sounded:
                continue
            if spelt and not spelt.isdisjoint(range(i, i + run.size)):
                continue
            for key in self._kana_table.get(run.spoken, ()):
                replaced = [k for k, t in enumerate(run.key) if t not in key]
                added = tuple(t for t in key if t not in run.key and t not in taken)
                # Each token's own run is the last (the shortest) of those starting at it.
                if len(key) != 2 or not added or not replaced:
                    continue
                if any(_KANJI.search(runs.at[i + k][-1].written) for k in replaced):
                    continue
                taken.update(added)
                term = tuple(run.key[k] for k in replaced)
                return run.size, Expansion(term, added, "kana", "".join(key))
        return None

    def _misread(self, written: str, frequency: int, word: str, kanji_only: bool) -> bool:
        """Whether one token ``written`` (``frequency`` passages) is likely ``word`` misread by
        the tagger (kana: じしん tagged 自身) or mistyped (kanji: 検針): ``word`` is
        ``_MISSPELLING_RATIO`` times as common, and a kanji slip shares a character with it."""
        if kanji_only and not set(written) & set(word):
            return False
        return self._frequency(word) >= _MISSPELLING_RATIO * frequency

    def _colloquial_expansions(self, matches: Iterable[Match], taken: set[str]) -> list[Expansion]:
        """The administrative words of a question's everyday words (``matches`` of
        ``data/colloquial.tsv``): hand-written, so every token of every target is added when the
        index holds it, with no frequency rule."""
        out = []
        for match in matches:
            tokens = (t for candidate in match.candidates for t in candidate)
            added = tuple(dict.fromkeys(t for t in tokens if t not in taken and self._indexed(t)))
            taken.update(added)
            if added:
                out.append(Expansion(match.key, added, "colloquial"))
        return out

    def _dense_only(self, runs: Runs, language: str | None, taken: set[str]) -> tuple[str, ...]:
        """For a Japanese question, the administrative words of its everyday words in
        ``data/colloquial_dense.tsv`` that it does not already send: for the model only, so
        they are no ``Expansion`` (BM25 and highlighting never see them)."""
        if language not in (INDEX_LANGUAGE, None):
            return ()
        out: list[str] = []
        for match in _matches(runs, self.dense_table, nouns=False):
            tokens = (t for candidate in match.candidates for t in candidate)
            out += [t for t in tokens if t not in taken and t not in out and self._indexed(t)]
        return tuple(out)

    @cached_property
    def _most_common(self) -> int:
        """Passages of the index's most common token: the scale of ``_CITY_SHARE``."""
        return max((self.frequencies or {}).values(), default=0)

    def _city_names(self, runs: Runs, expansions: Sequence[Expansion]) -> tuple[str, ...]:
        """The hiragana runs of the question that name the asker's city (``_CITY_SHARE``):
        a proper noun whose reading step added a word most passages of a city hold."""
        floor = _CITY_SHARE * self._most_common
        cities = [
            e
            for e in expansions
            if e.kind == "reading" and floor and any(self._frequency(w) >= floor for w in e.added)
        ]
        if not cities:  # most questions (every foreign one): no runs to read
            return ()
        sounded = {
            run.key: run.written
            for at in runs.at
            for run in at
            if run.proper and _HIRAGANA_RUN.fullmatch(run.written)
        }
        return tuple(sounded[e.term] for e in cities if e.term in sounded)

    def _plain(
        self,
        text: str,
        tokens: Sequence[Token],
        runs: Runs,
        language: str | None,
        taken: set[str],
    ) -> list[Expansion]:
        """For a Japanese question: readings, then everyday words (each step sees the other's
        tokens as taken, so no token is added twice)."""
        if language not in (INDEX_LANGUAGE, None):
            return []
        matches = list(_matches(runs, self.colloquial, nouns=False))
        kana: list[Expansion] = []
        spelt: set[int] = set()  # the tokens a kana word stands for
        if self.kana_words:
            # A word of the everyday table is the table's (しゅうかいじょ is its 町内会議所, not
            # 集会 of its first four kana); the reading step reads the tokens the kana step
            # left (としょかん is 図書館, not 所管 of しょ+かん).
            read = {t for m in matches for t in m.key}
            kana = self._kana_expansions(text, tokens, taken, read, spelt)
        out = self._reading_expansions(runs, taken, spelt) if self.readings else []
        return out + kana + self._colloquial_expansions(matches, taken)

    def parse(self, query: str) -> ParsedQuery:
        """Everything retrieval, highlighting and answering need to know about ``query``."""
        text = normalize(query)
        # Tokens first: their one tagging also gives the lemmas (``indexer.analyze``), and
        # coverage reads the same tokens again from the analyzer's cache.
        tokens = get_analyzer().tokens(text)
        own = _lemmas(text)
        runs = question_runs(text, tokens, self.frame)
        runs = runs._replace(spellings=tuple(self._filter.held(runs.spellings)))
        language = detect_language(text)
        years = tuple(dict.fromkeys(_years(text)))
        expansions = self._expansions(own, runs, years)
        taken = set(own).union(t for e in expansions for t in e.added)
        expansions += self._plain(text, tokens, runs, language, taken)
        expansions += self._glossary_expansions(text, language, taken)
        added = tuple(t for e in expansions for t in e.added)
        plain = tuple(w for e in expansions if e.kind in PLAIN_KINDS for w in _dense_words(e))
        plain += self._dense_only(runs, language, taken.union(added))
        joined = " ".join(query.split())
        scored = without_pieces(own, expansions)
        return ParsedQuery(
            text=joined,
            normalized=text,
            tokens=own,
            expansions=tuple(expansions),
            lexical_tokens=scored * self.original_repeat + added,
            highlight_terms=frozenset(own).union(added),
            years=years,
            language=language,
            dense_words=plain if self.dense_words else (),
            stem=self._stem(
                self._in_kanji(joined, text, tokens, expansions, language) or joined,
                language,
                self._city_names(runs, expansions),
                joined,
            ),
        )

    def _in_kanji(
        self,
        typed: str,
        text: str,
        tokens: Sequence[Token],
        expansions: Sequence[Expansion],
        language: str | None,
    ) -> str:
        """The question as typed (``typed``; ``text`` its normalized form, which ``tokens``
        index) with its hiragana nouns written as the plans write them (むすこ → 息子, そうだん →
        相談, しくみ → 仕組み), or "" when none is. A noun counts when its lemma is a kanji word
        of two characters or more, each of them one the plans print (not おむつ → 御襁褓), the
        plans never print the noun in kana
        (すべて, ふるさと, まちなか stay: ``_printed_starts``), it is no question word (いくら)
        and no piece of a word another plain step read (じしん, tagged 自身)."""
        if not self.kanji_stem or language not in (INDEX_LANGUAGE, None):
            return ""
        if len(typed) != len(text):  # NFKC changed the length: offsets would not hold
            return ""
        pieces = {t for e in expansions if e.kind in PLAIN_KINDS for t in e.term}
        out, at = [], 0
        for t in tokens:
            written = text[t.start : t.end]
            lemma = t.lemma
            if (
                t.pos == "名詞"
                and t.pos2 != "固有名詞"
                and len(lemma) > 1
                and _HIRAGANA_RUN.fullmatch(written)
                and _KANJI.search(lemma)
                and self._index_chars.issuperset(lemma)
                and lemma not in pieces
                and not lemma.startswith(_INTERROGATIVES)
                and written not in self._printed_starts
            ):
                out += [typed[at : t.start], lemma]
                at = t.end
        return "".join([*out, typed[at:]]) if out else ""

    def _stem(
        self, text: str, language: str | None, cities: Sequence[str] = (), typed: str = ""
    ) -> str:
        """The embedded form of a Japanese question (``text``: as typed, white space joined)
        without its request frame and the hiragana names of the asker's city (``cities``), or
        "" to keep the question as typed."""
        if not self.strip_frame or language not in (INDEX_LANGUAGE, None):
            return text if text != (typed or text) else ""
        stem = without_names(text, cities) if cities else text
        stem = without_frame(stem)
        return stem if stem != (typed or text) else ""

    # Shorthands over ``parse`` for callers that want one part only.

    def expansions(self, query: str) -> list[Expansion]:
        """The synonym and year expansions of ``query``, term by term."""
        return list(self.parse(query).expansions)

    def lexical_tokens(self, query: str) -> list[str]:
        """BM25 tokens: the query's own tokens (repeated ``original_repeat`` times), then
        each expansion once."""
        return list(self.parse(query).lexical_tokens)

    def terms(self, query: str) -> frozenset[str]:
        """Every lemma the query matches on: its own tokens and their expansions."""
        return self.parse(query).highlight_terms

    def highlight(self, text: str, query: str) -> list[tuple[int, int]]:
        """[start, end) spans of ``text`` whose tokens match the query or its expansions."""
        return highlight_spans(text, self.terms(query))


# The voiced kana of each voiceless one (カ → ガ, ハ → バ): the first kana of a compound's second
# part when it is voiced (rendaku).
_VOICED = dict(
    zip(
        "カキクケコサシスセソタチツテトハヒフヘホ",
        "ガギグゲゴザジズゼゾダヂヅデドバビブベボ",
        strict=True,
    )
)


def _voiced(sound: str) -> str:
    """``sound`` with its first kana voiced, or "" when it has no voiced form."""
    first = _VOICED.get(sound[:1])
    return first + sound[1:] if first else ""


def _dense_words(expansion: Expansion) -> tuple[str, ...]:
    """What the model reads of a plain step's words: a kana word's tokens as the one word they
    print (弁護士, not 弁護・士), the other steps' each on its own."""
    return (expansion.word,) if expansion.word else expansion.added


def without_pieces(own: tuple[str, ...], expansions: Sequence[Expansion]) -> tuple[str, ...]:
    """``own`` without the pieces of a kana word the tagger cut in several tokens whose joint
    reading names one index word (``_reading_expansions``: いせ+さき → 伊勢崎, まど+ぐち → 窓口).

    The pieces are no words of the question, and BM25 scored them: イセ is printed only where a
    plan writes いせさき in kana, so 「…いせさきです」 brought 読書の街いせさき, いせさき聖苑 and
    the one-line 「いせさき福祉ふれあいマルシェ」 indicator first. Their reading's word is sent
    instead, as before. On the dev questions (hybrid nDCG@10, index of ecc24be) plain 0.770 ->
    0.800 (33 q), citizen, staff, detail, list and foreign unchanged; test plain 0.678 -> 0.718,
    the rest unchanged. Dropping single misread tokens too (じしん tagged 自身) changed nothing."""
    pieces = [
        t
        for e in expansions
        if (e.kind == "reading" and len(e.term) > 1) or e.kind == "kana"
        for t in e.term
    ]
    kept = list(own)
    for piece in pieces:
        if piece in kept:
            kept.remove(piece)
    return tuple(kept)


def index_frequencies(lexical: Any) -> dict[str, int]:
    """Token → number of passages containing it, read from a bm25s index.

    bm25s keeps one column of scores per token id (``indptr`` delimits them), with an entry
    for each passage that contains the token; its vocabulary also has an empty token with none.
    """
    indptr = lexical.scores["indptr"]
    return {
        token: int(indptr[i + 1] - indptr[i])
        for token, i in lexical.vocab_dict.items()
        if token and i + 1 < len(indptr)
    }
