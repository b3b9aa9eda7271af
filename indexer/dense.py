"""The dense index: its type chosen by corpus size, built deterministically, searched with filters.

Below ``threshold`` chunks the index is exact (``IndexFlatIP``: a scan of every vector, a few
milliseconds at 30 k chunks). Above it, an inverted file (``IndexIVFFlat``): k-means cells over
the vectors, a query scans only the ``nprobe`` closest cells. IVF was chosen over HNSW for three
reasons measured or checked here (``plansearch-eval scale``): its build is deterministic and
cheap to make so (single-threaded k-means with a fixed seed and sample), a filter is exact by
construction (a selective filter widens ``nprobe`` until, for a small selection, every cell is
scanned, which is the exact search), and it keeps the vectors at 4 bytes a dimension plus 8 for
the id where HNSW adds its graph. HNSW (``IndexHNSWFlat``) stays available by setting.

Every type is wrapped in ``IndexIDMap2`` (ids = chunk ids, ``reconstruct`` by chunk id); the
inner index holds the vectors in row order, so a filter is a bitmap over rows. The type and its
parameters go into the manifest (``DenseSpec.as_dict``) and are checked against the file on
load. ``nprobe``/``efSearch`` are calibrated at build time: the smallest value whose recall@10
against the exact search reaches ``CALIBRATION_RECALL`` on proxy queries (``calibrate``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from typing import Any

import faiss
import numpy as np

FLAT, IVF, HNSW = "flat", "ivf", "hnsw"
KINDS = (FLAT, IVF, HNSW)
# Chunks at which `auto` leaves the exact scan. CPU p50 a question on one thread here
# (eval/results/scale.json, calibration margin 3): flat 1.9 ms at 30 k, 19.6 ms at 300 k,
# 65.3 ms at 1 M; IVF 6.7 ms at 300 k and 10.5 ms at 1 M (nprobe 96 of 512 and of 1,024 cells;
# recall@10 0.9986 at both on the 218 gold questions).
DEFAULT_THRESHOLD = 100_000
SEED = 1234
# Build-time target on proxy queries (``calibrate``), above the 0.98 asked on real questions.
CALIBRATION_RECALL = 0.998
CALIBRATION_QUERIES = 200
CALIBRATION_MARGIN = 3  # the proxy's value times this (see ``calibrate``)
# Vectors per k-means cell in the training sample (faiss warns below 39).
TRAIN_PER_CELL = 64
_LEGACY_FLAT = "IndexIDMap2(IndexFlatIP), inner product over L2-normalized vectors"


class DenseSpecError(ValueError):
    """A dense index description that this code cannot build or does not match its file."""


@dataclass(frozen=True)
class DenseSpec:
    """One dense index type and its parameters (0: not used by this type)."""

    kind: str = FLAT
    nlist: int = 0
    nprobe: int = 0
    hnsw_m: int = 0
    ef_construction: int = 0
    ef_search: int = 0
    seed: int = SEED
    # Measured at build time (recall@10 vs exact on the proxy queries); 1.0 for flat.
    calibrated_recall: float = 1.0

    def as_dict(self) -> dict[str, Any]:
        """The manifest's ``dense_index`` entry."""
        params = {k: v for k, v in asdict(self).items() if v and k not in ("kind",)}
        if self.kind == FLAT:
            params = {}
        return {
            "type": self.kind,
            "faiss": _faiss_name(self.kind),
            "metric": "inner_product",
            "normalized": True,
            **params,
        }

    @classmethod
    def from_manifest(cls, value: object) -> DenseSpec:
        """The spec a manifest describes; the string of indexes built before it was recorded
        means flat. DenseSpecError for an unknown type or malformed entry."""
        if value == _LEGACY_FLAT:
            return cls(FLAT)
        if not isinstance(value, dict) or value.get("type") not in KINDS:
            kind = value.get("type") if isinstance(value, dict) else value
            raise DenseSpecError(
                f"dense index type {kind!r} is not one this code reads ({', '.join(KINDS)})"
            )
        fields = {k: value[k] for k in cls.__dataclass_fields__ if k in value and k != "kind"}
        try:
            return cls(value["type"], **fields)
        except TypeError as exc:
            raise DenseSpecError(f"dense index entry {value!r} is malformed ({exc})") from exc


def _faiss_name(kind: str) -> str:
    inner = {FLAT: "IndexFlatIP", IVF: "IndexIVFFlat", HNSW: "IndexHNSWFlat"}[kind]
    return f"IndexIDMap2({inner})"


def choose_spec(n: int, kind: str = "auto", threshold: int = DEFAULT_THRESHOLD) -> DenseSpec:
    """The index type for ``n`` chunks: ``kind``, or by size when ``auto``."""
    if kind == "auto":
        kind = FLAT if n < threshold else IVF
    if kind not in KINDS:
        raise DenseSpecError(f"unknown dense index type {kind!r}; valid: auto, {', '.join(KINDS)}")
    if kind == IVF:
        # About sqrt(n) cells of about sqrt(n) vectors: the coarse and the fine scans balance.
        return DenseSpec(IVF, nlist=max(16, 2 ** round(math.log2(math.sqrt(max(n, 1))))))
    if kind == HNSW:
        return DenseSpec(HNSW, hnsw_m=32, ef_construction=80)
    return DenseSpec(FLAT)


@contextmanager
def single_thread() -> Iterator[None]:
    """faiss on one thread: k-means and graph insertion then give the same index every time."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def build(vectors: np.ndarray, ids: np.ndarray, spec: DenseSpec) -> tuple[faiss.Index, DenseSpec]:
    """The index of ``vectors`` (L2-normalized rows, may be a memmap) under chunk ``ids``, and
    the spec with its calibrated search parameter. Same input and spec → same bytes."""
    n, d = vectors.shape
    rng = np.random.default_rng(spec.seed)
    with single_thread():
        if spec.kind == FLAT:
            inner: Any = faiss.IndexFlatIP(d)
        elif spec.kind == IVF:
            inner = faiss.IndexIVFFlat(
                faiss.IndexFlatIP(d), d, spec.nlist, faiss.METRIC_INNER_PRODUCT
            )
            inner.cp.seed = spec.seed
            sample = np.sort(rng.choice(n, size=min(n, spec.nlist * TRAIN_PER_CELL), replace=False))
            inner.train(np.ascontiguousarray(vectors[sample], dtype=np.float32))
        else:
            inner = faiss.IndexHNSWFlat(d, spec.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efConstruction = spec.ef_construction
        index = faiss.IndexIDMap2(inner)
        for start in range(0, n, 65_536):  # a memmap is read a block at a time
            block = np.ascontiguousarray(vectors[start : start + 65_536], dtype=np.float32)
            index.add_with_ids(block, np.ascontiguousarray(ids[start : start + 65_536], np.int64))
        if spec.kind == IVF:
            inner.make_direct_map()  # reconstruct(chunk id), used by the answerer
    if spec.kind != FLAT:
        spec = calibrate(index, vectors, spec, rng)
    return index, spec


def _set_search_param(index: faiss.Index, spec: DenseSpec, value: int) -> DenseSpec:
    inner = inner_index(index)
    if spec.kind == IVF:
        inner.nprobe = value
        return replace(spec, nprobe=value)
    inner.hnsw.efSearch = value
    return replace(spec, ef_search=value)


def calibrate(
    index: faiss.Index, vectors: np.ndarray, spec: DenseSpec, rng: np.random.Generator
) -> DenseSpec:
    """CALIBRATION_MARGIN times the smallest nprobe/efSearch (a power of two) whose recall@10
    against the exact search reaches CALIBRATION_RECALL on proxy queries; ``calibrated_recall``
    is the proxy's recall at that smallest value."""
    n = len(vectors)
    # Real questions sit between passages (best cosine ~0.89 where a passage's nearest
    # neighbour is at ~0.97) and their top 10 spread over many cells: isotropic noise around a
    # passage is far too easy a proxy (recall 0.99 at nprobe 4 of 512 where real questions
    # had 0.76). The sum of two random passages, a question mixing two topics, is the hardest
    # cheap proxy measured, and still optimistic: at 300 k, 0.998 there came with 0.965 on
    # the dev questions (nprobe 32 of 512), and one doubling more with 0.989 (nprobe 64). At
    # 20 k copies of the 3,035-chunk corpus a doubling gave 0.979 on the gold questions, so the
    # margin is 3 (eval/results/scale.json was measured with 2).
    pairs = rng.choice(n, size=(min(n, CALIBRATION_QUERIES), 2))
    queries = np.asarray(vectors[np.sort(pairs[:, 0])], dtype=np.float32)
    queries = queries + np.asarray(vectors[np.sort(pairs[:, 1])], dtype=np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    expected = id_map(index)[exact_top(vectors, queries, 10)]
    top = spec.nlist if spec.kind == IVF else 4096
    value = 1
    while True:
        spec = _set_search_param(index, spec, value)
        _, found = search(index, queries, 10)
        recall = recall_at(expected, found)
        if recall >= CALIBRATION_RECALL or value >= top:
            break
        value = min(top, value * 2)
    spec = _set_search_param(index, spec, min(top, value * CALIBRATION_MARGIN))
    return replace(spec, calibrated_recall=round(recall, 4))


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Row positions of the exact top ``k`` of each query (as a set: the order of equal scores
    is arbitrary), scanning ``vectors`` in blocks so that a memmap is never read whole."""
    best_s = np.full((len(queries), 0), -np.inf, dtype=np.float32)
    best_i = np.zeros((len(queries), 0), dtype=np.int64)
    for start in range(0, len(vectors), 131_072):
        block = np.asarray(vectors[start : start + 131_072], dtype=np.float32)
        scores = queries @ block.T
        if scores.shape[1] > k:
            part = np.argpartition(-scores, k, axis=1)[:, :k]
            scores, rows = np.take_along_axis(scores, part, 1), part + start
        else:
            rows = np.broadcast_to(np.arange(start, start + scores.shape[1]), scores.shape)
        s = np.concatenate([best_s, scores], axis=1)
        i = np.concatenate([best_i, rows], axis=1)
        keep = np.argsort(-s, axis=1, kind="stable")[:, :k]
        best_s, best_i = np.take_along_axis(s, keep, 1), np.take_along_axis(i, keep, 1)
    return best_i


def recall_at(expected: np.ndarray, found: np.ndarray) -> float:
    """Mean share of each row of ``expected`` found in the same row of ``found``."""
    hits = [len(set(e.tolist()) & set(f.tolist())) for e, f in zip(expected, found, strict=True)]
    return float(np.mean(hits)) / expected.shape[1]


def id_map(index: Any) -> np.ndarray:
    """The chunk id of each row of an ``IndexIDMap2`` (a view, not a copy)."""
    size = index.id_map.size()
    return faiss.rev_swig_ptr(index.id_map.data(), size) if size else np.zeros(0, np.int64)


# The passages' main axes stored with an index (``AXES``, ``main_axes``): the most a relevance
# model reads (``eval.nomatch.MAX_AXES``), from at most ``AXES_SAMPLE`` evenly spaced vectors.
STORED_AXES = 8
AXES_SAMPLE = 50_000


def sample_rows(total: int, limit: int) -> np.ndarray:
    """At most ``limit`` evenly spaced row numbers of ``total`` rows, ascending (all of them
    when ``total <= limit``)."""
    return np.unique(np.linspace(0, total - 1, min(limit, total)).astype(np.int64))


def main_axes(vectors: np.ndarray, count: int) -> np.ndarray:
    """The ``count`` main axes (principal components, unit rows, largest variance first) of
    ``vectors``, each signed so that its largest coordinate is positive: the same vectors, the
    same axes. From the d × d covariance rather than an SVD of the vectors: the same axes
    (within 3e-15 on this corpus's 3,043 × 384) at a fraction of the time (50,000 × 384 here:
    13 s → 0.4 s)."""
    centred = np.asarray(vectors, dtype=np.float64)
    centred = centred - centred.mean(axis=0)
    _, columns = np.linalg.eigh(centred.T @ centred)  # eigenvalues ascending
    axes = columns[:, ::-1].T[:count]
    signs = np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])
    return axes * signs[:, None]


def passage_vectors(index: Any, limit: int) -> np.ndarray | None:
    """The stored vectors of an ``IndexIDMap2``, in row order, at most ``limit`` of them
    (``sample_rows`` when it holds more); None when it holds none or cannot give them back
    (an IVF index without its direct map, a shard router's stand-in)."""
    if not isinstance(index, faiss.IndexIDMap2) or index.ntotal == 0:
        return None
    inner = inner_index(index)
    rows = sample_rows(index.ntotal, limit)
    try:
        if len(rows) == index.ntotal:
            return np.asarray(inner.reconstruct_n(0, index.ntotal))
        return np.stack([inner.reconstruct(int(r)) for r in rows])
    except RuntimeError:  # faiss: "direct map not initialized"
        return None


def inner_index(index: Any) -> Any:
    """The index inside the id map: flat, IVF or HNSW."""
    return faiss.downcast_index(index.index)


def kind_of(index: faiss.Index) -> str:
    """The type of a loaded index, as in a spec."""
    inner = inner_index(index) if isinstance(index, faiss.IndexIDMap2) else None
    for kind, cls in (
        (FLAT, faiss.IndexFlatIP),
        (IVF, faiss.IndexIVFFlat),
        (HNSW, faiss.IndexHNSWFlat),
    ):
        if inner is not None and isinstance(inner, cls):
            return kind
    return type(inner if inner is not None else index).__name__


def check(index: faiss.Index, spec: DenseSpec) -> None:
    """DenseSpecError when the loaded index is not the type and parameters ``spec`` says."""
    kind = kind_of(index)
    if kind != spec.kind:
        raise DenseSpecError(f"the dense index file is {kind}, its manifest says {spec.kind}")
    inner: Any = inner_index(index)
    if kind == IVF and (inner.nlist, inner.nprobe) != (spec.nlist, spec.nprobe):
        raise DenseSpecError(
            f"the IVF index has nlist={inner.nlist} nprobe={inner.nprobe}, its manifest says "
            f"nlist={spec.nlist} nprobe={spec.nprobe}"
        )
    if kind == HNSW and inner.hnsw.efSearch != spec.ef_search:
        raise DenseSpecError(
            f"the HNSW index has efSearch={inner.hnsw.efSearch}, its manifest says {spec.ef_search}"
        )


# A filtered HNSW search scans the selected vectors exactly up to this many rows: a graph walk
# that may only stop at selected nodes costs more than that, and misses more.
HNSW_EXACT_ROWS = 20_000
HNSW_MAX_EF = 2048


def _filtered_params(inner: Any, sel: faiss.IDSelector, share: float) -> Any:
    """Search parameters for a filter that keeps ``share`` of the rows: the probe widened in
    proportion, so about as many selected vectors are scanned as without a filter; a small
    selection probes every cell, which is the exact search."""
    if isinstance(inner, faiss.IndexIVFFlat):
        nprobe = min(inner.nlist, math.ceil(inner.nprobe / share))
        return faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)  # type: ignore[call-arg]
    if isinstance(inner, faiss.IndexHNSWFlat):
        ef = min(HNSW_MAX_EF, math.ceil(inner.hnsw.efSearch / share))
        return faiss.SearchParametersHNSW(sel=sel, efSearch=ef)  # type: ignore[attr-defined]
    return faiss.SearchParameters(sel=sel)  # type: ignore[call-arg]


def search(
    index: faiss.Index, queries: np.ndarray, k: int, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(scores, chunk ids) of the ``k`` best vectors for each query among ``rows`` (positions
    in index order; None: all), -1 ids where fewer exist. Within the selection a flat index is
    exact, so a filtered search gives what an unfiltered one gives restricted to the rows."""
    inner = inner_index(index)
    n = inner.ntotal
    x = np.ascontiguousarray(queries.reshape(-1, inner.d), dtype=np.float32)
    params, keep = None, None
    if rows is not None and len(rows) < n:
        mask = np.zeros(n, dtype=bool)
        mask[rows] = True
        keep = np.packbits(mask, bitorder="little")  # referenced until the search returns
        sel = faiss.IDSelectorBitmap(n, faiss.swig_ptr(keep))
        if isinstance(inner, faiss.IndexHNSWFlat) and len(rows) <= HNSW_EXACT_ROWS:
            inner = faiss.downcast_index(inner.storage)
        params = _filtered_params(inner, sel, len(rows) / n)
    k = min(k, n if rows is None else len(rows))
    if k <= 0:
        return np.zeros((len(x), 0), np.float32), np.zeros((len(x), 0), np.int64)
    scores, labels = inner.search(x, k, params=params)
    del keep
    ids = id_map(index)
    return scores, np.where(labels >= 0, ids[np.maximum(labels, 0)], -1)
