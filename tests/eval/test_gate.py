"""The gate's comparison rules, on hand-made figures."""

from __future__ import annotations

from eval.gate import (
    Margins,
    answer_regressions,
    lower_is_better_regressions,
    retrieval_regressions,
)


def _summary(overall: float, citizen: float) -> dict:
    return {
        "overall": {"ndcg@10": overall, "recall@10": 0.9},
        "by_style": {"citizen": {"n": 30, "ndcg@10": citizen, "recall@10": 0.8}},
    }


def test_equal_figures_pass():
    assert retrieval_regressions(_summary(0.82, 0.62), _summary(0.82, 0.62)) == []


def test_a_drop_within_the_margin_passes_and_beyond_it_fails():
    margins = Margins(overall=0.005, per_style=0.01)
    assert retrieval_regressions(_summary(0.82, 0.62), _summary(0.816, 0.611), margins) == []
    failed = retrieval_regressions(_summary(0.82, 0.62), _summary(0.814, 0.609), margins)
    assert failed == [
        "overall ndcg@10: 0.8140 < stored 0.8200 - 0.005",
        "citizen ndcg@10: 0.6090 < stored 0.6200 - 0.01",
    ]


def test_a_style_missing_from_the_fresh_run_fails():
    fresh = {"overall": {"ndcg@10": 0.82, "recall@10": 0.9}, "by_style": {}}
    assert len(retrieval_regressions(_summary(0.82, 0.62), fresh)) == 2


def test_a_rise_never_fails():
    assert retrieval_regressions(_summary(0.80, 0.60), _summary(0.90, 0.70)) == []


def test_answer_figures():
    stored = {"answer_accuracy": 0.62, "citation_accuracy": 0.9}
    assert answer_regressions(stored, {"answer_accuracy": 0.615, "citation_accuracy": 0.95}) == []
    assert answer_regressions(stored, {"answer_accuracy": 0.60, "citation_accuracy": 0.9}) == [
        "answers answer_accuracy: 0.6000 < stored 0.6200 - 0.01"
    ]


def test_lower_is_better_figures():
    stored = {"nonsense_found_rate": 0.0}
    assert lower_is_better_regressions(stored, {"nonsense_found_rate": 0.0}, stored, 0.0) == []
    assert lower_is_better_regressions(stored, {"nonsense_found_rate": 0.1}, stored, 0.0) == [
        "answers nonsense_found_rate: 0.1000 > stored 0.0000 + 0.0"
    ]
