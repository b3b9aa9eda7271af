"""Vectors of unit texts, kept by text so that a unit seen again costs no model call.

Units are embedded the way the question is (e5's ``query: `` prefix on both sides, its recipe
for symmetric similarity): that lets one call serve both, and on dev it scored the same as
``passage: `` units while saving a model call — the costly part on a busy machine.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from indexer.embedding.base import Embedder


class VectorCache:
    """Unit vectors of one embedder, least recently used dropped beyond ``maxsize``.

    One cache per embedder (its owner, the Answerer, has one engine and so one model), so
    vectors of different models never mix.
    """

    def __init__(self, embedder: Embedder, maxsize: int = 8192) -> None:
        self.embedder = embedder
        self.maxsize = maxsize
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def embed(self, question: str, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The question's vector (dim,) and the texts' vectors (n × dim), in one model call."""
        found, missing = self._lookup(texts)
        # Outside the lock: the embedder serializes model calls itself.
        vectors = self.embedder.encode_queries([question, *missing])
        self._store(found, missing, vectors[1:])
        return vectors[0], self._stack(found, texts, vectors[:0])

    def embed_units(self, texts: Sequence[str], dim: int) -> np.ndarray:
        """The texts' vectors (n × dim) when the question's is known: no call if all are cached."""
        found, missing = self._lookup(texts)
        if missing:
            self._store(found, missing, self.embedder.encode_queries(missing))
        return self._stack(found, texts, np.empty((0, dim), dtype=np.float32))

    def _lookup(self, texts: Sequence[str]) -> tuple[dict[str, np.ndarray], list[str]]:
        """(cached vectors by text, the distinct texts not cached), marking hits as recent."""
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                if text in self._vectors:
                    self._vectors.move_to_end(text)
                    found[text] = self._vectors[text]
        return found, [t for t in dict.fromkeys(texts) if t not in found]

    def _store(self, found: dict[str, np.ndarray], missing: list[str], vectors: np.ndarray) -> None:
        found.update(zip(missing, vectors, strict=True))
        if not missing:
            return
        with self._lock:
            for text in missing:
                self._vectors[text] = found[text]
                self._vectors.move_to_end(text)
            while len(self._vectors) > self.maxsize:
                self._vectors.popitem(last=False)

    @staticmethod
    def _stack(found: dict[str, np.ndarray], texts: Sequence[str], empty: np.ndarray) -> np.ndarray:
        return np.stack([found[t] for t in texts]) if texts else empty
