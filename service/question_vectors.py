"""Question vectors: one model call per distinct question, clipped, remembered in a bounded LRU.

Help desks repeat questions and the page's examples are asked all day; a repeated question then
costs a dictionary lookup instead of a model call. The key is the question as embedded (after
clipping), and the cache belongs to one engine, hence to one model. Bounded, so memory does not
grow with use; guarded by a lock, never held during the model call.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from indexer.embedding.base import Embedder


class QuestionVectors:
    """``vector(text)``: the embedder's query vector of ``text``, clipped to ``max_tokens``."""

    def __init__(self, embedder: Embedder, max_tokens: int = 64, size: int = 2048) -> None:
        self.embedder = embedder
        self.max_tokens = max_tokens
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._cache)

    def vector(self, text: str) -> np.ndarray:
        """The question's vector (read-only: it is shared by every request that asks it)."""
        key = self.embedder.clip(text, self.max_tokens)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        vector = self.embedder.encode_query(key)
        vector.setflags(write=False)
        with self._lock:
            if self.size:
                self._cache[key] = vector
                self._cache.move_to_end(key)
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        return vector
