"""Kept for callers not yet moved to ``indexer.analyze`` (the one analyzer)."""

from __future__ import annotations

from collections.abc import Iterable

from indexer.analyze import get_analyzer, normalize

__all__ = ["normalize", "tokenize", "tokenize_many"]


def tokenize(text: str) -> tuple[str, ...]:
    """Content lemmas of ``text`` (``Analyzer.lemmas``)."""
    return get_analyzer().lemmas(text)


def tokenize_many(texts: Iterable[str]) -> list[list[str]]:
    """``Analyzer.lemmas_many``."""
    return get_analyzer().lemmas_many(texts)
