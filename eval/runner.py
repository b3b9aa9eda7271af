"""Runs: each gold question → a ranked list of projects, from the service or a baseline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from eval.gold import GoldQuestion, project_doc_key
from eval.metrics import RunDict
from service.aggregate import rank_projects
from service.schemas import Hit
from service.search import SearchEngine

PASSAGE_DEPTH = 100

Searcher = Callable[[str], list[Hit]]


def run_from_hits(questions: list[GoldQuestion], search: Searcher) -> RunDict:
    """Passages per question deduplicated by project in rank order, scored 1/rank."""
    run: RunDict = {}
    for q in questions:
        projects = rank_projects(search(q.query))
        run[q.id] = {project_doc_key(p.doc_id, p.project_key): 1.0 / p.rank for p in projects}
    return run


def engine_searcher(engine: SearchEngine, mode: str) -> Searcher:
    """The service's own search in one mode, at the evaluation depth."""
    return lambda query: engine.search(query, top_k=PASSAGE_DEPTH, mode=mode)  # type: ignore[arg-type]


def write_trec_run(run: RunDict, path: Path, tag: str) -> None:
    """A TREC run file: ``qid Q0 docid rank score tag``."""
    lines = []
    for qid in sorted(run):
        ranked = sorted(run[qid].items(), key=lambda kv: -kv[1])
        lines += [
            f"{qid} Q0 {doc} {i} {score:.6f} {tag}" for i, (doc, score) in enumerate(ranked, 1)
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_trec_qrels(questions: list[GoldQuestion], path: Path) -> None:
    """A TREC qrels file: ``qid 0 docid 1``."""
    lines = [f"{q.id} 0 {label.doc_key} 1" for q in questions for label in q.relevant]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
