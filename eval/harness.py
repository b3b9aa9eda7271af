"""Evaluate the service (hybrid, dense, lexical) and the naive baseline on a gold file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eval.gold import load_gold
from eval.metrics import per_question, summarize
from eval.runner import engine_searcher, run_from_hits, write_trec_qrels, write_trec_run
from indexer.settings import Settings
from service.search import SearchEngine

SERVICE_MODES = ("hybrid", "dense", "lexical")
ALL_MODES = (*SERVICE_MODES, "naive")


def evaluate_mode(
    engine: SearchEngine, settings: Settings, gold: Path, mode: str, runs_dir: Path | None
) -> dict[str, Any]:
    """Metrics of one mode on one gold file; writes TREC run and qrels when ``runs_dir``."""
    questions = load_gold(gold)
    if mode == "naive":
        run = _naive(engine, settings, questions)
    else:
        run = run_from_hits(questions, engine_searcher(engine, mode))
    scores = per_question(questions, run)
    if runs_dir is not None:
        write_trec_run(run, runs_dir / f"{gold.stem}.{mode}.run", tag=f"plansearch-{mode}")
        write_trec_qrels(questions, runs_dir / f"{gold.stem}.qrels")
    return {"gold": str(gold), "mode": mode, **summarize(questions, scores), "per_question": scores}


def _naive(engine: SearchEngine, settings: Settings, questions):
    from eval.naive import build_naive, naive_run
    from indexer.build import parse_corpus
    from indexer.corpus import load_documents, read_text
    from indexer.embedding.cache import EmbeddingCache

    parsed = parse_corpus(settings.corpus_dir)
    texts = {
        d.doc_id: read_text(settings.corpus_dir, d) for d in load_documents(settings.corpus_dir)
    }
    cache = EmbeddingCache(settings.cache_dir, engine.embedder)
    chunks, vectors = build_naive(parsed, texts, engine.embedder, cache)
    return naive_run(questions, chunks, vectors, engine.embedder)


def save_results(results: list[dict[str, Any]], path: Path) -> None:
    """All modes' summaries (per-question scores included) as one JSON file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
