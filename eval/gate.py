"""The quality gate: fresh figures against the ones stored in ``eval/results/``.

The pipeline is deterministic (same corpus, settings and model → same ranking), so a figure
that moves means at least one question's ranking or answer moved. The margins only absorb
floating-point differences between machines; one question changing its rank in a style of
20–35 questions moves that style's nDCG@10 by more than the per-style margin.

Stored figures are updated deliberately, in the commit of the change that moves them, by
``plansearch-eval report`` (retrieval) and ``plansearch-eval answers --store`` (answers).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).parent / "results"
RETRIEVAL_METRICS = ("ndcg@10", "recall@10")


@dataclass(frozen=True)
class Margins:
    """How far a fresh figure may fall below the stored one before the gate fails."""

    overall: float = 0.005
    per_style: float = 0.01
    answers: float = 0.01


def stored_retrieval(split: str, mode: str = "hybrid", results_dir: Path = RESULTS_DIR) -> dict:
    """The stored summary of one split and mode (``eval/results/<split>.json``)."""
    rows = json.loads((results_dir / f"{split}.json").read_text(encoding="utf-8"))
    return next(r for r in rows if r["mode"] == mode)


def _figures(summary: Mapping[str, Any]) -> dict[str, float]:
    """``overall ndcg@10``, ``citizen recall@10`` … of one evaluation summary."""
    out = {f"overall {m}": summary["overall"][m] for m in RETRIEVAL_METRICS}
    for style, values in summary["by_style"].items():
        out.update({f"{style} {m}": values[m] for m in RETRIEVAL_METRICS})
    return out


def retrieval_regressions(
    stored: Mapping[str, Any], fresh: Mapping[str, Any], margins: Margins = Margins()
) -> list[str]:
    """One line per retrieval figure that fell below its stored value by more than the margin."""
    before, after = _figures(stored), _figures(fresh)
    return [
        f"{name}: {after.get(name, 0.0):.4f} < stored {value:.4f} - {margin}"
        for name, value in before.items()
        for margin in [margins.overall if name.startswith("overall") else margins.per_style]
        if after.get(name, 0.0) < value - margin
    ]


def answer_regressions(
    stored: Mapping[str, float], fresh: Mapping[str, float], margins: Margins = Margins()
) -> list[str]:
    """One line per answer figure (share of questions of a kind answered right) that fell."""
    return [
        f"answers {kind}: {fresh.get(kind, 0.0):.4f} < stored {value:.4f} - {margins.answers}"
        for kind, value in stored.items()
        if fresh.get(kind, 0.0) < value - margins.answers
    ]


def lower_is_better_regressions(
    stored: Mapping[str, float], fresh: Mapping[str, float], names: Iterable[str], margin: float
) -> list[str]:
    """Figures where a rise is the regression (answers claimed for absent topics)."""
    return [
        f"answers {name}: {fresh.get(name, 1.0):.4f} > stored {stored[name]:.4f} + {margin}"
        for name in names
        if name in stored and fresh.get(name, 1.0) > stored[name] + margin
    ]
