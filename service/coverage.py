"""Whether the plans hold the words a question names: three features of the ``no_match`` decision.

Retrieval always finds the nearest passages; for a topic the plans never mention (水族館, カジノ,
路面電車) those match the question's frame (計画, 補助, 予定 …) and sit as close as the passages
that answer a question in everyday words do. What differs is that the topic's own words occur
nowhere in the plans. For a Japanese question (``coverage``):

* ``unknown``: the share of the question's noun compounds (runs of adjacent nouns, prefixes and
  suffixes, as the analyzer tokenizes them) that no passage holds: one of its lemmas is missing
  from the index's vocabulary, or two of its adjacent lemmas are never neighbours in a passage's
  BM25 tokens (路面+電車, 電子+書籍, 確定+申告; particles between them do not count, so
  体制の見直し holds 体制見直し). A compound is read without the words that name no topic
  (``Compound.parts``): the honorific 御 (お金 is 金), numbers, question words (何人, 幾ら),
  formal nouns, the frame words of a request (状況, 方法, 予定, 計画: 検討状況 is 検討, and a
  productive compound such as 見直し状況 is not a missing topic) and the nouns of the situation a
  resident tells (息子, 母, 近所, 夜中, 本当: ``EVERYDAY``); the words left on either side of a
  dropped one are separate parts. A part the query analyzer's synonym or everyday-word tables
  map to words of the index (行革 → 行政改革, 明かり → 防犯灯) is known;
* ``topic_unknown``: the noun phrase the question asks about, by its grammar, holds a compound
  part no passage holds. The noun phrase is a chain of compounds joined by の or ・ in the
  question's last sentence, followed by は, が, を, って, も, なら or に (「水族館を建てる予定は」,
  「ロープウェイの運賃は」, 「美術館の企画展の日程は」, 「フードバンクに寄付したい」,
  「漁港の整備事業について」). The last sentence is where a resident asks; what comes before
  tells the situation. に counts since it marks where the request goes (dev 0.674 → 0.696 of
  absent topics flagged, held-out CV 0.656 → 0.670; と and で were tried too and lowered both);
* ``hiragana``: the share of its nouns written in hiragana alone (しくみ, むすこ, けんさ). The
  small e5 model reads such questions poorly (``service/query.py``), so their best cosine sits
  low whatever the plans hold; without this, 5 of the 24 plain-words test questions were flagged.

Nouns are the analyzer's lemmas, so a word written in kana (しくみ → 仕組み) is known as the plans
write it. The words dropped from compounds were what kept the share from separating: in 2 of 3
answerable citizen questions a compound was unknown for a word of the situation, a question word
or a frame word (dev, fitted at <= 2 % answerable: absent topics flagged 0.58 -> 0.68, held-out
in 5-fold CV 0.57 -> 0.66). Tried on dev (cross-validated) and not kept: counting readings as
known (灯台 → トウダイ), weighting unknown words by IDF, the length of the compound holding them,
requiring a compound's lemmas to touch in a passage, whether an unknown part is in katakana, in
the last sentence, or its lemma missing rather than its pair, the number of unknown parts, and
UniDic's word origin (和語/漢語/外来語: 近所 and 漁港 are both 漢語, 鳩 and 息子 both 和語).
Since (held-out CV on dev 0.688 absent at 1.8 % answerable; none rose above 0.699, half a
question of 46): the share of the asked phrase's parts unknown, one unknown part among two or more
asked ones (the one missing word among covered ones: 0.681), the last sentence's share (0.659),
unknown parts counted or over the root of the parts, a part whose lemma (not pair) is unknown in
the asked phrase or anywhere, topic_unknown times the cosine, and dropping the nouns of how a
resident judges the situation (不便, 勝手, 苦手, 変 …: the same figures).

Since session 19 a part is also known when the plans print it as the question writes it (a
name of two or more tokens, three characters or more: 峰岸山 is a project's name the analyzer
reads ミネギシ+山 in a question, 市民サービスセンター宮子 is cut 宮+子 in the plans' table), and
when it is a word the plans hold with a bound suffix (落札+者, 契約+毎); 名前 asks for a name and
乗り物, 食べ物, 集まり name the kind of thing a resident means (``EVERYDAY``). Held-out CV on dev
(``python -m eval.nomatch --cv``, stored features): absent topics flagged 0.708 -> 0.719,
answerable 2.45 % -> 2.29 %; the stored model (not refitted) flags the same dev questions
(answerable 7 of 299, absent 0.763). ``EVERYDAY``'s categories completed then (days and
seasons, relatives, the body: 去年, 半日, 夏休み, 元夫, 兄弟, 周り, 足腰, 膝): held out 0.719
-> 0.728 at the same 2.29 %, the stored model's answerable dev questions flagged 7 -> 6.
Tried then and not kept: a suffix written in hiragana (お店とも連絡: 共) naming no topic
(held-out answerable 2.29 % -> 2.62 %), and a single token looked up as printed (no change).

``CorpusVocabulary`` is built once from what the index already holds (the BM25 vocabulary and
the passages' token table), no format change; its pairs are one sorted integer array.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise

import numpy as np

from indexer.analyze import Token, get_analyzer
from indexer.offsets import TokenTable
from service.synonyms import frame_words

# Parts of speech of a noun compound's tokens (prefixes and suffixes: 市営, 〜館, 〜料).
COMPOUND_POS = frozenset({"名詞", "接頭辞", "接尾辞"})
# What ends a sentence in the normalized question (NFKC turns ？ into ?).
SENTENCE_END = frozenset("。.?!")
# Particles after a noun phrase that make it what the question asks about; に marks where the
# request goes (「フードバンクに寄付したい」) and 「…について」「…に関する」 alike.
TOPIC_MARKS = frozenset({"は", "が", "を", "って", "も", "なら", "に"})
# Joins the compounds of one noun phrase: 市営の動物園の入園料, 囲碁・将棋大会.
LINKS = frozenset({"の", "・"})
# A noun written in hiragana alone (the long-vowel mark too: ぼーる).
_HIRAGANA = re.compile(r"[\u3041-\u309fー]+")
# Nouns that name no topic: question words, formal nouns (幾ら, 何処, 所, 事, 物, 為, 方).
FORMAL = frozenset(
    {"幾ら", "何処", "何時", "誰", "所", "物", "事", "方", "為", "時", "中"}
    | {"皆", "奴", "他", "様", "辺り"}
)
# The frame words of a request, beyond ``data/no_expand.txt``: what a question asks about a topic
# (its state, schedule, cost, plan, the help it asks for), never the topic. Dropped from
# compounds (検討状況 → 検討). 公約 is how residents name the manifesto's items (the plans print
# マニフェスト); it and 助け were what made three answerable dev questions look absent.
ASKING = frozenset(
    {"状況", "方法", "予定", "計画", "取り組み", "事業", "制度", "日程", "時間"}
    | {"場所", "費用", "料金", "目標", "実績", "進捗", "検討", "策", "体制"}
    | {"等", "情報", "期間", "時期", "内容", "手続き", "仕組み", "対策", "事例"}
    | {"スケジュール", "作り", "強化", "推進", "促進", "支援", "整備", "公約", "助け"}
    | {"手助け", "名前"}
)
# Nouns of the situation a resident tells, not of a topic (UniDic lemmas): family, people near
# them, home, times of day and of the calendar, the body, and words of certainty and talk. The
# plans never write 息子 or 夜中, so without this list 2 of 3 answerable citizen questions hold
# an "unknown" compound. The categories were read off the dev questions' unknown words and
# completed (父 with 母, 娘 with 息子).
EVERYDAY = frozenset(
    {"息子", "娘", "父", "母", "夫", "妻", "兄", "姉", "弟"}
    | {"妹", "親", "祖父", "祖母", "孫", "爺", "婆", "年寄り", "知り合い"}
    | {"友達", "同僚", "近所", "隣り", "近く", "家", "庭", "夜中", "夜"}
    | {"朝", "昼", "晩", "毎朝", "毎日", "毎晩", "来年", "来月", "最近"}
    | {"休み", "本当", "只", "話", "用事", "気", "気持ち", "足", "首"}
    | {"耳", "目", "手", "前", "後"}
    | {"今年", "今日", "明日", "昨日", "今月", "先月", "去年", "半日", "週末", "夏休み"}
    | {"冬休み", "春休み", "元夫", "元妻", "兄弟", "姉妹", "周り", "足腰", "腰", "膝"}
    # the kind of thing a resident names in place of the plans' word for it (乗り物 for
    # デマンド交通, 集まり for サロン or 教室, 食べ物 for 食品)
    | {"乗り物", "食べ物", "飲み物", "集まり"}
)
# Suffixes of address dropped with the word of the situation they follow (民生委員さん).
ADDRESS = frozenset({"さん", "ちゃん", "君", "様", "達"})
# A part made of these alone names no topic (者, 率, 当たり: the rest of the compound does).
BOUND = frozenset(
    {"者", "的", "化", "性", "率", "数", "費", "料", "等"}
    | {"用", "別", "毎", "内", "外", "中", "後", "前", "以上"}
    | {"以下", "当たり", "時点"}
)


@cache
def one_word_frames() -> frozenset[str]:
    """The one-word frame lemmas of ``data/no_expand.txt`` (built once, not per question)."""
    return frozenset(key[0] for key in frame_words() if len(key) == 1)


# Hiragana letters and the long-vowel mark (a character class's body): the letters of a
# stretch the passages print in kana (``kana_stretches``) and of one a question writes
# (``service.query``'s kana step), one definition so that the two always read the same letters.
KANA_LETTERS = "\u3041-\u3096ー"
_HIRAGANA_STRETCH = re.compile(f"[{KANA_LETTERS}]+")


def kana_stretches(texts: Iterable[str]) -> frozenset[str]:
    """The distinct stretches of hiragana in ``texts``."""
    return frozenset(m for text in texts for m in _HIRAGANA_STRETCH.findall(text))


@dataclass(frozen=True)
class CorpusVocabulary:
    """The lemmas of the index and the pairs of lemmas that are neighbours in a passage."""

    lemmas: Collection[str]
    ids: Mapping[str, int]
    pairs: np.ndarray  # sorted unique ``first * len(ids) + second``
    # Neighbours that touch in the text (弁護+士, 図書+館, 通学+路: one printed word the analyzer
    # cut in two), with how many times they occur so, and the stretches of hiragana the
    # passages print (``kana_stretches``): the words a question may write in kana, and the kana
    # that are no such word (``QueryAnalyzer._kana_expansions``).
    compounds: Mapping[tuple[str, str], int] = field(default_factory=dict)
    kana: frozenset[str] = frozenset()
    # What the passages and their headers print (project names, headers), NFKC without blanks,
    # one text a line (``printed``): a name the analyzer cuts otherwise in a question than in
    # the plans (市民サービスセンター宮子: 宮子 is ミヤコ alone, 宮+子 after 116.3件).
    text: str = ""

    @classmethod
    def from_index(
        cls,
        tokens: TokenTable,
        lemmas: Collection[str],
        texts: Iterable[str] = (),
        printed: Iterable[str] = (),
    ) -> CorpusVocabulary:
        """From the passages' token table (neighbours: consecutive tokens of one passage; the
        particles between them are not tokens), the BM25 vocabulary ``lemmas`` (which also
        holds the passages' headers) and the passages' ``texts``. Requiring the tokens to touch
        flagged 体制見直し and 電子地域通貨ISECA, which the plans print as 体制の見直し and
        電子地域通貨「ISECA」. ``printed``: the passages' texts, headers and project names
        (``printed``)."""
        size = len(tokens.vocab)
        ids = tokens.ids.astype(np.int64)
        inside = np.ones(max(len(ids) - 1, 0), dtype=bool)
        row_starts = tokens.indptr[1:-1]
        inside[row_starts[(row_starts > 0) & (row_starts < len(ids))] - 1] = False
        pairs = np.unique(ids[:-1][inside] * size + ids[1:][inside])
        # Two touching tokens that start or end a printed word (支援+センター of
        # 子育て支援センター; not 道+使用 of 下水道使用料).
        touching = inside & (tokens.ends[:-1] == tokens.starts[1:])
        left, right = np.zeros_like(touching), np.zeros_like(touching)
        left[1:], right[:-1] = touching[:-1], touching[1:]
        whole = touching & ~(left & right)
        codes, counts = np.unique(ids[:-1][whole] * size + ids[1:][whole], return_counts=True)
        vocab = tokens.vocab
        compounds = {
            (vocab[code // size], vocab[code % size]): count
            for code, count in zip(codes.tolist(), counts.tolist(), strict=True)
        }
        text = "\n".join(dict.fromkeys(_flat(t) for t in printed if t))
        return cls(lemmas, tokens.lemma_index, pairs, compounds, kana_stretches(texts), text)

    def prints(self, surface: str) -> bool:
        """Whether the plans print ``surface`` (NFKC, blanks ignored) as it is written."""
        flat = _flat(surface)
        return bool(flat) and flat in self.text

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

    @property
    def lemmas(self) -> tuple[str, ...]:
        return tuple(t.lemma for t in self.tokens)

    def parts(self) -> list[tuple[str, ...]]:
        """The lemma runs of this compound that could name a topic: the words that name none
        (module docstring) dropped, the compound split where they were; each part holds a
        noun, and not only bound words (者, 率)."""
        return [tuple(t.lemma for t in run) for run in self.runs()]

    def runs(self) -> list[tuple[Token, ...]]:
        """The token runs of ``parts`` (whose offsets give the text each is printed as)."""
        frames = one_word_frames()
        out: list[tuple[Token, ...]] = []
        run: list[Token] = []
        for token in (*self.tokens, None):
            if token is not None and not _names_nothing(token, frames):
                run.append(token)
                continue
            if any(t.pos == "名詞" for t in run) and not all(t.lemma in BOUND for t in run):
                out.append(tuple(run))
            run = []
        return out

    @property
    def topic_mark(self) -> bool:
        after = self.after.strip(" 、,。.?!")
        return after in TOPIC_MARKS


_BLANKS = re.compile(r"\s+")


def _flat(text: str) -> str:
    """``text`` as ``CorpusVocabulary.prints`` compares it: NFKC, no blanks."""
    return _BLANKS.sub("", unicodedata.normalize("NFKC", text))


def _names_nothing(token: Token, frames: frozenset[str]) -> bool:
    """A token of a compound that names no topic (``Compound.parts``)."""
    lemma = token.lemma
    return (
        (token.affix and (lemma == "御" or lemma in ADDRESS))
        or lemma.isdigit()
        or lemma.startswith(("何", "幾"))  # 何人, 幾ら, 幾つ
        or lemma in FORMAL
        or lemma in frames
        or lemma in ASKING
        or lemma in EVERYDAY
        or (lemma == "内" and token.reading == "ウチ")  # 「財源のうち起債は」: which of them
    )


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
            out[-1].append(Compound(tuple(run), gap))
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


# A name of two or more tokens is looked up as printed when it is at least this long: two
# kanji are often the end of one word and the start of the next in the plans (地面 in 農地面積).
_SHORTEST_PRINTED = 3


def _known_part(
    text: str, run: Sequence[Token], vocabulary: CorpusVocabulary, known: Collection[str]
) -> bool:
    """Whether the plans hold a compound part: its lemmas mapped by the synonym tables, held as
    neighbours in a passage, or the part printed as the question writes it (a name of two or more
    tokens that the analyzer cuts otherwise in the plans: 峰岸山 is ミネギシ+山 in a question,
    a project's name in the plans)."""
    lemmas = tuple(t.lemma for t in run)
    if all(lemma in known for lemma in lemmas) or vocabulary.holds(lemmas):
        return True
    stem = lemmas
    while len(stem) > 1 and stem[-1] in BOUND:
        stem = stem[:-1]
    if stem != lemmas and vocabulary.holds(stem):
        return True
    surface = text[run[0].start : run[-1].end]
    return len(run) >= 2 and len(surface) >= _SHORTEST_PRINTED and vocabulary.prints(surface)


def coverage(
    text: str, vocabulary: CorpusVocabulary, synonyms: Collection[str] = frozenset()
) -> Coverage:
    """The coverage features of a Japanese question's normalized ``text``; ``synonyms``: its
    lemmas that the query analyzer's synonym and everyday-word tables map to words of the index
    (行革 → 行政, 改革; 明かり → 防犯, 灯), which the plans cover under another name."""
    tokens = get_analyzer().tokens(text)
    found = sentences(text, tokens)
    known = set(synonyms)
    parts = [(c, run) for s in found for c in s for run in c.runs()]
    missing = [c for c, run in parts if not _known_part(text, run, vocabulary, known)]
    unknown = len(missing) / len(parts) if parts else 0.0
    asked = {id(c) for p in _phrases(found[-1]) if p[-1].topic_mark for c in p} if found else set()
    topic = any(id(c) in asked for c in missing)
    nouns = [t for t in tokens if t.pos == "名詞"]
    kana = sum(bool(_HIRAGANA.fullmatch(text[t.start : t.end])) for t in nouns)
    return Coverage(unknown, float(topic), kana / len(nouns) if nouns else 0.0)
