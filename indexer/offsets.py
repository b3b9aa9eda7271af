"""Token offsets of every passage, computed at index time for highlighting at query time.

Highlighting needs each passage's tokens with their character spans; tagging the shown passages
again for every request cost about as much as the embedding. The analyzer's tokens of each
chunk's text are stored once, compactly (lemma ids, spans and two flags in flat arrays with a
row pointer), so a query only compares integers. The search side is ``service/highlight.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.analyze import Analyzer

AFFIX, LIGHT = 1, 2  # bits of ``flags``


@dataclass(frozen=True)
class TokenTable:
    """Tokens of passage ``row`` are ``ids/starts/ends/flags[indptr[row]:indptr[row + 1]]``."""

    vocab: tuple[str, ...]
    ids: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    flags: np.ndarray
    indptr: np.ndarray

    def lemma_ids(self, lemmas: Iterable[str]) -> frozenset[int]:
        """Ids of the lemmas the table knows (the others cannot occur in any passage)."""
        index = self.lemma_index
        return frozenset(index[x] for x in lemmas if x in index)

    @property
    def lemma_index(self) -> dict[str, int]:
        """Each lemma's id (built once, on first use)."""
        cached: dict[str, int] | None = self.__dict__.get("_index_cache")
        if cached is None:
            cached = {lemma: i for i, lemma in enumerate(self.vocab)}
            object.__setattr__(self, "_index_cache", cached)
        return cached

    def save(self, path: Path) -> None:
        """One ``.npz`` file (no pickles)."""
        np.savez(
            path,
            vocab=np.array(self.vocab, dtype=str),
            ids=self.ids,
            starts=self.starts,
            ends=self.ends,
            flags=self.flags,
            indptr=self.indptr,
        )

    @classmethod
    def load(cls, path: Path) -> TokenTable:
        """The table written by ``save``."""
        with np.load(path, allow_pickle=False) as data:
            return cls(
                tuple(str(x) for x in data["vocab"]),
                data["ids"],
                data["starts"],
                data["ends"],
                data["flags"],
                data["indptr"],
            )


def token_table(texts: Iterable[str], analyzer: Analyzer) -> TokenTable:
    """The analyzer's tokens of each text, in order."""
    vocab: dict[str, int] = {}
    ids: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    flags: list[int] = []
    indptr = [0]
    for text in texts:
        for t in analyzer.tokens(text):
            ids.append(vocab.setdefault(t.lemma, len(vocab)))
            starts.append(t.start)
            ends.append(t.end)
            flags.append((AFFIX if t.affix else 0) | (LIGHT if t.light else 0))
        indptr.append(len(ids))
    return TokenTable(
        tuple(vocab),
        np.array(ids, dtype=np.int32),
        np.array(starts, dtype=np.int32),
        np.array(ends, dtype=np.int32),
        np.array(flags, dtype=np.uint8),
        np.array(indptr, dtype=np.int64),
    )
