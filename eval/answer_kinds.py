"""Answers per question kind, as ``/answer`` gives them (``SearchEngine.answer``).

Four gold sources, each judged the way a help-desk operator would read the answer box:

- ``eval/gold/answers-{dev,test}.jsonl`` (written from the documents): a question of one kind
  (value, date, reason, place, department, status, yesno …) with the ``parts`` the answer text
  must hold — every one of them (NFKC, blanks removed); a yes/no answer must also begin with
  「はい」 and cite the project;
- the team's ``detail`` questions (dev/test.jsonl): the text holds the ``answer_hint``;
- the team's ``citizen``/``staff`` questions: answered, and the first citation is a gold project
  (share of all, and precision among the answered);
- the team's ``list`` questions: the answer lists items, and how many of them are gold;
- the absent-topic questions (absent.jsonl): answered at all (lower is better), no_match.

    python -m eval.answer_kinds --split dev       # per-kind table, reliability table
    python -m eval.answer_kinds --split test --json var/answer-kinds-test.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from eval.answers import AnswerGold, load_answer_gold
from eval.gold import GOLD_DIR, GoldQuestion, Label, load_gold
from eval.nomatch import absent_questions
from indexer.textclean import nfkc
from service.filters import SearchFilters
from service.schemas import AnswerOut
from service.search import SearchEngine

TOP_K = 10  # the projects listed beside the answer, as the page asks for


def squash(text: str) -> str:
    """NFKC without blanks: 「150 人」 and 「150人」 compare equal."""
    return "".join(nfkc(text).split())


def holds(text: str, parts: Iterable[str]) -> bool:
    """Every part occurs in ``text`` (squashed)."""
    flat = squash(text)
    return all(squash(p) in flat for p in parts)


def _cites(labels: Sequence[Label], out: AnswerOut) -> bool:
    gold = {(label.doc, label.project) for label in labels}
    return any((c.doc_id, c.project_key) in gold for c in out.citations)


def _first_cites(labels: Sequence[Label], out: AnswerOut) -> bool:
    gold = {(label.doc, label.project) for label in labels}
    c = out.citation
    return c is not None and (c.doc_id, c.project_key) in gold


def judge_kind(gold: AnswerGold, out: AnswerOut) -> bool:
    """Right answer to an answers-gold question."""
    if not out.found:
        return False
    if gold.kind == "yesno":
        return out.text.startswith("はい") and _cites(gold.relevant, out)
    return holds(out.text, [p for p in gold.parts if p != "はい"]) and _cites(gold.relevant, out)


def _timed(engine: SearchEngine, query: str) -> tuple[Any, float]:
    start = time.perf_counter()
    outcome = engine.answer(query, SearchFilters(), TOP_K)
    return outcome, time.perf_counter() - start


def rows_for(engine: SearchEngine, split: str) -> list[dict[str, Any]]:
    """One row per question of every gold source of ``split``."""
    rows: list[dict[str, Any]] = []
    for g in load_answer_gold(GOLD_DIR / f"answers-{split}.jsonl"):
        outcome, seconds = _timed(engine, g.query)
        out = outcome.answer
        row = _row(g.id, "answers", g.kind, g.query, out, judge_kind(g, out), seconds)
        row["parts"] = len([p for p in g.parts if p != "はい"])
        rows.append(row)
    team: list[GoldQuestion] = load_gold(GOLD_DIR / f"{split}.jsonl")
    for q in team:
        outcome, seconds = _timed(engine, q.query)
        out = outcome.answer
        row = _row(q.id, "team", q.style, q.query, out, False, seconds)
        if q.style == "detail":
            row["right"] = out.found and holds(out.text, [q.answer_hint])
        elif q.style == "list":
            gold = {(label.doc, label.project) for label in q.relevant}
            listed = [(i.doc_id, i.project_key) in gold for i in out.items]
            row["items"] = len(listed)
            row["items_gold"] = sum(listed)
            row["right"] = bool(listed) and sum(listed) >= 1
        else:
            row["right"] = out.found and _first_cites(q.relevant, out)
        row["no_match"] = outcome.no_match
        rows.append(row)
    for a in absent_questions(split):
        outcome, seconds = _timed(engine, a["query"])
        row = _row(a["id"], "absent", "absent", a["query"], outcome.answer, False, seconds)
        row["no_match"] = outcome.no_match
        rows.append(row)
    return rows


def _row(
    qid: str, source: str, kind: str, query: str, out: AnswerOut, right: bool, seconds: float
) -> dict[str, Any]:
    return {
        "id": qid,
        "source": source,
        "kind": kind,
        "query": query,
        "answer_kind": out.kind,
        "found": out.found,
        "confidence": out.confidence,
        "right": bool(right),
        "text": out.text,
        "cited": [c.project_key for c in out.citations],
        "seconds": round(seconds, 4),
    }


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
            entry["items_gold"] = sum(r["items_gold"] for r in rs)
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


def main(argv: Sequence[str] | None = None) -> None:
    """Print the per-kind table and the reliability table of one split."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--json", type=Path, help="write every row here")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the wrong answers")
    args = parser.parse_args(argv)
    from eval.answers import open_real_engine

    engine = open_real_engine()
    engine.answer("ウォームアップ", SearchFilters(), TOP_K)
    rows = rows_for(engine, args.split)
    for name, entry in summary(rows).items():
        print(f"{name:<22} {json.dumps(entry, ensure_ascii=False)}")
    for line in reliability(rows):
        print("reliability", json.dumps(line, ensure_ascii=False))
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
