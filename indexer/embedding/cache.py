"""Passage vectors cached by text hash, one file per model identity.

Re-indexing unchanged text then costs nothing: only new or edited chunks reach
the model. The file is replaced atomically, so an interrupted run loses at most
the vectors computed since the last save.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from indexer.embedding.base import Embedder

# Save after this many new vectors, so an interrupted build keeps its work.
_SAVE_EVERY = 256


def _fingerprint(embedder: Embedder) -> str:
    ident = json.dumps(embedder.identity.as_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(ident.encode()).hexdigest()[:16]


def text_key(text: str) -> str:
    """Hash of a passage text (the cache key)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """An on-disk map text-hash → vector for one embedder identity."""

    def __init__(self, cache_dir: Path, embedder: Embedder) -> None:
        self.path = cache_dir / f"embeddings-{_fingerprint(embedder)}.npz"
        self._embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        if self.path.is_file():
            self._load()

    def _load(self) -> None:
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
        except (OSError, ValueError, KeyError):
            return  # a damaged cache is only a slower build
        self._vectors = {str(k): v for k, v in zip(keys, vectors, strict=True)}

    def __len__(self) -> int:
        return len(self._vectors)

    def embed(
        self, texts: Sequence[str], batch_size: int = 16, progress: bool = False
    ) -> tuple[np.ndarray, int]:
        """Vectors for ``texts`` and how many had to be computed; saves new ones."""
        keys = [text_key(t) for t in texts]
        missing = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}.items()
        )
        unsaved = 0
        with tqdm(total=len(missing), desc="embedding", unit="chunk", disable=not progress) as bar:
            for start in range(0, len(missing), batch_size):
                part = missing[start : start + batch_size]
                fresh = self._embedder.encode_passages([t for _, t in part], batch_size=batch_size)
                self._vectors.update({k: v for (k, _), v in zip(part, fresh, strict=True)})
                bar.update(len(part))
                unsaved += len(part)
                if unsaved >= _SAVE_EVERY:
                    self.save()
                    unsaved = 0
        if unsaved:
            self.save()
        dim = self._embedder.identity.dim
        out = np.empty((len(texts), dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = self._vectors[k]
        return out, len(missing)

    def save(self) -> None:
        """Write the cache atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(sorted(self._vectors), dtype="U64")
        vectors = np.stack([self._vectors[k] for k in keys]) if len(keys) else np.empty((0, 0))
        tmp = self.path.with_suffix(f".tmp-{os.getpid()}.npz")
        np.savez(tmp, keys=keys, vectors=vectors)
        os.replace(tmp, self.path)
