"""The synthetic corpus and the scale harness at a small size: the generator is deterministic
and its BM25 is bm25s's own, and at 20 k chunks (the size threshold lowered so that the IVF
path runs) the chosen index keeps recall@10 ≥ 0.98 against the exact search."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest
from conftest import ROOT

from eval import scale, synthetic
from eval.gold import load_gold

GOLD = ROOT / "eval" / "gold"


@pytest.fixture(scope="module")
def base(hashing_engine, hashing_settings) -> synthetic.Base:
    return synthetic.load_base(hashing_settings.index_dir)


@pytest.fixture(scope="module")
def questions(hashing_engine):
    gold = {s: load_gold(GOLD / f"{s}.jsonl") for s in ("dev", "test")}
    parsed = [hashing_engine.parse(q.query) for qs in gold.values() for q in qs]
    return parsed, [s for s, qs in gold.items() for _ in qs]


def test_base_is_the_real_index(base, hashing_engine):
    assert len(base.ids) == len(hashing_engine.index.chunks) > 3000
    assert np.allclose(np.linalg.norm(base.vectors, axis=1), 1.0, atol=1e-5)
    assert set(base.doc_ids.tolist()) == set(hashing_engine.index.documents)


def test_synthetic_bm25_is_bm25s_scoring(base):
    tokens, lengths = synthetic.synthetic_tokens(base, np.arange(len(base.ids)), 0.3, seed=1)
    words = {i: w for w, i in base.vocab.items()}
    ends = np.cumsum(lengths)
    docs = [[words[int(t)] for t in tokens[e - n : e]] for e, n in zip(ends, lengths, strict=True)]
    reference = bm25s.BM25()
    reference.index(docs, show_progress=False)
    ours = synthetic.bm25_from_tokens(tokens, lengths, base.vocab)
    for query in (["子育て", "支援"], ["令和", "事業", "市"], ["空き家", "対策"]):
        want = reference.get_scores(query)
        assert want.max() > 0
        assert np.allclose(ours.get_scores(query), want, rtol=1e-6, atol=1e-6)


def test_generator_is_deterministic_and_copies_lie_at_neighbour_distance(base, tmp_path):
    first = synthetic.generate(base, 7000, tmp_path / "a")
    second = synthetic.generate(base, 7000, tmp_path / "b")
    assert np.array_equal(first.vectors, second.vectors)
    assert np.array_equal(first.lexical.scores["data"], second.lexical.scores["data"])
    assert (tmp_path / "a" / "vectors.npy").stat().st_size >= 7000 * base.vectors.shape[1] * 4
    assert np.allclose(np.linalg.norm(first.vectors, axis=1), 1.0, atol=1e-5)
    # A copy sits about as far from its original as a chunk from its nearest neighbour.
    cos = (first.vectors * base.vectors[first.sources]).sum(axis=1)
    sims = base.vectors @ base.vectors.T
    np.fill_diagonal(sims, -1)
    assert abs(np.median(cos) - np.median(sims.max(axis=1))) < 0.02
    # Copies of one chunk differ in their tokens too.
    assert not np.array_equal(first.vectors[0], first.vectors[len(base.ids)])
    tokens, lengths = synthetic.synthetic_tokens(base, np.array([5, 5]), 0.3, seed=1)
    one, two = tokens[: lengths[0]], tokens[lengths[0] :]
    assert len(one) == len(two) == base.lengths[5]
    assert not np.array_equal(np.sort(one), np.sort(two))


def test_ann_at_20k_keeps_recall_and_honours_filters(base, questions, tmp_path):
    parsed, splits = questions
    row = scale.measure_size(
        base, 20_000, parsed, tmp_path / "n20k", threshold=5_000, splits=splits
    )
    dense = row["dense"]
    assert dense["spec"]["type"] == "ivf" and dense["spec"]["nlist"] == 128
    assert dense["recall_at_10"] >= 0.98
    assert dense["recall_at_10_filter_document"] >= 0.98
    assert dense["recall_at_10_filter_1pct"] == 1.0  # a small selection is scanned exactly
    assert row["chunks"] == 20_000 and dense["disk_bytes_per_chunk"] > 4 * base.vectors.shape[1]
    for name in ("dense", "lexical", "fused", "dense_flat", "lexical_full_sort"):
        assert row["latency"][name]["p50_ms"] > 0
    assert not (tmp_path / "n20k").exists()  # the scratch vectors are removed
