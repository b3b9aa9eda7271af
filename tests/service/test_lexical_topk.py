"""BM25 top-k without a full sort: the same chunks in the same order as the stable full sort
(ties by row), on random scores full of ties and on the real corpus's questions."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from eval.gold import load_gold
from service.backends.local import LocalBackend, top_rows

GOLD = ROOT / "eval" / "gold" / "dev.jsonl"


def _full_sort(scores: np.ndarray, depth: int) -> list[int]:
    """What the backend did before: a stable sort of every score, the positive ones kept."""
    order = np.lexsort((np.arange(len(scores)), -scores))[:depth]
    return [int(i) for i in order if scores[i] > 0]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(min_value=-1, max_value=6), min_size=0, max_size=300),
    st.integers(min_value=1, max_value=320),
)
def test_same_rows_as_the_full_sort_with_ties(values, depth):
    scores = np.array(values, dtype=np.float32) / 2
    assert top_rows(scores, depth).tolist() == _full_sort(scores, depth)


@pytest.mark.parametrize("depth", [1, 10, 200])
def test_same_candidates_as_before_on_the_gold_questions(hashing_engine, depth):
    backend = LocalBackend.from_index(hashing_engine.index)
    everything = np.arange(len(backend.ids))
    some = everything[everything % 3 == 0]
    for question in load_gold(GOLD)[:40]:
        tokens = list(hashing_engine.parse(question.query, "lexical").lexical_tokens)
        full = np.asarray(backend.lexical_index.get_scores(tokens)) if tokens else None
        for rows in (everything, some):
            got = backend.lexical(tokens, rows, depth)
            want = (
                []
                if full is None
                else [backend.ids[rows[i]] for i in _full_sort(full[rows], depth)]
            )
            assert list(got) == want


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**32 - 1),
    st.sampled_from([1, 7, 50, 200]),
    st.sampled_from([0.002, 0.05, 0.9]),
    st.sampled_from([3, 40, 10_000]),
)
def test_block_floor_keeps_the_full_sort_order(seed, depth, positive_share, levels):
    """Past MIN_SCORES_PER_DEPTH scores a position the blocks' floor applies: the same rows as
    the full sort whether few or most scores are positive, with many ties at the cut (3 levels)
    or few, and a length that leaves a tail outside the blocks."""
    rng = np.random.default_rng(seed)
    n = 64 * depth + int(rng.integers(0, 5_000))
    scores = rng.integers(1, levels + 1, size=n).astype(np.float32) / 4
    scores[rng.random(n) >= positive_share] = 0.0
    assert top_rows(scores, depth).tolist() == _full_sort(scores, depth)
