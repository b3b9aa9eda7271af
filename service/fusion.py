"""Rank fusion of dense and lexical result lists (pure functions)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter


def rrf(
    rankings: Sequence[Sequence[int]], weights: Sequence[float], k: int = 60
) -> dict[int, float]:
    """Weighted reciprocal-rank fusion: Σ wᵢ / (k + rankᵢ), rank from 1.

    Rank-based, so the unlike score scales of cosine similarity and BM25 need no
    calibration; ``k`` damps the advantage of the very first ranks.
    """
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def weighted_scores(
    scored: Sequence[Mapping[int, float]], weights: Sequence[float]
) -> dict[int, float]:
    """Weighted sum of per-list scores min-max normalized to [0, 1] (absent = 0)."""
    fused: dict[int, float] = {}
    for scores, weight in zip(scored, weights, strict=True):
        if not scores:
            continue
        low, high = min(scores.values()), max(scores.values())
        span = (high - low) or 1.0
        for item, score in scores.items():
            fused[item] = fused.get(item, 0.0) + weight * (score - low) / span
    return fused


def ranked(fused: Mapping[int, float]) -> list[tuple[int, float]]:
    """Items by descending score; ties broken by item id so rankings are deterministic.

    Sorted by id, then by score with a stable descending sort (equal scores keep their id
    order): the order of the key ``(-score, id)`` without a Python call per item, which cost
    about 130 µs for the ~400 items of a question, against 90."""
    out = sorted(fused.items())
    out.sort(key=itemgetter(1), reverse=True)
    return out


def prefer(
    fused: Sequence[tuple[int, float]], favoured: Callable[[int], bool], keep: float
) -> list[tuple[int, float]]:
    """``fused`` (ranked) re-ranked with the scores of the items ``favoured`` does not pick
    multiplied by ``keep`` (0 ≤ keep ≤ 1): a prior that demotes without filtering out."""
    return ranked({item: s if favoured(item) else s * keep for item, s in fused})
