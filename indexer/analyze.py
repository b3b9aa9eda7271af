"""The one text analyzer: normalization, fugashi + unidic-lite tokens with offsets, lemmas.

The same object tokenizes passages for BM25 at index time, and questions and passages for
lexical search and highlighting at query time, so index and query tokens cannot drift apart. Its
configuration (``AnalyzerConfig.as_dict``) is written into the index manifest and compared on
load: an index tokenized under other rules is refused, not silently mis-searched.

Normalization (the index form): NFKC (full-width ASCII → ASCII, half-width kana → full-width,
①→1), lower case, thousands separators removed (``3,550`` → ``3550``). Tokens keep their UniDic
lemma (子ども/こども/子供 → 子供), with loanword glosses cut (``センター-center`` → センター);
punctuation, blanks, particles and auxiliaries are dropped. Each token also carries UniDic's
katakana reading of its surface (``Token.reading``; じしん and 地震 both ジシン), which the query
analyzer uses to match a word written in kana or with a wrong kanji of the same sound; readings
are never indexed, so the index's tokens and ``AnalyzerConfig`` are those of before.

MeCab taggers are not thread-safe, and each one loads the dictionary (tens of MB). One tagger
per analyzer, behind a lock, keeps memory flat however many threads a server runs; tagging a
passage takes well under a millisecond, far below the embedding each request also pays.

A question needs both views, its lemmas (BM25) and its tokens (synonyms, readings, coverage):
one tagging gives both. ``tokens`` tags the text, and when the tokens hold every content word
of the very string ``lemmas`` would tag, it leaves their lemmas for the next ``lemmas`` call of
that text, which then tags nothing. The two views are equal by construction, not by
assumption: any other text (one normalization shortens, a word MeCab did not place) is tagged
again for its lemmas, as before.
"""

from __future__ import annotations

import csv
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import NamedTuple

import fugashi

from indexer.textclean import nfkc

# Parts of speech that carry no topic: never tokens, never highlighted.
DROP_POS = ("補助記号", "記号", "空白", "助詞", "助動詞")
# Prefixes and suffixes (御, 第, 者, 物): highlighted only next to a highlighted word.
AFFIX_POS = ("接頭辞", "接尾辞")
# Lone surrogates and control characters (white space aside) are not text: MeCab cannot encode
# the first and stops at NUL, so both are dropped before tagging.
NOT_TEXT = re.compile(r"[\ud800-\udfff\x00-\x08\x0e-\x1f\x7f-\x9f]")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
# Characters that NFKC folds into the character before them (half-width and combining marks).
_COMBINING_MARKS = frozenset("\uff9e\uff9f\u3099\u309a")
# Bounds of the analyzer's two caches, by measurement (3,000 soak requests in process, 8
# concurrent threads at most). ``tokens`` is asked for each question ~5 times within its own
# request and never again (repeated questions are answered by the response cache), while an
# entry costs ~6 KB for a typical question and ~200 KB at the 1,000-character limit: 8,192
# entries grew the soak's memory by ~58 MB and could hold 1.6 GB of long questions, and at
# index time it kept every chunk's tokens (74 MB in a build). 64 keeps every hit. ``lemmas``
# serves questions and their recurring year and city forms: 512 keeps 99.6 % of the hits of
# an unbounded cache (1.2 KB an entry, 41 KB at the limit).
_TOKENS_CACHE_SIZE = 64
_LEMMAS_CACHE_SIZE = 512
# Lemmas read off a ``tokens`` pass, waiting for the ``lemmas`` call of the same text (within
# the same request for a question): as many as the tokens cache holds texts.
_TAGGED_SIZE = _TOKENS_CACHE_SIZE
# Characters (with their marks) whose index form ``normalize_with_offsets`` keeps: the corpus
# has 1,722 distinct ones, and each is folded once instead of at every occurrence (NFKC, the
# control-character filter and lower case: the bulk of its time).
_FOLDED_CACHE_SIZE = 4096
# Lemmas whose index form ``_lemma_form`` keeps: the corpus has ~6,100 distinct lemmas (a full
# cache ~2 MB; a server that tags questions only holds far fewer).
_LEMMA_FORMS_CACHE_SIZE = 8192
# UniDic's feature fields a node is read for (``_Node``), by name: their positions depend on the
# dictionary's schema (unidic-lite's 26 fields, UniDic 2.2+'s 29).
_FEATURES = ("pos1", "pos2", "lemma", "kana")
# What MeCab prints of each node, for ``_nodes``: the surface and the raw feature string. Not the
# fields alone (``%f[7]``): MeCab prints "*" fields as empty ones, and pos2 "*" is a value here.
_NODE_FORMAT = "%m\\t%H\\n"


@dataclass(frozen=True)
class AnalyzerConfig:
    """The rules that decide which tokens a text has; saved in the index manifest."""

    dictionary: str = "unidic-lite"
    drop_pos: tuple[str, ...] = DROP_POS
    affix_pos: tuple[str, ...] = AFFIX_POS
    normalization: str = "nfkc+lower+no-thousands-separator"

    def as_dict(self) -> dict[str, object]:
        """The manifest form, with the dictionary's installed version (it decides lemmas)."""
        out: dict[str, object] = asdict(self)
        out["drop_pos"], out["affix_pos"] = list(self.drop_pos), list(self.affix_pos)
        out["dictionary_version"] = _package_version(self.dictionary)
        return out


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "absent"


class Token(NamedTuple):
    """A content token: its lemma as the index stores it, and where it is in the original text.

    A named tuple, not a frozen dataclass: a question makes tens of them per tagging and a
    passage hundreds, and a frozen dataclass took three times as long to build."""

    lemma: str
    start: int
    end: int
    pos: str  # UniDic part of speech, first level (名詞, 動詞, 接尾辞, 代名詞 …)
    pos2: str
    affix: bool  # a prefix or suffix (御, 第, 者, 物)
    # UniDic's katakana reading of the surface (じしん, 地震 → ジシン): what a word sounds like
    # whichever way it was written; read by the query analyzer, never indexed.
    reading: str = ""

    @property
    def light(self) -> bool:
        """A word like する/いる/なる/ある that carries meaning only with another word."""
        return self.pos2 == "非自立可能"


class _Node(NamedTuple):
    # A tuple: a question makes tens of these per tagging, a passage hundreds.
    surface: str
    lemma: str
    pos: str
    pos2: str
    reading: str


def normalize(text: str) -> str:
    """The index form of ``text``: NFKC, lower case, no thousands separators."""
    return _THOUSANDS.sub("", nfkc(text)).lower()


# The index form of a lemma, kept for the lemmas met most (a few thousand make most tokens):
# each token's lemma is normalized, and NFKC, the separator rule and lower case cost more than
# a cache hit.
_lemma_form = lru_cache(maxsize=_LEMMA_FORMS_CACHE_SIZE)(normalize)


@lru_cache(maxsize=_FOLDED_CACHE_SIZE)
def _is_mark(char: str) -> bool:
    """Whether NFKC folds ``char`` into the character before it (half-width and combining marks)."""
    return char in _COMBINING_MARKS or unicodedata.combining(char) != 0


def _clusters(text: str) -> Iterator[tuple[int, int]]:
    """[start, end) of each base character with the marks NFKC would fold into it."""
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not _is_mark(text[i]):
            yield start, i
            start = i


@lru_cache(maxsize=_FOLDED_CACHE_SIZE)
def _folded(cluster: str) -> str:
    """The index form of one character with its marks, before thousands separators go."""
    return unicodedata.normalize("NFKC", NOT_TEXT.sub("", cluster)).lower()


def normalize_with_offsets(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The index form of ``text``, and for each of its characters the [start, end) of the
    original characters it came from (normalization can change length: ｶﾞ → ガ, 3,550 → 3550)."""
    chars: list[str] = []
    origin: list[tuple[int, int]] = []
    for start, end in _clusters(text):
        piece = _folded(text[start:end])
        chars += piece
        origin += [(start, end)] * len(piece)
    joined = "".join(chars)
    if "," not in joined:  # no thousands separator to drop (most texts)
        return joined, origin
    dropped = {m.start() for m in _THOUSANDS.finditer(joined)}
    keep = [i for i in range(len(joined)) if i not in dropped]
    return "".join(joined[i] for i in keep), [origin[i] for i in keep]


class Analyzer:
    """Tokens, lemmas and offsets of any text, under one ``AnalyzerConfig``."""

    def __init__(self, config: AnalyzerConfig | None = None) -> None:
        self.config = config or AnalyzerConfig()
        self._drop = frozenset(self.config.drop_pos)
        self._affix = frozenset(self.config.affix_pos)
        self._tagger, self._at = _printing_tagger()
        self._lock = threading.Lock()
        # Bounded caches: questions and passages repeat, memory must not grow with use.
        self.lemmas = lru_cache(maxsize=_LEMMAS_CACHE_SIZE)(self._lemmas)
        self.tokens = lru_cache(maxsize=_TOKENS_CACHE_SIZE)(self._tokens)
        # Text -> its lemmas, left by ``_tokens`` for ``_lemmas`` (see the module docstring).
        self._tagged: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self._tagged_lock = threading.Lock()

    def normalize(self, text: str) -> str:
        """The index form of ``text`` (see module docstring)."""
        return normalize(text)

    def _nodes(self, text: str) -> list[_Node]:
        # One C call prints the nodes (``_printing_tagger``), read after the lock is released.
        # MeCab reads a C string: nothing after a NUL is tagged (as fugashi's node objects).
        text = text.partition("\x00")[0]
        with self._lock:
            printed = self._tagger.parse(text)
        return _printed_nodes(printed, self._at)

    def _lemmas(self, text: str) -> tuple[str, ...]:
        """Content lemmas of ``text`` in order: the BM25 tokens of a passage or a question."""
        with self._tagged_lock:
            tagged = self._tagged.pop(text, None)
        if tagged is not None:
            return tagged
        return tuple(
            _lemma_form(n.lemma) for n in self._nodes(normalize(text)) if n.pos not in self._drop
        )

    def lemma_pairs(self, text: str) -> list[tuple[str, bool]]:
        """(lemma, is an affix) of each content token: cheap enough for a whole dictionary."""
        return [
            (_lemma_form(n.lemma), n.pos in self._affix)
            for n in self._nodes(normalize(text))
            if n.pos not in self._drop
        ]

    def _tokens(self, text: str) -> tuple[Token, ...]:
        """Content tokens of ``text`` with [start, end) offsets into ``text`` as given."""
        normalized, origin = normalize_with_offsets(text)
        out, pos, content = [], 0, 0
        for node in self._nodes(normalized):
            content += node.pos not in self._drop
            # MeCab skips white space (and may skip line breaks): align on the surface itself.
            start = normalized.find(node.surface, pos)
            if start < 0:
                continue
            pos = start + len(node.surface)
            if node.pos in self._drop or not node.surface:
                continue
            out.append(
                Token(
                    _lemma_form(node.lemma),
                    origin[start][0],
                    origin[pos - 1][1],
                    node.pos,
                    node.pos2,
                    node.pos in self._affix,
                    node.reading,
                )
            )
        # ``_lemmas`` tags ``normalize(text)`` and keeps every content node: when that is the
        # string tagged here and each content node became a token, its lemmas are these.
        if content == len(out) and normalized == normalize(text):
            self._leave(text, tuple(t.lemma for t in out))
        return tuple(out)

    def _leave(self, text: str, lemmas: tuple[str, ...]) -> None:
        with self._tagged_lock:
            self._tagged[text] = lemmas
            self._tagged.move_to_end(text)
            while len(self._tagged) > _TAGGED_SIZE:
                self._tagged.popitem(last=False)

    def reading(self, text: str) -> str:
        """The katakana reading of ``text`` as a whole (地震 → ジシン, 伊勢崎 → イセサキ); empty
        when a part has none (Latin letters, digits, symbols)."""
        nodes = self._nodes(normalize(text))
        readings = [n.reading for n in nodes]
        return "".join(readings) if nodes and all(readings) else ""

    def parts(self, text: str) -> tuple[tuple[str, str], ...]:
        """(part of speech, katakana reading) of each node of ``text`` (図書館 → (名詞, トショ),
        (接尾辞, カン)), punctuation and particles included: how a word of the index reads
        and what it is, for matching it by its sound."""
        return tuple((n.pos, n.reading) for n in self._nodes(normalize(text)))

    def lemmas_many(self, texts: Iterable[str]) -> list[list[str]]:
        """``lemmas`` over many passages, as lists (what bm25s indexes); not cached, since a
        corpus would only evict the questions."""
        return [list(self._lemmas(t)) for t in texts]


def _printing_tagger() -> tuple[fugashi.Tagger, tuple[int, ...]]:
    """A tagger that prints each node as its surface and raw features, tab-separated, one node a
    line, ``EOS`` last (read by ``_printed_nodes``), and where ``_FEATURES`` lie in its schema.

    Reading fugashi's node objects (a Python object per node, its 26-field feature tuple built
    on access) took most of a question's tagging time; MeCab printing them in one call takes
    a fraction. The lattice is the same either way: the output format decides what is printed,
    not how the text is cut, and no surface holds a tab or a line break (MeCab skips white
    space). The fields' positions are read off the dictionary's own schema (a probe tagger's
    feature tuple), and the printed nodes are checked against the node objects once.
    """
    probe = fugashi.Tagger()
    schema = type(probe("日本")[0].feature)._fields
    tagger = fugashi.Tagger(
        f"-O '' --node-format='{_NODE_FORMAT}' --unk-format='{_NODE_FORMAT}' --eos-format='EOS\\n'"
    )
    at = tuple(schema.index(name) for name in _FEATURES)
    sample = "ｶﾞｽの検針、いつ? asdf 1,000円「,」〆*"
    if _printed_nodes(tagger.parse(sample), at) != [_node_of(n) for n in probe(sample)]:
        raise RuntimeError("MeCab's printed nodes differ from its node objects")
    return tagger, at


def _printed_nodes(printed: str, at: tuple[int, ...]) -> list[_Node]:
    """The nodes of a printing tagger's output, fields read as fugashi's ``node.feature`` reads
    them: a CSV line, quoted only when a field holds a comma; an unknown word has six fields,
    the rest None. (A loop without helpers: a passage has hundreds of nodes.)"""
    p1, p2, lm, kn = at
    last = max(at) + 1  # the fields after it are never read
    out = []
    for line in printed.split("\n")[:-1]:
        surface, raw = line.split("\t", 1)
        fields = raw.split(",", last) if '"' not in raw else next(csv.reader([raw]))
        n = len(fields)
        lemma = fields[lm] if lm < n else None
        kana = fields[kn] if kn < n else None
        out.append(
            _Node(
                surface,
                # UniDic writes loanword lemmas as "センター-center"; keep the Japanese side.
                (lemma.split("-", 1)[0] if lemma else "") or surface,
                (fields[p1] if p1 < n else None) or "",
                (fields[p2] if p2 < n else None) or "",
                # Unknown words (Latin letters, rare kanji) have no reading: "", not "*" or None.
                kana if kana and kana != "*" else "",
            )
        )
    return out


def _node_of(node: fugashi.UnidicNode) -> _Node:
    """A node as fugashi's node object gives it (what ``_printed_nodes`` must agree with)."""
    feature = node.feature
    lemma, kana = feature.lemma, feature.kana
    return _Node(
        node.surface,
        (lemma.split("-", 1)[0] if lemma else "") or node.surface,
        feature.pos1 or "",
        feature.pos2 or "",
        kana if kana and kana != "*" else "",
    )


@cache
def get_analyzer() -> Analyzer:
    """The process-wide analyzer (one tagger, one dictionary load)."""
    return Analyzer()
