"""How sure an answer is: a logistic curve of the evidence behind its main unit.

Two curves, fitted on dev by ``python -m eval.answer_kinds --split dev --fit``: one for fact
questions and one for open questions (answered by a project: yes/no, list, fact, method). The
weights and thresholds live in ``service.answer.config.AnswerConfig``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from service.answer.config import DEFAULT_CONFIG, AnswerConfig

# The margin over the best unit of another project is capped: beyond it, it says no more.
MARGIN_CAP = 2.0
# The no_match log-odds (Evidence.uncovered) is read within this much of its centre.
UNCOVERED_CAP = 5.0


@dataclass(frozen=True)
class Evidence:
    """What the confidence of an answer is computed from (each feature is a reason to believe
    the answer: a high score, relevant passages, a clear lead, card #1, the kind asked)."""

    score: float  # the main unit's full score
    relevance: float  # the best question–passage cosine
    open_question: bool = False  # answered by a project, not a fact (yes/no, list, fact, method)
    margin: float = MARGIN_CAP  # main score minus the best unit of another project (capped)
    first_card: bool = True  # the main unit comes from card #1
    kind_match: bool = False  # the main unit holds the kind of thing asked (figure, date …)
    # How far card #1 leads card #2, as a share of card #1's score (0–1): the search's own
    # certainty about the project an open question is answered by.
    card_gap: float = 0.0
    # The search's own doubt that the plans say anything about the question: the log-odds of
    # its no_match model (service.relevance.RelevanceModel.score; no_match above its
    # threshold). None when not measured (no fitted model): the curve then assumes its centre.
    uncovered: float | None = None
    # The main unit's score minus the best unit of the next card (card #2 when the main unit is
    # card #1's; capped at ±MARGIN_CAP, the cap when that card has no unit among the passages):
    # how clearly the project an open question is answered by beats the one ranked after it.
    lead: float = MARGIN_CAP
    kind: str = ""  # the question's kind (AnswerKind): yes/no and list questions differ in base


def confidence(evidence: Evidence, config: AnswerConfig = DEFAULT_CONFIG) -> float:
    """Probability that the answer is right: a logistic curve fitted on dev, one for fact
    questions and one for open questions (``python -m eval.answer_kinds --split dev --fit``).

    An open question is answered by its first card's project, so card #1 and the kind of unit
    say nothing there; what does is how far that project leads the next card (``lead``) and
    the kind of question (a yes/no question is right when the plans hold what it asks, so the
    search's doubt weighs more; a list is right when any listed project is, so its curve reads
    neither margin nor lead: 「子育て支援に取り組んでいる事業は？」, card #1 0.33 below card
    #2's best unit, fell to 0.58 with them, under the threshold).
    """
    c, e = config, evidence
    margin = capped_lead(e.margin)
    relevance = e.relevance - c.relevance_center
    if e.open_question:
        # A list answer is every card, whichever leads: the margin and the lead say nothing.
        ranked = e.kind != "list"
        lead = capped_lead(e.lead)
        doubt = capped_uncovered(e, c) - c.uncovered_center
        # 「〜はありますか」 is right exactly when the plans hold the thing asked: the search's
        # doubt weighs more there (an absent topic is mostly asked so).
        yes_no = c.open_yes_no_per_uncovered * doubt if e.kind == "yesno" else 0.0
        z = (
            c.open_bias
            + c.open_per_score * e.score
            + c.open_per_relevance * relevance
            + (c.open_per_margin * margin + c.open_per_lead * lead if ranked else 0.0)
            + c.open_per_uncovered * doubt
            + yes_no
            + (c.open_list if e.kind == "list" else 0.0)
        )
    else:
        z = (
            c.conf_bias
            + c.conf_per_score * e.score
            + c.conf_per_relevance * relevance
            + c.conf_per_margin * margin
            + (c.conf_first_card if e.first_card else 0.0)
            + (c.conf_kind if e.kind_match else 0.0)
            + c.conf_per_card_gap * e.card_gap
        )
    return float(1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z)))))


def capped_lead(difference: float) -> float:
    """One unit's score over another's (``margin``, ``lead``) within ±MARGIN_CAP."""
    return max(-MARGIN_CAP, min(MARGIN_CAP, difference))


def capped_uncovered(evidence: Evidence, config: AnswerConfig) -> float:
    """The no_match log-odds, capped at ±UNCOVERED_CAP around the centre (a model refitted
    on another scale cannot swing the curve past what dev saw: -5.0 to 3.7)."""
    if evidence.uncovered is None:
        return config.uncovered_center
    lo, hi = config.uncovered_center - UNCOVERED_CAP, config.uncovered_center + UNCOVERED_CAP
    return max(lo, min(hi, evidence.uncovered))
