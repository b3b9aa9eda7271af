"""The retrieval backend interface: dense and lexical candidates of one question.

The engine (``service.search``) parses the question, turns the filters into the rows of its
chunk table, and asks a backend for the candidates; fusion, facets, highlighting and answers
stay in the engine, so their results cannot depend on which backend ran. A backend returns raw
scores (cosine, BM25) with the statistics of the whole index, never of a part of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from service.query import ParsedQuery
from service.schemas import SearchMode


@dataclass(frozen=True)
class Candidates:
    """Chunk id → raw score, per retriever; ``missing_shards``: parts that did not answer.

    With missing shards the candidates are those of the shards that answered (``partial``).
    """

    dense: dict[int, float]
    lexical: dict[int, float]
    missing_shards: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        """Whether some part of the index is missing from these candidates."""
        return bool(self.missing_shards)


class RetrievalBackend(Protocol):
    """Dense and lexical candidates for a parsed question within the selected rows."""

    def candidates(
        self, query: ParsedQuery, rows: np.ndarray, depth: int, mode: SearchMode
    ) -> Candidates:
        """The best ``depth`` dense and lexical candidates among ``rows`` (positions in the
        index's chunk order, ascending); a retriever ``mode`` does not use gives ``{}``.
        Equal scores are cut in row order, so rankings are reproducible."""
        ...

    def close(self) -> None:
        """Release what the backend holds outside this process (shard actors); it answers no
        more questions after this. Safe to call twice."""
        ...
