"""The ``no_match`` floor: best question–passage cosine of answerable and absent-topic questions.

``eval/gold/absent.jsonl`` holds questions on topics the plans never mention (電子書籍, 路面電車,
ペット同行避難 …), written by hand; each names its ``topic``, a word that occurs nowhere in the
corpus (``tests/eval/test_absent_gold.py`` checks it). The floor is chosen on dev as the highest
one that flags at most ``MAX_ANSWERABLE_FLAGGED`` of the answerable gold questions; test is
reported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from eval.gold import GOLD_DIR, load_gold
from service.search import SearchEngine

ABSENT_FILE = GOLD_DIR / "absent.jsonl"
MAX_ANSWERABLE_FLAGGED = 0.02


def absent_questions(split: str, path: Path = ABSENT_FILE) -> list[dict[str, Any]]:
    """The absent-topic questions of one split."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r for r in rows if r["split"] == split]


def best_cosine(engine: SearchEngine, query: str) -> float:
    """The best cosine between the question and any passage (what ``no_match`` compares)."""
    retrieval = engine.retrieve_full(query, engine.make_filters(), "dense")
    return retrieval.best_cosine if retrieval.best_cosine is not None else -1.0


def cosines(engine: SearchEngine, split: str) -> dict[str, list[float]]:
    """Best cosines of the answerable gold questions and of the absent-topic ones."""
    answerable = [best_cosine(engine, q.query) for q in load_gold(GOLD_DIR / f"{split}.jsonl")]
    absent = [best_cosine(engine, r["query"]) for r in absent_questions(split)]
    return {"answerable": answerable, "absent": absent}


def flagged(values: list[float], floor: float) -> float:
    """Share of questions whose best cosine is below ``floor``."""
    return round(float(np.mean(np.array(values) < floor)), 4) if values else 0.0


def fit_floor(dev: dict[str, list[float]], step: float = 0.0025) -> float:
    """The highest floor (on a grid of ``step``) flagging at most 2 % of answerable questions."""
    grid = np.arange(0.80, 0.90 + step, step)
    ok = [f for f in grid if flagged(dev["answerable"], float(f)) <= MAX_ANSWERABLE_FLAGGED]
    return round(float(max(ok)), 4) if ok else 0.0


def report(engine: SearchEngine, floor: float | None = None) -> dict[str, Any]:
    """The fitted floor and, per split, the share of each kind of question it flags."""
    by_split = {split: cosines(engine, split) for split in ("dev", "test")}
    fitted = fit_floor(by_split["dev"])
    used = fitted if floor is None else floor
    return {
        "fitted_floor": fitted,
        "floor": used,
        **{
            split: {
                "answerable_flagged": flagged(values["answerable"], used),
                "absent_flagged": flagged(values["absent"], used),
                "answerable": len(values["answerable"]),
                "absent": len(values["absent"]),
            }
            for split, values in by_split.items()
        },
    }
