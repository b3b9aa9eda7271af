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
        found = ids[0] >= 0
        return dict(zip(ids[0][found].tolist(), scores[0][found].tolist(), strict=True))

    def lexical(self, tokens: Sequence[str], rows: np.ndarray, depth: int) -> dict[int, float]:
        """The ``depth`` best BM25 scores among ``rows`` (only positive ones)."""
        if not tokens:
            return {}
        scores = np.asarray(self.lexical_index.get_scores(list(tokens)))
        if len(rows) < len(scores):
            scores = scores[rows]
        best = top_rows(scores, depth)
        return dict(zip(self.ids[rows[best]].tolist(), scores[best].tolist(), strict=True))


def top_rows(scores: np.ndarray, depth: int) -> np.ndarray:
    """Positions of the ``depth`` highest positive scores, best first, equal scores in position
    order: what a stable sort of every score gives, without sorting every chunk (at 1 M chunks
    a full sort costs ~100 ms, this under 1).

    Most questions hold a common word, so most chunks score above 0 (p50 85 % of them in the
    synthetic 1 M corpus): selecting the positive ones and partitioning them cost ~9 ms there.
    Instead the scores are cut into ``BLOCKS_PER_DEPTH * depth`` blocks and the ``depth``-th
    highest block maximum is taken as a floor: ``depth`` blocks reach it, so at least ``depth``
    chunks do, and every chunk of the top ``depth`` (and every chunk tied with the last of them)
    scores at least that. Only the chunks at or above the floor (a few hundred) are partitioned
    and sorted."""
    candidates = _above_block_floor(scores, depth)
    if candidates is None:
        candidates = np.flatnonzero(scores > 0)
    if len(candidates) > depth:
        values = scores[candidates]
        # The depth-th best score; everything above it is in, and of the scores equal to it
        # the first ones by position, as the stable sort would keep them.
        cut = np.partition(values, len(values) - depth)[len(values) - depth]
        above = candidates[values > cut]
        ties = candidates[values == cut][: depth - len(above)]
        candidates = np.concatenate([above, ties])
    return candidates[np.lexsort((candidates, -scores[candidates]))]


# Blocks per position asked for: more blocks put the floor closer to the depth-th score (fewer
# chunks above it) but lengthen the partition of the maxima; 8 keeps both well under 1 ms at 1 M.
BLOCKS_PER_DEPTH = 8
# Below this many scores per position asked for, selecting the positive ones is as cheap.
MIN_SCORES_PER_DEPTH = 64


def _above_block_floor(scores: np.ndarray, depth: int) -> np.ndarray | None:
    """Positions (ascending) of the scores at or above the ``depth``-th highest block maximum,
    a superset of the top ``depth``; None where that floor is not positive (then fewer than
    ``depth`` blocks hold a positive score) or the scores are too few for blocks to pay."""
    if depth <= 0 or len(scores) < MIN_SCORES_PER_DEPTH * depth:
        return None
    size = len(scores) // (BLOCKS_PER_DEPTH * depth)
    whole = len(scores) - len(scores) % size  # the tail's scores are compared, not blocked
    maxima = scores[:whole].reshape(-1, size).max(axis=1)
    floor = np.partition(maxima, len(maxima) - depth)[len(maxima) - depth]
    return np.flatnonzero(scores >= floor) if floor > 0 else None
