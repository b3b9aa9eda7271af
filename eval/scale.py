"""Cost as the corpus grows: query latency (without the embedding), build time, memory per
chunk and ANN recall at 3 k (the real index), 30 k, 300 k and 1 M synthetic chunks.

Every size is measured in one process, one size at a time (its arrays freed before the next),
through the service's own retrieval code (``service.backends.local.LocalBackend``) and with the
gold questions as parsed and embedded by the real engine once, up front: the embedding is the
same cost at every size and is left out. Beside the chosen index type, each size also measures
what the service did before (the exact flat scan; BM25 with a full sort of every score), so the
ratios are side by side in the same run on the same questions. Run by ``plansearch-eval scale``.
"""

from __future__ import annotations

import gc
import os
import platform
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import bm25s
import faiss
import numpy as np

from eval.synthetic import Base, generate, load_base
from indexer import dense
from indexer.store import load_lexical
from service.backends.local import LocalBackend
from service.fusion import ranked, weighted_scores
from service.query import ParsedQuery

SIZES = (30_000, 300_000, 1_000_000)
DEPTH = 200  # the engine's candidates per retriever (Settings.candidates)
WEIGHTS = (2.0, 1.0)  # the engine's dense and lexical weights for a Japanese question
TARGET_P50_MS, TARGET_RECALL = 25.0, 0.98


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "faiss": faiss.__version__,
        "faiss_threads": faiss.omp_get_max_threads(),
    }


def rss_anon_mb() -> float:
    """Anonymous resident memory of this process (memmapped files excluded), MB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _percentiles(seconds: Sequence[float], cpu: Sequence[float]) -> dict[str, float]:
    ms, cpu_ms = np.asarray(seconds) * 1000, np.asarray(cpu) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p95_ms": round(float(np.percentile(ms, 95)), 3),
        "cpu_p50_ms": round(float(np.percentile(cpu_ms, 50)), 3),
        "cpu_p95_ms": round(float(np.percentile(cpu_ms, 95)), 3),
    }


def _timed(
    queries: Sequence[ParsedQuery], call: Callable[[ParsedQuery], object]
) -> dict[str, float]:
    """Wall and CPU time per question. Searches run on one thread: on a machine shared with
    other work, the CPU time is what the query costs (wall time there also counts the waits
    for a core), and on an idle one the two agree."""
    for query in queries[:5]:  # warm the caches
        call(query)
    seconds, cpu = [], []
    with dense.single_thread():
        for query in queries:
            start, start_cpu = time.perf_counter(), time.process_time()
            call(query)
            seconds.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    return _percentiles(seconds, cpu)


def _vector(query: ParsedQuery) -> np.ndarray:
    assert query.vector is not None  # every question was embedded up front
    return query.vector


def full_sort_lexical(
    backend: LocalBackend, tokens: Sequence[str], rows: np.ndarray
) -> dict[int, float]:
    """BM25 as the backend did before: a stable sort of every score."""
    scores = np.asarray(backend.lexical_index.get_scores(list(tokens)))[rows]
    order = np.lexsort((rows, -scores))[:DEPTH]
    return {int(backend.ids[rows[i]]): float(scores[i]) for i in order if scores[i] > 0}


def fused(backend: LocalBackend, query: ParsedQuery, rows: np.ndarray) -> list[tuple[int, float]]:
    """The hybrid candidates as the engine fuses them (weighted min-max, dense 2 : lexical 1)."""
    found = backend.candidates(query, rows, DEPTH, "hybrid")
    return ranked(weighted_scores((found.dense, found.lexical), WEIGHTS))


def _recall(
    index: faiss.Index,
    vectors: np.ndarray,
    ids: np.ndarray,
    queries: np.ndarray,
    rows: np.ndarray | None,
) -> float:
    subset = vectors if rows is None else vectors[rows]
    subset_ids = ids if rows is None else ids[rows]
    expected = subset_ids[dense.exact_top(subset, queries, 10)]
    _, found = dense.search(index, queries, 10, rows)
    return round(dense.recall_at(expected, found), 4)


def _index_bytes(index: faiss.Index, work: Path) -> int:
    path = work / "dense.faiss"
    faiss.write_index(index, str(path))
    size = path.stat().st_size
    path.unlink()
    return size


def _lexical_bytes(model: bm25s.BM25) -> int:
    return int(sum(model.scores[k].nbytes for k in ("data", "indices", "indptr")))


def measure_dense(
    vectors: np.ndarray, ids: np.ndarray, spec: dense.DenseSpec, work: Path
) -> tuple[faiss.Index, dict[str, Any]]:
    """Build one dense index: its time, memory and size."""
    gc.collect()
    before = rss_anon_mb()
    start = time.perf_counter()
    index, spec = dense.build(vectors, ids, spec)
    seconds = time.perf_counter() - start
    grown = rss_anon_mb() - before
    n = len(ids)
    size = _index_bytes(index, work)
    return index, {
        "spec": spec.as_dict(),
        "build_s": round(seconds, 2),
        "rss_delta_mb": round(grown, 1),
        "rss_bytes_per_chunk": round(grown * 2**20 / n, 1),
        "disk_bytes_per_chunk": round(size / n, 1),
    }


def measure_size(
    base: Base,
    n: int,
    queries: Sequence[ParsedQuery],
    work: Path,
    *,
    kind: str = "auto",
    threshold: int = dense.DEFAULT_THRESHOLD,
    baselines: bool = True,
    splits: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Every figure at one size (``n == 0``: the real index itself, unperturbed); ``splits``:
    the gold split of each question, for recall per split (tuned on dev, reported on test)."""
    work.mkdir(parents=True, exist_ok=True)
    real = n == 0
    out: dict[str, Any] = {}
    if real:
        n, vectors, ids = len(base.ids), base.vectors, base.ids
        lexical, doc_of_row = base_lexical(base), base.doc_ids
        out["generate_s"] = 0.0
    else:
        before = rss_anon_mb()
        start = time.perf_counter()
        syn = generate(base, n, work)
        out["generate_s"] = round(time.perf_counter() - start, 2)
        vectors, ids, lexical = syn.vectors, syn.ids, syn.lexical
        doc_of_row = base.doc_ids[syn.sources]
        out["noise_sigma"], out["token_swap"] = round(syn.sigma, 5), syn.swap
        out["lexical_rss_delta_mb"] = round(rss_anon_mb() - before, 1)
    out["chunks"] = n
    out["lexical_bytes_per_chunk"] = round(_lexical_bytes(lexical) / n, 1)
    qvec = np.stack([q.vector for q in queries if q.vector is not None]).astype(np.float32)
    rows = np.arange(n)
    # The largest document's rows: a filter that keeps about a third of the corpus.
    docs, counts = np.unique(doc_of_row, return_counts=True)
    doc_rows = np.flatnonzero(doc_of_row == docs[np.argmax(counts)])
    small_rows = np.flatnonzero(np.arange(n) % 100 == 7)  # 1 %, spread over every document

    index, out["dense"] = measure_dense(vectors, ids, dense.choose_spec(n, kind, threshold), work)
    backend = LocalBackend(index, lexical, ids)
    out["dense"]["recall_at_10"] = _recall(index, vectors, ids, qvec, None)
    for split in sorted(set(splits or ())):
        picked = qvec[[i for i, s in enumerate(splits or ()) if s == split]]
        out["dense"][f"recall_at_10_{split}"] = _recall(index, vectors, ids, picked, None)
    out["dense"]["recall_at_10_filter_document"] = _recall(index, vectors, ids, qvec, doc_rows)
    out["dense"]["recall_at_10_filter_1pct"] = _recall(index, vectors, ids, qvec, small_rows)
    latency = {
        "dense": _timed(queries, lambda q: backend.dense(_vector(q), rows, DEPTH)),
        "dense_filter_document": _timed(
            queries, lambda q: backend.dense(_vector(q), doc_rows, DEPTH)
        ),
        "dense_filter_1pct": _timed(
            queries, lambda q: backend.dense(_vector(q), small_rows, DEPTH)
        ),
        "lexical": _timed(queries, lambda q: backend.lexical(q.lexical_tokens, rows, DEPTH)),
        "fused": _timed(queries, lambda q: fused(backend, q, rows)),
    }
    if baselines:
        with_tokens = [q for q in queries if q.lexical_tokens]
        latency["lexical_full_sort"] = _timed(
            with_tokens, lambda q: full_sort_lexical(backend, q.lexical_tokens, rows)
        )
        if out["dense"]["spec"]["type"] != dense.FLAT:
            del backend, index
            gc.collect()
            flat, out["dense_flat"] = measure_dense(vectors, ids, dense.DenseSpec(), work)
            exact = LocalBackend(flat, lexical, ids)
            latency["dense_flat"] = _timed(queries, lambda q: exact.dense(_vector(q), rows, DEPTH))
            del exact, flat
    out["latency"] = latency
    gc.collect()
    shutil.rmtree(work, ignore_errors=True)
    return out


def base_lexical(base: Base) -> bm25s.BM25:
    """The real index's own BM25 (as the service loads it)."""
    return load_lexical(base.index_dir)


def verdict(result: dict[str, Any]) -> dict[str, Any]:
    """The issue's targets at the largest size measured."""
    largest = max(result["sizes"], key=lambda s: s["chunks"])
    fused_ms = largest["latency"]["fused"]
    recall = largest["dense"].get("recall_at_10_test", largest["dense"]["recall_at_10"])
    return {
        "chunks": largest["chunks"],
        "fused_p50_ms": fused_ms["p50_ms"],
        "fused_cpu_p50_ms": fused_ms["cpu_p50_ms"],
        "recall_at_10_test": recall,
        "p50_target_met": min(fused_ms["p50_ms"], fused_ms["cpu_p50_ms"]) <= TARGET_P50_MS,
        "recall_target_met": recall >= TARGET_RECALL,
    }


def run(
    index_dir: Path,
    queries: Sequence[ParsedQuery],
    sizes: Sequence[int],
    work: Path,
    *,
    threshold: int = dense.DEFAULT_THRESHOLD,
    log: Callable[[str], None] = print,
    splits: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Measure the real index and every synthetic size; the result ``scale.json`` holds."""
    base = load_base(index_dir)
    result: dict[str, Any] = {
        "machine": machine(),
        "questions": len(queries),
        "depth": DEPTH,
        "threshold": threshold,
        "sizes": [],
    }
    for n in (0, *sizes):
        start = time.perf_counter()
        row = measure_size(base, n, queries, work / f"n{n}", threshold=threshold, splits=splits)
        row["label"] = "real" if n == 0 else "synthetic"
        result["sizes"].append(row)
        lat = row["latency"]
        log(
            f"{row['chunks']:>9,} chunks: {row['dense']['spec']['type']} "
            f"dense p50 {lat['dense']['p50_ms']} ms, lexical {lat['lexical']['p50_ms']} ms, "
            f"fused {lat['fused']['p50_ms']} ms, recall@10 {row['dense']['recall_at_10']} "
            f"({time.perf_counter() - start:.0f} s)"
        )
    result["verdict"] = verdict(result)
    return result


def plot(result: dict[str, Any], path: Path) -> None:
    """CPU p50 per question against chunks (log scale), chosen types and the old ones; memory
    per chunk."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["sizes"]
    n = [r["chunks"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    series = {
        "fused (dense + lexical + fusion)": "fused",
        "dense, chosen index": "dense",
        "dense, flat (before)": "dense_flat",
        "lexical top-k": "lexical",
        "lexical full sort (before)": "lexical_full_sort",
    }
    for label, key in series.items():
        # Where the chosen index is flat, it is the "before" too.
        points = [
            (r["chunks"], r["latency"].get(key, r["latency"]["dense"])["cpu_p50_ms"])
            for r in rows
            if key in r["latency"] or (key == "dense_flat" and r["dense"]["spec"]["type"] == "flat")
        ]
        if points:
            style = "--" if "before" in label else "-"
            left.plot(*zip(*points, strict=True), style, marker="o", label=label)
    left.axhline(TARGET_P50_MS, color="grey", linewidth=0.8, linestyle=":")
    # CPU time on one thread: wall time on the shared machine also counts waits for a core.
    left.set(xscale="log", yscale="log", xlabel="chunks", ylabel="p50 CPU ms, one thread")
    left.set_title("query latency as the corpus grows")
    left.legend(fontsize=7)
    dense_b = [r["dense"]["disk_bytes_per_chunk"] for r in rows]
    lex_b = [r["lexical_bytes_per_chunk"] for r in rows]
    right.plot(n, dense_b, marker="o", label="dense index, bytes/chunk")
    right.plot(n, lex_b, marker="o", label="BM25 matrix, bytes/chunk")
    right.set(xscale="log", xlabel="chunks", ylabel="bytes per chunk")
    right.set_title("memory per chunk")
    right.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
