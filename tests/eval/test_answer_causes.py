"""``eval.answer_kinds``: why a citizen/staff question got no right answer (``--causes``), and
the rule the open threshold is fitted by."""

from __future__ import annotations

import math
from types import SimpleNamespace

from eval.answer_kinds import cause, cause_lines, fit_open_threshold, fit_threshold, gold_card
from eval.gold import Label
from service.answer.config import DEFAULT_CONFIG


def _row(qid: str, **kw: object) -> dict[str, object]:
    row: dict[str, object] = {"id": qid, "kind": "citizen", "query": "質問", "confidence": 0.5}
    return row | {"right": False, "found": False, "no_match": False, "right_shown": False} | kw


def test_the_gold_card_is_the_first_listed_gold_project():
    labels = [Label("d", "2", "二"), Label("d", "5", "五")]
    cards = [SimpleNamespace(doc_id="d", project_key=k, rank=i) for i, k in enumerate("1352", 1)]
    assert gold_card(labels, cards) == 3  # 5 at card 3 comes before 2 at card 4
    assert gold_card(labels, cards[:1]) is None


def test_each_miss_is_told_by_its_cause():
    assert cause(_row("a", gold_card=None)) == "no gold project among the cards"
    assert cause(_row("b", gold_card=2, no_match=True)) == "no_match (gold at card 2)"
    withheld = _row("c", gold_card=1, right_shown=True)
    assert cause(withheld) == "withheld under the threshold, card #1's answer right"
    assert cause(_row("d", gold_card=3, found=True)) == "another project answered (gold at card 3)"
    assert cause(_row("e", gold_card=2)) == "another project first, withheld (gold at card 2)"
    # Right answers and other styles are not listed; the largest group comes first.
    rows = [withheld, _row("f", gold_card=1, right_shown=True), _row("g", gold_card=None)]
    rows += [_row("h", right=True), _row("i", kind="detail", gold_card=None)]
    lines = cause_lines(rows)
    assert lines[0].split() == [
        "2",
        "withheld",
        "under",
        "the",
        "threshold,",
        "card",
        "#1's",
        "answer",
        "right",
    ]
    assert sum(line.strip().startswith(("c ", "f ", "g ")) for line in lines) == 3
    assert not any(line.strip().startswith(("h ", "i ")) for line in lines)


# Weights under which an open row's confidence is sigmoid(its score): every other term is 0.
BY_SCORE = {"open_bias": 0.0, "open_per_score": 1.0, "open_per_relevance": 0.0}
BY_SCORE |= {"open_per_margin": 0.0, "open_per_uncovered": 0.0, "open_per_lead": 0.0}
BY_SCORE |= {"open_yes_no_per_uncovered": 0.0, "open_list": 0.0}


def _open(kind: str, confidence: float, right: bool) -> dict[str, object]:
    score = math.log(confidence / (1 - confidence))
    source = "absent" if kind in ("absent", "nonsense") else "team"
    row = {"kind": kind, "source": source, "open": True, "no_match": False, "score": score}
    return row | {"relevance": DEFAULT_CONFIG.relevance_center, "right_shown": right}


def test_the_open_threshold_holds_the_issues_bounds_not_every_open_answer():
    center = DEFAULT_CONFIG.relevance_center
    right = (0.95, 0.905, 0.805, 0.705, 0.605, 0.505, 0.405)
    rows = [_open("citizen", c, True) for c in right]
    rows += [_open("citizen", 0.455, False)]  # the first wrong citizen answer from the top
    rows += [_open("fact", c, False) for c in (0.925, 0.855, 0.755)]  # another project's facts
    rows += [_open("absent", 0.655, False)] + [_open("absent", 0.1, False) for _ in range(33)]
    # every shown open answer at 0.97: only above the wrong facts
    assert fit_threshold(rows, BY_SCORE, center, 0.97) == 0.93
    # citizen/staff right at 0.97 and at most 3 % of the 34 absent topics (one) answered: the
    # wrong citizen answer at 0.455 stays out, the absent topic at 0.655 may be shown
    assert fit_open_threshold(rows, BY_SCORE, center) == 0.46
    # two absent topics over the bound: the threshold rises above the second
    second = [*rows, _open("absent", 0.555, False)]
    assert fit_open_threshold(second, BY_SCORE, center) == 0.56
    # the absent topics the fact curve already answers count against the same bound
    assert fit_open_threshold(rows, BY_SCORE, center, absent=20) == 0.66
    # an out-of-scope question is never answered
    nonsense = [*rows, _open("nonsense", 0.805, False)]
    assert fit_open_threshold(nonsense, BY_SCORE, center) == 0.81
