"""Project-level IR metrics through ranx, averaged overall, per style and per document."""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Mapping

from eval.gold import GoldQuestion, qrels_dict

METRICS = ("hit_rate@1", "hit_rate@5", "hit_rate@10", "mrr@10", "recall@10", "ndcg@10")
RunDict = dict[str, dict[str, float]]


def per_question(questions: list[GoldQuestion], run: RunDict) -> dict[str, dict[str, float]]:
    """{question id: {metric: value}}; a question with an empty ranking scores 0."""
    from ranx import Qrels, Run, evaluate  # the eval extra; imported on use

    qrels = Qrels.from_dict(qrels_dict(questions))
    # ranx needs every question in the run; an empty ranking gets a sentinel that is never relevant.
    complete = {q.id: run.get(q.id) or {"none::none": 0.0} for q in questions}
    ranx_run = Run.from_dict(complete)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's unsafe-cast notes
        evaluate(qrels, ranx_run, list(METRICS), return_mean=False)
    return {q.id: {m: float(ranx_run.scores[m][q.id]) for m in METRICS} for q in questions}


def _mean(rows: list[Mapping[str, float]]) -> dict[str, float]:
    return {m: round(sum(r[m] for r in rows) / len(rows), 4) for m in METRICS} if rows else {}


def summarize(
    questions: list[GoldQuestion], scores: Mapping[str, Mapping[str, float]]
) -> dict[str, object]:
    """Means overall, by style and by document, with question counts."""
    by_style: dict[str, list] = defaultdict(list)
    by_doc: dict[str, list] = defaultdict(list)
    for q in questions:
        by_style[q.style].append(scores[q.id])
        by_doc[q.doc].append(scores[q.id])
    return {
        "questions": len(questions),
        "overall": _mean([scores[q.id] for q in questions]),
        "by_style": {k: {"n": len(v), **_mean(v)} for k, v in sorted(by_style.items())},
        "by_doc": {k: {"n": len(v), **_mean(v)} for k, v in sorted(by_doc.items())},
    }
