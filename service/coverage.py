"""Whether the plans hold the words a question names: three features of the ``no_match`` decision.

Retrieval always finds the nearest passages; for a topic the plans never mention (水族館, カジノ,
路面電車) those match the question's frame (計画, 補助, 予定 …) and sit as close as the passages
that answer a question in everyday words do. What differs is that the topic's own words occur
nowhere in the plans. For a Japanese question (``coverage``):

* ``unknown``: the share of the question's noun compounds (runs of adjacent nouns, prefixes and
  suffixes, as the analyzer tokenizes them; not those made only of frame words such as 方法,
  状況, or of affixes) that no passage holds: one of its lemmas is missing from the index's
  vocabulary, or two of its adjacent lemmas are never neighbours in a passage's BM25 tokens
  (路面+電車, 電子+書籍, 確定+申告; particles between them do not count, so 体制の見直し holds
  体制見直し);
* ``topic_unknown``: the noun phrase the question asks about, by its grammar, holds a noun the
  index lacks and the synonym tables do not map to an index word (行革 → 行政改革 is known).
  The noun phrase is a chain of compounds joined by の or ・ in the question's last sentence,
  followed by は, が, を, って, も, なら or について/に関する (「水族館を建てる予定は」,
  「ロープウェイの運賃は」, 「漁港の整備事業について」). The last sentence is where a resident asks;
  what comes before tells the situation, in everyday words the plans do not use (息子, 夜中,
  近所), which is why the share above weighs less than this;
* ``hiragana``: the share of its nouns written in hiragana alone (しくみ, むすこ, けんさ). The
  small e5 model reads such questions poorly (``service/query.py``), so their best cosine sits
  low whatever the plans hold; without this, 5 of the 24 plain-words test questions were flagged.

Nouns are the analyzer's lemmas, so a word written in kana (しくみ → 仕組み) is known as the plans
write it. Tried on dev (cross-validated) and not kept: counting the analyzer's synonyms, readings
and everyday-word expansions as known in the share too (近所, 息子, 夜中 have none; more answerable
questions flagged), weighting unknown words by IDF, the length of the compound holding them,
and requiring a compound's lemmas to touch in a passage.

``CorpusVocabulary`` is built once from what the index already holds (the BM25 vocabulary and
the passages' token table), no format change; its pairs are one sorted integer array.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from indexer.analyze import Token, get_analyzer
from indexer.offsets import TokenTable
from service.synonyms import frame_words

# Parts of speech of a noun compound's tokens (prefixes and suffixes: 市営, 〜館, 〜料).
COMPOUND_POS = frozenset({"名詞", "接頭辞", "接尾辞"})
# What ends a sentence in the normalized question (NFKC turns ？ into ?).
SENTENCE_END = frozenset("。.?!")
# Particles after a noun phrase that make it what the question asks about.
TOPIC_MARKS = frozenset({"は", "が", "を", "って", "も", "なら"})
# 「…について」「…に関する」: に, then one of these verbs.
ABOUT_VERBS = frozenset({"つく", "付く", "関する"})
# Joins the compounds of one noun phrase: 市営の動物園の入園料, 囲碁・将棋大会.
LINKS = frozenset({"の", "・"})
# A noun written in hiragana alone (the long-vowel mark too: ぼーる).
_HIRAGANA = re.compile(r"[\u3041-\u309fー]+")
# Nouns that name no topic: question words, formal nouns (幾ら, 何処, 所, 事, 物, 為, 方).
FORMAL = frozenset(
    {"幾ら", "何処", "何時", "誰", "所", "物", "事", "方", "為", "時", "中"}
    | {"皆", "奴", "他", "様", "辺り"}
)


@dataclass(frozen=True)
class CorpusVocabulary:
    """The lemmas of the index and the pairs of lemmas that are neighbours in a passage."""

    lemmas: Collection[str]
    ids: Mapping[str, int]
    pairs: np.ndarray  # sorted unique ``first * len(ids) + second``

    @classmethod
    def from_index(cls, tokens: TokenTable, lemmas: Collection[str]) -> CorpusVocabulary:
        """From the passages' token table (neighbours: consecutive tokens of one passage; the
        particles between them are not tokens) and the BM25 vocabulary ``lemmas`` (which also
        holds the passages' headers). Requiring the tokens to touch flagged 体制見直し and
        電子地域通貨ISECA, which the plans print as 体制の見直し and 電子地域通貨「ISECA」."""
        size = len(tokens.vocab)
        ids = tokens.ids.astype(np.int64)
        inside = np.ones(max(len(ids) - 1, 0), dtype=bool)
        row_starts = tokens.indptr[1:-1]
        inside[row_starts[(row_starts > 0) & (row_starts < len(ids))] - 1] = False
        pairs = np.unique(ids[:-1][inside] * size + ids[1:][inside])
        return cls(lemmas, tokens.lemma_index, pairs)

    def holds(self, lemmas: Sequence[str]) -> bool:
        """Whether a passage holds this lemma sequence: every lemma known and each adjacent
        pair seen as neighbours somewhere (a pair at a time: cheap, and close enough)."""
        if any(lemma not in self.lemmas for lemma in lemmas):
            return False
        size = len(self.ids)
        for first, second in pairwise(lemmas):
            a, b = self.ids.get(first), self.ids.get(second)
            if a is None or b is None:
                return False
            code = a * size + b
            at = int(np.searchsorted(self.pairs, code))
            if at >= len(self.pairs) or self.pairs[at] != code:
                return False
        return True


@dataclass(frozen=True)
class Compound:
    """A run of adjacent noun tokens, and the text between it and the next token."""

    tokens: tuple[Token, ...]
    after: str
    next_lemma: str

    @property
    def lemmas(self) -> tuple[str, ...]:
        return tuple(t.lemma for t in self.tokens)

    @property
    def nouns(self) -> tuple[str, ...]:
        """Its nouns that could name a topic: no affix, number or question word."""
        return tuple(
            t.lemma
            for t in self.tokens
            if t.pos == "名詞"
            and not t.lemma.isdigit()
            and not t.lemma.startswith("何")  # 何人, 何度, 何か所
            and t.lemma not in FORMAL
        )

    @property
    def topic_mark(self) -> bool:
        after = self.after.strip(" 、,。.?!")
        return after in TOPIC_MARKS or (after == "に" and self.next_lemma in ABOUT_VERBS)


def sentences(text: str, tokens: Sequence[Token] | None = None) -> list[list[Compound]]:
    """The noun compounds of ``text``, sentence by sentence (``tokens``: the analyzer's tokens
    of ``text``, when the caller has them)."""
    tokens = get_analyzer().tokens(text) if tokens is None else tokens
    out: list[list[Compound]] = [[]]
    run: list[Token] = []
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        gap = text[token.end : following.start] if following else text[token.end :]
        if token.pos in COMPOUND_POS:
            run.append(token)
            if not gap and following is not None and following.pos in COMPOUND_POS:
                continue
            nxt = following.lemma if following else ""
            out[-1].append(Compound(tuple(run), gap, nxt))
            run = []
        if SENTENCE_END & set(gap) and out[-1]:
            out.append([])
    return [s for s in out if s]


def _phrases(sentence: list[Compound]) -> list[list[Compound]]:
    """Chains of compounds joined by の or ・."""
    out, chain = [], []
    for compound in sentence:
        chain.append(compound)
        if compound.after.strip(" 、,。.?!") not in LINKS:
            out.append(chain)
            chain = []
    return out + ([chain] if chain else [])


@dataclass(frozen=True)
class Coverage:
    """How much of a question the plans' words cover (module docstring)."""

    unknown: float = 0.0
    topic_unknown: float = 0.0
    hiragana: float = 0.0


def coverage(
    text: str, vocabulary: CorpusVocabulary, synonyms: Collection[str] = frozenset()
) -> Coverage:
    """The coverage features of a Japanese question's normalized ``text``; ``synonyms``: its
    lemmas that the query analyzer's synonym tables map to words of the index (行革 → 行政,
    改革), which the plans cover under another name."""
    tokens = get_analyzer().tokens(text)
    found = sentences(text, tokens)
    frame = {key[0] for key in frame_words() if len(key) == 1}
    named = [c for s in found for c in s if not all(t.affix or t.lemma in frame for t in c.tokens)]
    unknown = sum(not vocabulary.holds(c.lemmas) for c in named) / len(named) if named else 0.0
    asked = [p for p in _phrases(found[-1]) if p[-1].topic_mark] if found else []
    topic = any(
        n not in vocabulary.lemmas and n not in synonyms for p in asked for c in p for n in c.nouns
    )
    nouns = [t for t in tokens if t.pos == "名詞"]
    kana = sum(bool(_HIRAGANA.fullmatch(text[t.start : t.end])) for t in nouns)
    return Coverage(unknown, float(topic), kana / len(nouns) if nouns else 0.0)
