"""Embedders behind one small interface; ``make_embedder`` picks one from settings."""

from indexer.embedding.base import Embedder, EmbedderError, EmbedderIdentity
from indexer.embedding.factory import make_embedder

__all__ = ["Embedder", "EmbedderError", "EmbedderIdentity", "make_embedder"]
