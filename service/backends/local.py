"""The in-process backend: one FAISS index and one BM25 index in this process's memory."""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import faiss
import numpy as np

from indexer.dense import search as dense_search
from service.backends.base import Candidates
from service.loading import LoadedIndex
from service.query import ParsedQuery
from service.schemas import SearchMode


class LocalBackend:
    """Inner-product search (exact, or the index's ANN) and BM25 over one index (or one shard).

    ``ids``: the chunk id of each row, in index order. A shard passes its own part with BM25
    scores computed from the statistics of the whole index (``service.backends.ray_shards``).
    """

    def __init__(self, dense: faiss.Index, lexical: bm25s.BM25, ids: np.ndarray) -> None:
        self.dense_index = dense
        self.lexical_index = lexical
        self.ids = ids

    @classmethod
    def from_index(cls, index: LoadedIndex) -> LocalBackend:
        """The backend over a loaded index."""
        ids = np.array([c.chunk_id for c in index.chunks], dtype=np.int64)
        return cls(index.dense, index.lexical, ids)

    def close(self) -> None:
        """Nothing to release: the arrays go with the engine."""

    def candidates(
        self, query: ParsedQuery, rows: np.ndarray, depth: int, mode: SearchMode
    ) -> Candidates:
        """See ``RetrievalBackend.candidates``."""
        dense: dict[int, float] = {}
        if mode != "lexical":
            assert query.vector is not None  # the engine embeds for every mode that reaches here
            dense = self.dense(query.vector, rows, depth)
        lexical = self.lexical(query.lexical_tokens, rows, depth) if mode != "dense" else {}
        return Candidates(dense, lexical)

    def dense(self, vector: np.ndarray, rows: np.ndarray, depth: int) -> dict[int, float]:
        """The ``depth`` nearest chunks among ``rows`` by inner product: exact for a flat index,
        the calibrated ANN search above the size threshold (``indexer.dense``)."""
        selected = rows if len(rows) < len(self.ids) else None
        scores, ids = dense_search(self.dense_index, vector, depth, selected)
        return {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}

    def lexical(self, tokens: Sequence[str], rows: np.ndarray, depth: int) -> dict[int, float]:
        """The ``depth`` best BM25 scores among ``rows`` (only positive ones)."""
        if not tokens:
            return {}
        scores = np.asarray(self.lexical_index.get_scores(list(tokens)))
        if len(rows) < len(scores):
            scores = scores[rows]
        best = top_rows(scores, depth)
        return {int(self.ids[rows[i]]): float(scores[i]) for i in best}


def top_rows(scores: np.ndarray, depth: int) -> np.ndarray:
    """Positions of the ``depth`` highest positive scores, best first, equal scores in position
    order: what a stable sort of every score gives, without sorting every chunk (at 1 M chunks
    a full sort costs ~100 ms, this a few: only the positive scores are selected, and only
    ``depth`` of them sorted)."""
    positive = np.flatnonzero(scores > 0)
    if len(positive) > depth:
        values = scores[positive]
        # The depth-th best score; everything above it is in, and of the scores equal to it
        # the first ones by position, as the stable sort would keep them.
        cut = np.partition(values, len(values) - depth)[len(values) - depth]
        above = positive[values > cut]
        ties = positive[values == cut][: depth - len(above)]
        positive = np.concatenate([above, ties])
    return positive[np.lexsort((positive, -scores[positive]))]
