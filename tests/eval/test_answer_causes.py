"""``eval.answer_kinds``: why a citizen/staff question got no right answer (``--causes``)."""

from __future__ import annotations

from types import SimpleNamespace

from eval.answer_kinds import cause, cause_lines, gold_card
from eval.gold import Label


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
