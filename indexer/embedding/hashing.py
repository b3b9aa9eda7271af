"""A fixed, fast, deterministic embedder for tests and dry runs (no model).

Vectors are hashed character bigrams of the NFKC text: texts sharing words get
similar vectors, which is enough to exercise ranking, fusion and the API
without loading a neural model.
"""

from __future__ import annotations

import hashlib
from itertools import pairwise

import numpy as np

from indexer.embedding.base import Embedder, EmbedderIdentity
from indexer.textclean import nfkc


class HashingEmbedder(Embedder):
    """Bag of hashed character bigrams, L2-normalized."""

    def __init__(self, dim: int = 256) -> None:
        super().__init__()
        self._identity = EmbedderIdentity(
            backend="hashing",
            model=f"char-bigram-hash-{dim}",
            dim=dim,
            query_prefix="",
            passage_prefix="",
        )

    @property
    def identity(self) -> EmbedderIdentity:
        return self._identity

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self._identity.dim, dtype=np.float32)
        text = nfkc(text)
        for a, b in pairwise(text):
            h = hashlib.blake2b((a + b).encode(), digest_size=4).digest()
            vec[int.from_bytes(h, "little") % self._identity.dim] += 1.0
        return vec

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts])

    def count_tokens(self, text: str) -> int:
        # Roughly what a subword model gives for Japanese: one token per character.
        return len(text) + 2
