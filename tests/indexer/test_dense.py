"""The dense index type by size: recorded in the manifest, checked on load, deterministic,
filters honoured (flat: exactly today's results; IVF: exact for a small selection)."""

from __future__ import annotations

import json

import faiss
import numpy as np
import pytest
from conftest import hashing_settings_in

from indexer import dense
from indexer.build import build_index
from indexer.embedding.hashing import HashingEmbedder
from indexer.store import IndexMismatchError, load_dense
from service.search import open_engine

DOC = "isesaki-gyokaku-r2-r5"


def _vectors(n: int, d: int = 64, seed: int = 0) -> np.ndarray:
    """``n`` normalized vectors in 40 loose clusters, like passages about a few topics (the
    same topics for every ``seed``: queries drawn with another seed ask about them)."""
    centres = np.random.default_rng(0).normal(size=(40, d))
    rng = np.random.default_rng(seed + 1)
    x = centres[rng.integers(0, 40, n)] + 0.6 * rng.normal(size=(n, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _ids(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.int64) * 7919 + 11  # not the row numbers


def test_auto_is_flat_below_the_threshold_and_ivf_above():
    assert dense.choose_spec(3194).kind == "flat"
    big = dense.choose_spec(1_000_000)
    assert (big.kind, big.nlist) == ("ivf", 1024)
    assert dense.choose_spec(5000, threshold=2000).kind == "ivf"
    with pytest.raises(dense.DenseSpecError, match="valid: auto, flat, ivf, hnsw"):
        dense.choose_spec(10, "pq")


def test_ivf_is_deterministic_and_calibrated():
    x, ids = _vectors(6000), _ids(6000)
    spec = dense.choose_spec(len(x), "ivf")
    first, calibrated = dense.build(x, ids, spec)
    second, _ = dense.build(x, ids, spec)
    assert np.array_equal(faiss.serialize_index(first), faiss.serialize_index(second))
    assert calibrated.nprobe >= 1 and calibrated.calibrated_recall >= dense.CALIBRATION_RECALL
    # On queries other than the calibration's, recall@10 against the exact search holds.
    queries = _vectors(100, seed=7)
    expected = ids[dense.exact_top(x, queries, 10)]
    _, found = dense.search(first, queries, 10)
    assert dense.recall_at(expected, found) >= 0.98
    # The answerer reconstructs a passage vector by chunk id.
    assert np.allclose(first.reconstruct(int(ids[123])), x[123])


@pytest.mark.parametrize("kind", ["flat", "ivf", "hnsw"])
def test_a_filter_keeps_only_its_rows_and_a_small_one_is_exact(kind):
    x, ids = _vectors(5000), _ids(5000)
    index, _ = dense.build(x, ids, dense.choose_spec(len(x), kind))
    queries = _vectors(30, seed=3)
    small = np.arange(0, 5000, 97)  # 52 rows: every cell probed, every row scanned
    scores, found = dense.search(index, queries, 10, small)
    assert set(found.ravel().tolist()) <= set(ids[small].tolist())
    expected = ids[small][dense.exact_top(x[small], queries, 10)]
    assert dense.recall_at(expected, found) == 1.0
    assert np.allclose(scores[:, 0], (queries @ x[small].T).max(axis=1), atol=1e-5)
    half = np.flatnonzero(np.arange(5000) % 2 == 0)
    _, found = dense.search(index, queries, 10, half)
    assert set(found.ravel().tolist()) <= set(ids[half].tolist())
    expected = ids[half][dense.exact_top(x[half], queries, 10)]
    assert dense.recall_at(expected, found) >= 0.98
    # Fewer rows than asked: every row, then nothing.
    _, found = dense.search(index, queries[:1], 10, np.array([4, 9]))
    assert sorted(found[0].tolist()) == sorted(ids[[4, 9]].tolist())


def test_flat_filtered_search_gives_exactly_the_id_selector_results():
    """The real corpus stays flat; its filtered search (a bitmap over rows) returns what the
    id selector over chunk ids returned before, scores and order included."""
    x, ids = _vectors(3000), _ids(3000)
    index, _ = dense.build(x, ids, dense.DenseSpec())
    queries = _vectors(20, seed=5)
    rows = np.flatnonzero(np.arange(3000) % 3 == 1)
    params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(ids[rows]))
    before = index.search(queries, 200, params=params)
    after = dense.search(index, queries, 200, rows)
    assert np.array_equal(before[1], after[1]) and np.array_equal(before[0], after[0])
    assert all(
        np.array_equal(a, b)
        for a, b in zip(index.search(queries, 200), dense.search(index, queries, 200), strict=True)
    )


def test_manifest_records_the_type_and_a_mismatch_is_refused(tmp_path):
    settings = hashing_settings_in(tmp_path, dense_flat_threshold=100)
    report = build_index(settings, HashingEmbedder(), doc_ids=[DOC], progress=False)
    manifest_path = settings.index_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    entry = manifest["dense_index"]
    assert entry["type"] == "ivf" and entry["faiss"] == "IndexIDMap2(IndexIVFFlat)"
    # 529 chunks: nlist 2^round(log2 √529) = 2^5 (511 chunks, before the policy in the chunk
    # headers, gave 2^4)
    assert report.chunks == 529 and entry["nlist"] == 32 and entry["nprobe"] >= 1
    engine = open_engine(settings, HashingEmbedder())
    assert engine.search("証明書 コンビニ交付", top_k=3)[0].project_id == "1-(1)-③"
    for wrong, message in [
        ({**entry, "type": "flat"}, "file is ivf, its manifest says flat"),
        ({**entry, "nprobe": entry["nprobe"] + 1}, "nprobe"),
        ({"type": "pq"}, "'pq' is not one this code reads"),
    ]:
        manifest["dense_index"] = wrong
        with pytest.raises(IndexMismatchError, match=message):
            load_dense(settings.index_dir.resolve(), manifest)


def test_an_index_from_before_the_type_was_recorded_loads_as_flat(tmp_path):
    settings = hashing_settings_in(tmp_path)
    build_index(settings, HashingEmbedder(), doc_ids=[DOC], progress=False)
    manifest = json.loads((settings.index_dir / "manifest.json").read_text())
    assert manifest["dense_index"]["type"] == "flat"
    manifest["dense_index"] = "IndexIDMap2(IndexFlatIP), inner product over L2-normalized vectors"
    assert dense.kind_of(load_dense(settings.index_dir.resolve(), manifest)) == "flat"
