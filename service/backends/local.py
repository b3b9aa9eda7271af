"""The in-process backend: one FAISS index and one BM25 index in this process's memory."""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import faiss
import numpy as np

from service.backends.base import Candidates
from service.loading import LoadedIndex
from service.query import ParsedQuery
from service.schemas import SearchMode


class LocalBackend:
    """Exact inner-product search and BM25 over one index (or one shard of it).

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
        """The ``depth`` nearest chunks among ``rows`` by inner product."""
        params = None
        if len(rows) < len(self.ids):
            selector = faiss.IDSelectorBatch(self.ids[rows])
            params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
        scores, ids = self.dense_index.search(
            vector.reshape(1, -1), min(depth, len(rows)), params=params
        )
        return {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}

    def lexical(self, tokens: Sequence[str], rows: np.ndarray, depth: int) -> dict[int, float]:
        """The ``depth`` best BM25 scores among ``rows`` (only positive ones)."""
        if not tokens:
            return {}
        scores = np.asarray(self.lexical_index.get_scores(list(tokens)))[rows]
        # Stable order on ties: by row, so equal-scoring chunks rank reproducibly.
        order = np.lexsort((rows, -scores))[:depth]
        return {int(self.ids[rows[i]]): float(scores[i]) for i in order if scores[i] > 0}
