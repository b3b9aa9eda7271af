"""Lexical tokens for BM25: NFKC, fugashi + unidic-lite lemmas, symbols and particles dropped."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from functools import lru_cache

import fugashi

from indexer.textclean import nfkc

# Parts of speech that carry no topic: punctuation, blanks, particles, auxiliaries.
_DROP_POS = frozenset({"補助記号", "記号", "空白", "助詞", "助動詞"})
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
_local = threading.local()


def _tagger() -> fugashi.Tagger:
    # MeCab taggers are not thread-safe; one per thread.
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        tagger = _local.tagger = fugashi.Tagger()
    return tagger


def normalize(text: str) -> str:
    """NFKC, lower case, thousands separators removed (``3,550`` → ``3550``)."""
    return _THOUSANDS.sub("", nfkc(text)).lower()


def _lemma(word: fugashi.UnidicNode) -> str:
    lemma = word.feature.lemma
    # UniDic writes loanword lemmas as "センター-center"; keep the Japanese side.
    return (lemma.split("-", 1)[0] if lemma else "") or word.surface


@lru_cache(maxsize=4096)
def tokenize(text: str) -> tuple[str, ...]:
    """Content tokens of ``text`` as lemmas, in order."""
    out: list[str] = []
    for word in _tagger()(normalize(text)):
        if word.feature.pos1 in _DROP_POS:
            continue
        out.append(normalize(_lemma(word)))
    return tuple(out)


def tokenize_many(texts: Iterable[str]) -> list[list[str]]:
    """``tokenize`` over many texts, as lists (what bm25s indexes)."""
    return [list(tokenize(t)) for t in texts]
