"""Second backend: any sentence-transformers model by name or local path."""

from __future__ import annotations

import os

import numpy as np

from indexer.embedding.base import Embedder, EmbedderError, EmbedderIdentity


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model; prefixes are prepended here, as given by settings."""

    def __init__(self, model: str, query_prefix: str, passage_prefix: str) -> None:
        super().__init__()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "the sentence-transformers backend needs its extra: pip install -e '.[st]'"
            ) from exc
        # Never reach for a hub at run time: a name must already be in the local cache.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:
            raise EmbedderError(
                f"cannot load sentence-transformers model {model!r}: {exc}"
            ) from exc
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        dim = self._model.get_embedding_dimension()
        self._identity = EmbedderIdentity(
            backend="sentence-transformers",
            model=model,
            dim=int(dim or 0),
            query_prefix=query_prefix,
            passage_prefix=passage_prefix,
        )

    @property
    def identity(self) -> EmbedderIdentity:
        return self._identity

    @property
    def max_seq_length(self) -> int:
        """The model's window in tokens."""
        return int(self._model.max_seq_length or 0)

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        prefix = self._query_prefix if is_query else self._passage_prefix
        return self._model.encode(
            [prefix + t for t in texts], normalize_embeddings=True, convert_to_numpy=True
        )

    def count_tokens(self, text: str) -> int:
        ids = self._model.tokenizer(self._passage_prefix + text, add_special_tokens=True)
        return len(ids["input_ids"])
