"""Token-aware highlighting: fugashi tokens of a text, with offsets into the text as given.

The index normalizes text before tagging it (NFKC, lower case, thousands separators removed),
which can change its length (``ｶﾞ`` → ``ガ``, ``①`` → ``1``, ``3,550`` → ``3550``). Here each
character of the normalized text remembers which characters of the original it came from, so a
token found in the normalized text maps back to an exact [start, end) span of the original.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass

import fugashi

from indexer.tokenize import normalize as normalize_lemma

# Parts of speech that carry no topic (as in indexer.tokenize): never tokens, never highlighted.
DROP_POS = frozenset({"補助記号", "記号", "空白", "助詞", "助動詞"})
# Prefixes and suffixes (御, 第, 者, 物): highlighted only next to a highlighted word.
AFFIX_POS = frozenset({"接頭辞", "接尾辞"})
# Characters that NFKC folds into the character before them (half-width and combining marks).
_COMBINING_MARKS = frozenset("\uff9e\uff9f\u3099\u309a")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
# Lone surrogates and control characters (white space aside) are not text: MeCab cannot encode
# the first and stops at NUL, so both are dropped before tagging.
NOT_TEXT = re.compile(r"[\ud800-\udfff\x00-\x08\x0e-\x1f\x7f-\x9f]")
_local = threading.local()


@dataclass(frozen=True)
class Token:
    """A content token: its lemma as the index stores it, and where it is in the original text."""

    lemma: str
    start: int
    end: int
    pos: str  # UniDic part of speech, first level (名詞, 動詞, 接尾辞, 代名詞 …)
    pos2: str

    @property
    def affix(self) -> bool:
        """A prefix or suffix (御, 第, 者, 物)."""
        return self.pos in AFFIX_POS

    @property
    def light(self) -> bool:
        """A word like する/いる/なる/ある that carries meaning only with another word."""
        return self.pos2 == "非自立可能"


def _tagger() -> fugashi.Tagger:
    # MeCab taggers are not thread-safe; one per thread.
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        tagger = _local.tagger = fugashi.Tagger()
    return tagger


def _clusters(text: str) -> Iterator[tuple[int, int]]:
    """[start, end) of each base character with the marks NFKC would fold into it."""
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not (text[i] in _COMBINING_MARKS or unicodedata.combining(text[i])):
            yield start, i
            start = i


def normalize_with_offsets(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The index's normalization of ``text``, and for each of its characters the [start, end)
    of the original characters it came from."""
    chars: list[str] = []
    origin: list[tuple[int, int]] = []
    for start, end in _clusters(text):
        piece = unicodedata.normalize("NFKC", NOT_TEXT.sub("", text[start:end])).lower()
        chars += piece
        origin += [(start, end)] * len(piece)
    joined = "".join(chars)
    dropped = {m.start() for m in _THOUSANDS.finditer(joined)}
    keep = [i for i in range(len(joined)) if i not in dropped]
    return "".join(joined[i] for i in keep), [origin[i] for i in keep]


def _lemma(node: fugashi.UnidicNode) -> str:
    lemma = node.feature.lemma
    # UniDic writes loanword lemmas as "センター-center"; keep the Japanese side (as the index).
    return normalize_lemma((lemma.split("-", 1)[0] if lemma else "") or node.surface)


def analyze(text: str) -> list[Token]:
    """Content tokens of ``text`` (the ones ``indexer.tokenize`` keeps), with original offsets."""
    normalized, origin = normalize_with_offsets(text)
    tokens, pos = [], 0
    for node in _tagger()(normalized):
        # MeCab skips white space (and may skip line breaks): align on the surface itself.
        start = normalized.find(node.surface, pos)
        if start < 0:
            continue
        pos = start + len(node.surface)
        feature = node.feature
        if feature.pos1 in DROP_POS or not node.surface:
            continue
        tokens.append(
            Token(
                _lemma(node),
                origin[start][0],
                origin[pos - 1][1],
                feature.pos1,
                feature.pos2,
            )
        )
    return tokens


def lemmas(text: str) -> list[tuple[str, bool]]:
    """(lemma, is an affix) of each content token of ``text``: ``analyze`` without offsets,
    fast enough to run over a whole synonym dictionary."""
    nodes = _tagger()(normalize_lemma(text))
    return [
        (_lemma(n), n.feature.pos1 in AFFIX_POS) for n in nodes if n.feature.pos1 not in DROP_POS
    ]


def _marked(tokens: list[Token], terms: Collection[str]) -> list[bool]:
    """Which tokens to highlight: matching words, and matching affixes next to one."""
    word = [t.lemma in terms and not t.affix and not t.light for t in tokens]
    out = list(word)
    for i, token in enumerate(tokens):
        if token.affix and token.lemma in terms:
            before = i > 0 and word[i - 1] and tokens[i - 1].end == token.start
            after = i + 1 < len(tokens) and word[i + 1] and tokens[i + 1].start == token.end
            out[i] = before or after
    return out


def merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with touching or overlapping ones joined."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def highlight_spans(text: str, terms: Collection[str]) -> list[tuple[int, int]]:
    """[start, end) spans of ``text`` whose token lemmas are in ``terms``, adjacent ones merged."""
    if not text or not terms:
        return []
    tokens = analyze(text)
    marked = _marked(tokens, terms)
    return merge([(t.start, t.end) for t, m in zip(tokens, marked, strict=True) if m])
