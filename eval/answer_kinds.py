"""Answers per question kind, as ``/answer`` gives them (``SearchEngine.answer``).

Four gold sources, each judged the way a help-desk operator would read the answer box:

- ``eval/gold/answers-{dev,test}.jsonl`` (written from the documents): a question of one kind
  (value, date, reason, place, department, status, yesno …) with the ``parts`` the answer text
  must hold — every one of them (as figures compare: NFKC, no blanks, brackets or commas); a
  yes/no answer must also begin with 「はい」 and cite the project;
- the team's ``detail`` questions (dev/test.jsonl): the text holds the ``answer_hint``;
- the team's ``citizen``/``staff`` questions: answered, and the first citation is a gold project
  (share of all, and precision among the answered);
- the team's ``list`` questions: the answer lists items, and how many of them are gold;
- the absent-topic questions (absent.jsonl): answered at all (lower is better), no_match.

    python -m eval.answer_kinds --split dev       # per-kind table, reliability table
    python -m eval.answer_kinds --split dev --fit # the stored fit: margin, confidence, threshold
    python -m eval.answer_kinds --split dev --cv  # the open curve held out: 5-fold CV
    python -m eval.answer_kinds --split dev --causes  # why citizen/staff questions miss
    python -m eval.answer_kinds --split test --json var/answer-kinds-test.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from eval.answers import NONSENSE, AnswerGold, comparable, fit_logistic, load_answer_gold
from eval.gold import GOLD_DIR, GoldQuestion, Label, load_gold
from eval.nomatch import absent_questions
from service.answer.compose import OPEN_KINDS, candidates, card_ranks, choose, evidence
from service.answer.confidence import Evidence, capped_lead, confidence
from service.answer.confidence import capped_uncovered as _capped_uncovered
from service.answer.config import DEFAULT_CONFIG, AnswerConfig
from service.answer.ranking import answer_from
from service.filters import SearchFilters
from service.schemas import AnswerOut
from service.search import SearchEngine

TOP_K = 10  # the projects listed beside the answer, as the page asks for
MARGINS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 1e9)


def holds(text: str, parts: Iterable[str]) -> bool:
    """Every part occurs in ``text`` as figures compare (eval.answers.comparable: 「150 人」,
    「150人」 and 「150 (人)」 are equal)."""
    flat = comparable(text)
    return all(comparable(p) in flat for p in parts)


def _cites(labels: Sequence[Label], out: AnswerOut) -> bool:
    gold = {(label.doc, label.project) for label in labels}
    return any((c.doc_id, c.project_key) in gold for c in out.citations)


def _first_cites(labels: Sequence[Label], out: AnswerOut) -> bool:
    gold = {(label.doc, label.project) for label in labels}
    c = out.citation
    return c is not None and (c.doc_id, c.project_key) in gold


def judge_kind(gold: AnswerGold, out: AnswerOut) -> bool:
    """Right answer to an answers-gold question (found or not: see ``Judge``)."""
    if gold.kind == "yesno":
        return out.text.startswith("はい") and _cites(gold.relevant, out)
    return holds(out.text, [p for p in gold.parts if p != "はい"]) and _cites(gold.relevant, out)


def judge_team(q: GoldQuestion, out: AnswerOut) -> bool:
    """Right answer to a team gold question: the hint (detail), a gold item (list), else a
    first citation of a gold project."""
    if q.style == "detail":
        return holds(out.text, [q.answer_hint])
    if q.style == "list":
        gold = {(label.doc, label.project) for label in q.relevant}
        return any((i.doc_id, i.project_key) in gold for i in out.items)
    return _first_cites(q.relevant, out)


Judge = Callable[[AnswerOut], bool]  # is this answer right, were it shown


def _open(kind: str) -> bool:
    return kind in OPEN_KINDS


def attempt(
    engine: SearchEngine, query: str, judge: Judge, labels: Sequence[Label] = ()
) -> dict[str, Any]:
    """The served answer, timed, and what fitting needs: the answer from the best unit
    (margin 0) and from card #1's (no margin) were they shown, their score gap, the features;
    ``labels``: the question's gold projects, whose best card is recorded (``gold_card``)."""
    start = time.perf_counter()
    outcome = engine.answer(query, SearchFilters(), TOP_K)
    seconds = time.perf_counter() - start
    ranking, retrieved = engine.answer_ranking(query)
    listed = engine.search_projects_full(query, TOP_K, SearchFilters(), retrieved=retrieved)
    row: dict[str, Any] = {"seconds": round(seconds, 4), "no_match": outcome.no_match}
    out = outcome.answer  # withheld under no_match by SearchEngine.answer itself
    row.update(
        answer_kind=out.kind,
        found=out.found,
        confidence=out.confidence,
        right=out.found and judge(out),
        text=out.text,
        cited=[c.project_key for c in out.citations],
        items=len(out.items),
        relevance=ranking.relevance,
        uncovered=ranking.uncovered,
        gold_card=gold_card(labels, listed.projects),
        card_scores=[round(p.score, 4) for p in listed.projects[:3]],
        signals=_signals(engine, query),
    )
    if not ranking.units:
        row.update(gap=0.0, right_best=False, right_top=False, score=-5.0, open=True)
        row.update(margin=0.0, first_card=False, kind_match=False, card_gap=0.0, lead=0.0)
        return row
    shown = replace(ranking.config, found_threshold=0.0, open_threshold=0.0)
    best_cfg = replace(shown, agree_margin=0.0, open_agree_margin=0.0)
    top_cfg = replace(shown, agree_margin=1e9, open_agree_margin=1e9)
    best = answer_from(replace(ranking, config=best_cfg), listed.projects)
    top = answer_from(replace(ranking, config=top_cfg), listed.projects)
    cards = card_ranks(ranking.hits, listed.projects)
    main = choose(ranking, cards)
    ev = evidence(ranking, cards, main, listed.projects)
    units = candidates(ranking)  # the units choose() picks from (a value question: quantities)
    first = next((s for s in units if cards.get(_project_of(ranking, s)) == 1), None)
    row.update(
        gap=round(units[0].total - first.total, 4) if first else 0.0,
        right_best=judge(best),
        right_top=judge(top),
        right_shown=judge(answer_from(replace(ranking, config=shown), listed.projects)),
        score=round(main.total, 4),
        open=_open(out.kind),
        margin=round(ev.margin, 4),
        first_card=ev.first_card,
        kind_match=ev.kind_match,
        card_gap=ev.card_gap,
        lead=round(ev.lead, 4),
        question_kind=ev.kind,
        **_leads(engine, query, ranking, main),
    )
    return row


# Fields that state what a project is (its summary), as opposed to a year's result or a figure.
SUMMARY_FIELDS = ("概要", "目的", "事業内容", "取組内容")


def _leads(engine: SearchEngine, query: str, ranking: Any, main: Any) -> dict[str, Any]:
    """Eval-only columns tried as open-curve features (session 21): the main unit's field is
    a summary, the three best passages are one project's, the question's known content terms
    (its distinct lemmas of two or more characters, not all hiragana, that the index holds)
    and its length in characters (what that count may only stand for)."""
    projects = {(h.doc_id, h.project_key) for h in ranking.hits[:3]}
    frequencies = engine.analyzer.frequencies or {}
    terms = {
        t
        for t in engine.parse(query).tokens
        if len(t) >= 2 and not all("ぁ" <= c <= "ゖ" for c in t) and t in frequencies
    }
    return {
        "summary_field": main.unit.name in SUMMARY_FIELDS,
        "top3_one": len(ranking.hits) >= 3 and len(projects) == 1,
        "known_terms": len(terms),
        "length": len(query),
    }


def _signals(engine: SearchEngine, query: str) -> dict[str, float]:
    """What the no_match model reads of the question (``service.relevance.Signals``), each
    feature apart: eval-only, a second retrieval."""
    found = engine.retrieve_full(engine.parse(query), SearchFilters(), "hybrid").signals
    if found is None:
        return {}
    return {k: round(float(v), 4) for k, v in vars(found).items() if k != "question"}


def gold_card(labels: Sequence[Label], projects: Sequence[Any]) -> int | None:
    """The rank of the first listed card that is a gold project (None: none of the cards)."""
    gold = {(label.doc, label.project) for label in labels}
    return next((p.rank for p in projects if (p.doc_id, p.project_key) in gold), None)


def _project_of(ranking: Any, s: Any) -> tuple[str, str]:
    hit = ranking.hits[s.unit.passage]
    return hit.doc_id, hit.project_key


def _never(out: AnswerOut) -> bool:
    return False  # an absent-topic question has no right answer


def rows_for(engine: SearchEngine, split: str) -> list[dict[str, Any]]:
    """One row per question of every gold source of ``split``."""
    rows: list[dict[str, Any]] = []
    for g in load_answer_gold(GOLD_DIR / f"answers-{split}.jsonl"):
        row: dict[str, Any] = {"id": g.id, "source": "answers", "kind": g.kind, "query": g.query}
        row["parts"] = len([p for p in g.parts if p != "はい"])
        row.update(attempt(engine, g.query, partial(judge_kind, g), g.relevant))
        rows.append(row)
    for q in load_gold(GOLD_DIR / f"{split}.jsonl"):
        row = {"id": q.id, "source": "team", "kind": q.style, "query": q.query}
        row.update(attempt(engine, q.query, partial(judge_team, q), q.relevant))
        if q.style == "list":
            row["items_gold"] = row["right"]
        rows.append(row)
    for a in absent_questions(split):
        row = {"id": a["id"], "source": "absent", "kind": "absent", "query": a["query"]}
        row.update(attempt(engine, a["query"], _never))
        rows.append(row)
    # eval.answers' out-of-scope questions (its nonsense_found_rate, a gate figure): no right
    # answer either, and a fit that never saw them answered 「火星に移住する補助金はありますか」.
    for i, query in enumerate(NONSENSE[split]):
        row = {"id": f"nonsense-{split}-{i}", "source": "absent", "kind": "nonsense"}
        row.update(query=query, **attempt(engine, query, _never))
        rows.append(row)
    return rows


def _share(values: Sequence[bool]) -> float:
    return round(sum(values) / len(values), 3) if values else math.nan


def summary(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per group (answers-gold kind, team style, absent): n, right share, found share."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[f"{r['source']}:{r['kind']}"].append(r)
        if r["source"] == "answers":
            groups["answers:all"].append(r)
    out: dict[str, Any] = {}
    for name, rs in sorted(groups.items()):
        entry: dict[str, Any] = {
            "n": len(rs),
            "right": _share([r["right"] for r in rs]),
            "found": _share([r["found"] for r in rs]),
        }
        found = [r for r in rs if r["found"]]
        if name in ("team:citizen", "team:staff"):
            entry["precision"] = _share([r["right"] for r in found])
        if "no_match" in rs[0]:
            entry["no_match"] = _share([r["no_match"] for r in rs])
        if name == "team:list":
            entry["items"] = sum(r["items"] for r in rs)
        out[name] = entry
    two_part = [r for r in rows if r["source"] == "answers" and r.get("parts", 0) >= 2]
    if two_part:
        out["answers:two-part"] = {
            "n": len(two_part),
            "right": _share([r["right"] for r in two_part]),
        }
    return out


def reliability(
    rows: Sequence[dict[str, Any]], edges: Sequence[float] = (0.2, 0.4, 0.6, 0.8)
) -> list[dict[str, Any]]:
    """Given answers bucketed by confidence: how many, and the share right in each bucket."""
    given = [r for r in rows if r["found"]]
    bounds = [0.0, *edges, 1.0001]
    table = []
    for lo, hi in itertools.pairwise(bounds):
        rs = [r for r in given if lo <= r["confidence"] < hi]
        table.append(
            {
                "bucket": f"{lo:.1f}–{min(hi, 1.0):.1f}",
                "n": len(rs),
                "mean_confidence": round(sum(r["confidence"] for r in rs) / len(rs), 3)
                if rs
                else math.nan,
                "right": _share([r["right"] for r in rs]),
            }
        )
    return table


# -- fitting on dev -----------------------------------------------------------------------------


def fit_margin(rows: Sequence[dict[str, Any]], grid: Sequence[float] = MARGINS) -> float:
    """The agreement margin that makes the most answers right; ties go to the margin with the
    most fact answers right (answers gold and team detail: what the help desk reads aloud),
    then to the larger margin (the answer stays on card #1)."""

    def right(m: float, facts: bool = False) -> int:
        return sum(
            bool(r["right_best"] if r["gap"] >= m else r["right_top"])
            for r in rows
            if not facts or r["source"] == "answers" or r["kind"] == "detail"
        )

    return max(grid, key=lambda m: (right(m), right(m, facts=True), m))


# The two curves' features, in the order of ``_features`` (fact questions, open questions).
FEATURES: tuple[str, ...] = ("conf_per_score", "conf_per_relevance", "conf_per_margin")
FEATURES += ("conf_first_card", "conf_kind", "conf_per_card_gap")
OPEN_FEATURES = ("open_per_score", "open_per_relevance", "open_per_margin", "open_per_uncovered")
OPEN_FEATURES += ("open_per_lead", "open_yes_no_per_uncovered", "open_list")


# The precision the open threshold is fitted for on dev: held out (5-fold CV, --cv), the
# lowest threshold at 0.95 gave the held-out citizen/staff answers 0.939, at 0.97 0.950.
OPEN_PRECISION = 0.97
# At most this share of the absent-topic questions answered (the bound), for the
# open threshold's rule (``fit_open_threshold``).
MAX_ABSENT_ANSWERED = 0.03


def _features(r: dict[str, Any], center: float) -> list[float]:
    """A row's features for its curve: score, relevance (tenths above the centre, a scale like
    the others'), margin (±2), then first card, kind and card gap (fact questions), or the
    no_match log-odds, the lead over the next card (±2), that log-odds again for a yes/no
    question and list (open questions; a list reads neither margin nor lead: ``confidence``)."""
    listed = r["open"] and r.get("question_kind") == "list"  # reads no margin, no lead
    values = {
        "score": r["score"],
        "relevance": (r["relevance"] - center) * 10,
        "margin": 0.0 if listed else capped_lead(float(r.get("margin", 0.0))),
        "first_card": float(bool(r.get("first_card", False))),
        "kind": float(bool(r.get("kind_match", False))),
        "card_gap": float(r.get("card_gap", 0.0)),
        "uncovered": _uncovered(r) - DEFAULT_CONFIG.uncovered_center,
        "lead": 0.0 if listed else capped_lead(float(r.get("lead", 0.0))),
        "yes_no_uncovered": float(r.get("question_kind") == "yesno")
        * (_uncovered(r) - DEFAULT_CONFIG.uncovered_center),
        "list": float(r.get("question_kind") == "list"),
    }
    names = ["score", "relevance", "margin"]
    names += (
        ["uncovered", "lead", "yes_no_uncovered", "list"]
        if r["open"]
        else ["first_card", "kind", "card_gap"]
    )
    return [values[n] for n in names]


def _uncovered(r: dict[str, Any]) -> float:
    """A row's no_match log-odds as confidence reads it (capped; the centre when unmeasured)."""
    value = r.get("uncovered")
    ev = Evidence(score=0.0, relevance=0.0, uncovered=None if value is None else float(value))
    return _capped_uncovered(ev, DEFAULT_CONFIG)


def _fit_curve(
    rows: Sequence[dict[str, Any]], center: float, bias: str, names: Sequence[str]
) -> dict[str, float]:
    features = np.array([_features(r, center) for r in rows])
    labels = [int(bool(r.get("right_shown", False)) and not r["no_match"]) for r in rows]
    weights = fit_logistic(features, labels)
    out = {bias: round(float(weights[0]), 2)}
    for name, w in zip(names, weights[1:], strict=True):
        out[name] = round(float(w) * (10 if name.endswith("_per_relevance") else 1), 2)
    return out


def fit_confidence(rows: Sequence[dict[str, Any]], center: float) -> dict[str, float]:
    """The weights of both confidence curves by logistic regression of "the shown answer is
    right" (absent-topic questions and no_match: always wrong, never shown): conf_* on the
    fact questions, open_* on the open ones (yes/no, list, fact, method)."""
    facts = [r for r in rows if not r["open"]]
    opened = [r for r in rows if r["open"]]
    return {
        **_fit_curve(facts, center, "conf_bias", FEATURES),
        **_fit_curve(opened, center, "open_bias", OPEN_FEATURES),
    }


def _p(r: dict[str, Any], w: dict[str, float], center: float) -> float:
    """The confidence of a row with the weights ``w`` (the service's own formula)."""
    config: AnswerConfig = replace(DEFAULT_CONFIG, relevance_center=center, **w)  # type: ignore[arg-type]
    ev = Evidence(
        score=r["score"],
        relevance=r["relevance"],
        open_question=bool(r["open"]),
        margin=float(r.get("margin", 0.0)),
        first_card=bool(r.get("first_card", False)),
        kind_match=bool(r.get("kind_match", False)),
        card_gap=float(r.get("card_gap", 0.0)),
        uncovered=r.get("uncovered"),
        lead=float(r.get("lead", 0.0)),
        kind=str(r.get("question_kind", "")),
    )
    return confidence(ev, config)


def shown_rows(
    rows: Sequence[dict[str, Any]], weights: dict[str, float], center: float, t: float
) -> list[dict[str, Any]]:
    """The rows that would get an answer box: confidence ≥ t and no no_match."""
    return [
        r for r in rows if not r["no_match"] and r["score"] > -5.0 and _p(r, weights, center) >= t
    ]


def threshold_table(
    rows: Sequence[dict[str, Any]], weights: dict[str, float], center: float
) -> list[str]:
    """Per threshold: answered right / answerable, precision, absent answered (with ``weights``)."""
    lines = []
    answerable = sum(r["source"] != "absent" for r in rows)
    asked = [r for r in rows if r["kind"] in ("citizen", "staff")]
    for t in [x / 20 for x in range(6, 20)]:
        shown = shown_rows(rows, weights, center, t)
        right = sum(bool(r.get("right_shown")) for r in shown)
        absent = sum(r["source"] == "absent" for r in shown)
        cs = [r for r in shown if r["kind"] in ("citizen", "staff")]
        cs_right = sum(bool(r.get("right_shown")) for r in cs)
        lines.append(
            f"  t={t:.2f} right {right}/{answerable} precision {right / max(1, len(shown)):.3f} "
            f"absent answered {absent}; citizen/staff {cs_right}/{len(asked)} "
            f"precision {cs_right / max(1, len(cs)):.3f}"
        )
    return lines


def fit_threshold(
    rows: Sequence[dict[str, Any]],
    weights: dict[str, float],
    center: float,
    precision: float = 0.95,
) -> float:
    """The lowest threshold (step 0.01) whose shown answers are right at ``precision`` (an
    answered absent topic counts as a wrong answer) and that answers none of eval.answers'
    out-of-scope questions (its ``nonsense_found_rate``, a gate figure, is 0 on dev)."""
    for step in range(0, 100):
        t = step / 100
        shown = shown_rows(rows, weights, center, t)
        right = sum(bool(r.get("right_shown")) for r in shown)
        if any(r["kind"] == "nonsense" for r in shown):
            continue
        if shown and right / len(shown) >= precision:
            return t
    return 1.0


def fit_open_threshold(
    rows: Sequence[dict[str, Any]],
    weights: dict[str, float],
    center: float,
    precision: float = OPEN_PRECISION,
    absent: int | None = None,
) -> float:
    """The lowest threshold (step 0.01) at which the issue's bounds hold on ``rows``: the shown
    citizen/staff answers right at ``precision``, at most ``MAX_ABSENT_ANSWERED`` of the
    ``absent`` absent-topic questions answered (default: those among ``rows``; the split's
    all, less those the fact curve answers, when the caller knows them), and no out-of-scope
    question of eval.answers.

    ``fit_threshold``'s rule pools every shown open answer, and what held it up there was no
    citizen's question: the answers gold's open fact questions whose card #1 is another
    project (「がん検診で自己負担金が無料になるのはどんな人？」 0.94, gold at card #2) and two
    absent topics that pass no_match at 0.87 and 0.99, above any threshold. Those questions
    keep their confidence (the curve is the same); only the box's bound is the one asked."""
    allowed = MAX_ABSENT_ANSWERED * (
        sum(r["kind"] == "absent" for r in rows) if absent is None else absent
    )
    for step in range(0, 100):
        t = step / 100
        shown = shown_rows(rows, weights, center, t)
        if any(r["kind"] == "nonsense" for r in shown):
            continue
        asked = [r for r in shown if r["kind"] in ("citizen", "staff")]
        right = sum(bool(r.get("right_shown")) for r in asked)
        answered = sum(r["kind"] == "absent" for r in shown)
        if asked and right / len(asked) >= precision and answered <= allowed:
            return t
    return 1.0


def absent_answered(
    rows: Sequence[dict[str, Any]], weights: dict[str, float], center: float, t: float
) -> int:
    """How many absent-topic questions of ``rows`` get an answer at threshold ``t``."""
    shown = shown_rows(rows, weights, center, t)
    return sum(r["source"] == "absent" and r["kind"] != "nonsense" for r in shown)


def rescore(rows: Sequence[dict[str, Any]], config: AnswerConfig) -> list[dict[str, Any]]:
    """The rows as ``config`` would answer them, from the recorded features (no model run):
    the margin picks the best unit's or card #1's answer, the curve gives the confidence, the
    threshold decides found. Exact unless the margin moves the main unit (rows whose ``gap``
    lies between the old and the new margin: ``moved``)."""
    out = []
    for r in rows:
        names = ("conf_bias", *FEATURES, "open_bias", *OPEN_FEATURES)
        weights = {k: getattr(config, k) for k in names}
        conf = round(_p(r, weights, config.relevance_center), 4)
        margin = config.open_agree_margin if r["open"] else config.agree_margin
        shown = r["right_best"] if r["gap"] >= margin else r["right_top"]
        t = config.open_threshold if r["open"] else config.found_threshold
        found = conf >= t and r["score"] > -5.0 and not r["no_match"]
        out.append({**r, "confidence": conf, "found": found, "right": bool(found and shown)})
    return out


def fit_lines(rows: Sequence[dict[str, Any]], center: float) -> list[str]:
    """The fit of AnswerConfig on ``rows`` (dev): the agreement margins, the confidence weights
    and, for fact and for open questions, the threshold table and the lowest threshold with
    precision >= 0.95."""
    weights = fit_confidence(rows, center)
    facts = [r for r in rows if not r["open"]]
    opened = [r for r in rows if r["open"]]
    found_t = fit_threshold(facts, weights, center)
    pooled_t = fit_threshold(opened, weights, center, OPEN_PRECISION)
    absent = sum(r["kind"] == "absent" for r in rows)
    answered = absent_answered(facts, weights, center, found_t)
    open_t = fit_open_threshold(opened, weights, center, absent=absent - answered)
    answered += absent_answered(opened, weights, center, open_t)
    # the stored weights (AnswerConfig), which a refit does not replace unless it is better
    names = ("conf_bias", *FEATURES, "open_bias", *OPEN_FEATURES)
    stored = {k: getattr(DEFAULT_CONFIG, k) for k in names}
    by_facts = absent_answered(facts, stored, center, DEFAULT_CONFIG.found_threshold)
    stored_t = fit_open_threshold(opened, stored, center, absent=absent - by_facts)
    return [
        f"fitted agree_margin: {fit_margin(facts)}",
        f"fitted open_agree_margin: {fit_margin(opened)}",
        f"fitted confidence: {weights}",
        "fact questions (value, date, reason, place, department, status):",
        *threshold_table(facts, weights, center),
        f"found_threshold (precision >= 0.95): {found_t}",
        "open questions (yes/no, list, fact, method):",
        *threshold_table(opened, weights, center),
        f"open threshold, every shown open answer at precision >= {OPEN_PRECISION}: {pooled_t}",
        f"open_threshold (citizen/staff at precision >= {OPEN_PRECISION}, absent topics "
        f"answered <= {MAX_ABSENT_ANSWERED}): {open_t}",
        f"absent topics answered at both thresholds: {answered} of {absent}",
        f"stored weights: open_threshold by the same rule {stored_t}, absent topics answered "
        f"{by_facts + absent_answered(opened, stored, center, stored_t)} of {absent}",
    ]


def cross_validate(
    rows: Sequence[dict[str, Any]],
    center: float,
    precision: float = OPEN_PRECISION,
    folds: int = 5,
    seeds: int = 5,
    rule: Callable[..., float] = fit_threshold,
) -> dict[str, float]:
    """The open-question curve fitted and thresholded (``rule``) on ``folds`` - 1
    folds of ``rows`` and applied to the held-out one, ``seeds`` shuffles: per shuffle, the
    held-out citizen/staff questions answered right, their precision, the absent-topic and
    out-of-scope questions answered, and the precision of every shown open answer."""
    opened = [r for r in rows if r["open"]]
    totals: dict[str, float] = defaultdict(float)
    for seed in range(seeds):
        order = np.random.default_rng(seed).permutation(len(opened))
        fold = np.empty(len(opened), dtype=int)
        fold[order] = np.arange(len(opened)) % folds
        for k in range(folds):
            train = [r for r, f in zip(opened, fold, strict=True) if f != k]
            held = [r for r, f in zip(opened, fold, strict=True) if f == k]
            weights = _fit_curve(train, center, "open_bias", OPEN_FEATURES)
            shown = shown_rows(held, weights, center, rule(train, weights, center, precision))
            asked = [r for r in shown if r["kind"] in ("citizen", "staff")]
            totals["citizen/staff right"] += sum(bool(r.get("right_shown")) for r in asked)
            totals["citizen/staff shown"] += len(asked)
            totals["absent answered"] += sum(r["kind"] == "absent" for r in shown)
            totals["nonsense answered"] += sum(r["kind"] == "nonsense" for r in shown)
            totals["right"] += sum(bool(r.get("right_shown")) for r in shown)
            totals["shown"] += len(shown)
    out = {k: round(v / seeds, 1) for k, v in totals.items()}
    out["citizen/staff"] = sum(r["kind"] in ("citizen", "staff") for r in opened)
    out["citizen/staff precision"] = round(
        totals["citizen/staff right"] / max(1, totals["citizen/staff shown"]), 3
    )
    out["precision"] = round(totals["right"] / max(1, totals["shown"]), 3)
    return out


def cv_lines(rows: Sequence[dict[str, Any]], center: float) -> list[str]:
    """Held-out figures of the open curve with every feature, without the search's no_match
    log-odds, and without the lead over the next card and the question's kind (a row without
    a feature reads a constant: a zero column, which the L2 fit gives no weight), the
    threshold fitted for precision 0.95 and for OPEN_PRECISION."""
    variants = (
        ("with every feature", rows),
        ("without uncovered", [{**r, "uncovered": None} for r in rows]),
        ("without lead and kind", [{**r, "lead": 0.0, "question_kind": ""} for r in rows]),
    )
    lines = [
        f"5-fold CV, open curve {name}, precision {p}: {cross_validate(rs, center, p)}"
        for p in sorted({0.95, OPEN_PRECISION})
        for name, rs in variants
    ]
    held = cross_validate(rows, center, rule=fit_open_threshold, seeds=10)
    lines.append(f"5-fold CV x 10, open curve, the issue's bounds (fit_open_threshold): {held}")
    return lines


def cause(r: dict[str, Any]) -> str:
    """Why a citizen/staff question got no right answer: withheld by no_match, withheld under
    the threshold though card #1 is a gold project (the confidence), another project answered
    or would have (a gold one at card k: the choice among the cards), or no gold project among
    the cards (retrieval)."""
    card = r.get("gold_card")
    if card is None:
        return "no gold project among the cards"
    if r["no_match"]:
        return f"no_match (gold at card {card})"
    if not r["found"] and r.get("right_shown"):
        return "withheld under the threshold, card #1's answer right"
    how = "answered" if r["found"] else "first, withheld"
    return f"another project {how} (gold at card {card})"


def cause_lines(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The citizen/staff questions without a right answer, grouped by ``cause``."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["kind"] in ("citizen", "staff") and not r["right"]:
            groups[cause(r)].append(r)
    lines = []
    for name, rs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"{len(rs):>3}  {name}")
        lines += [f"       {r['id']:<14} {r['confidence']:.2f} {r['query'][:40]}" for r in rs]
    return lines


def _print(rows: Sequence[dict[str, Any]]) -> None:
    for name, entry in summary(rows).items():
        print(f"{name:<22} {json.dumps(entry, ensure_ascii=False)}")
    for line in reliability(rows):
        print("reliability", json.dumps(line, ensure_ascii=False))


def main(argv: Sequence[str] | None = None) -> None:
    """Print the per-kind table and the reliability table of one split."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--json", type=Path, help="write every row here")
    parser.add_argument("--fit", action="store_true", help="fit margin and confidence")
    parser.add_argument("--cv", action="store_true", help="5-fold CV of the open curve")
    parser.add_argument("--causes", action="store_true", help="why citizen/staff questions miss")
    parser.add_argument(
        "--rescore", type=Path, help="rows of an earlier --json run, scored with today's config"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print the wrong answers")
    args = parser.parse_args(argv)
    if args.rescore:
        rows = rescore(json.loads(args.rescore.read_text(encoding="utf-8")), DEFAULT_CONFIG)
        _print(rows)
        return
    from eval.answers import open_real_engine

    engine = open_real_engine()
    engine.answer("ウォームアップ", SearchFilters(), TOP_K)
    rows = rows_for(engine, args.split)
    _print(rows)
    if args.fit:
        print("\n".join(fit_lines(rows, engine.answerer.config.relevance_center)))
    if args.cv:
        print("\n".join(cv_lines(rows, engine.answerer.config.relevance_center)))
    if args.causes:
        print("\n".join(cause_lines(rows)))
    if args.verbose:
        for r in rows:
            wrong = r["found"] if r["source"] == "absent" else not r["right"]
            if wrong:
                text = r["text"].replace("\n", " ⏎ ")[:140]
                head = f"{r['id']:<14} {r['kind']:<10} {r['confidence']:.2f}"
                print(f"  -- {head} {r['query'][:40]} :: {text}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
