"""The ``plansearch`` command: index, serve, search, projects."""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any, cast

import typer
from pydantic import ValidationError

from indexer.embedding import EmbedderError, make_embedder
from indexer.errors import PlansearchError
from indexer.files import JsonLine, json_lines
from indexer.settings import Settings
from indexer.store import IndexMissingError, IndexStoreError
from service import cli_documents
from service.filters import SearchFilters
from service.limits import DEFAULT_ANSWER_TOP_K, DEFAULT_TOP_K, MAX_ANSWER_TOP_K, MAX_TOP_K
from service.schemas import FilterParams, Hit, SearchMode
from service.search import QuestionOutcome, SearchEngine, SearchInputError, open_engine

app = typer.Typer(
    help="Search Japanese municipal plan documents. Settings: PLANSEARCH_* variables (README).",
    no_args_is_help=True,
    add_completion=False,
)


Result = dict[str, Any]
Run = Callable[[str], Result]  # one question's result, as printed in JSON
Show = Callable[[Result], None]  # prints a result for people
Ask = Callable[..., Result]  # (question, Scope, **a command's own options) → its result


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"plansearch: {message}", err=True)
    return typer.Exit(code)


def _engine(settings: Settings) -> SearchEngine:
    try:
        return open_engine(settings)
    except PlansearchError as exc:
        raise _fail(str(exc)) from exc


@app.command()
def index(
    doc_id: Annotated[list[str] | None, typer.Option(help="only these documents")] = None,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            metavar="ADDRESS",
            help="parse, chunk and embed across the Ray cluster at ADDRESS (local: start one "
            "here) and write one part per PLANSEARCH_SHARDS shard; needs the [scale] extra",
        ),
    ] = None,
) -> None:
    """Build (or refresh) the index; unchanged chunks reuse cached embeddings."""
    settings = Settings()
    try:
        if ray is not None:
            from indexer.distributed import build_distributed

            report = build_distributed(settings, ray, doc_ids=doc_id, progress=not quiet)
        else:
            embedder = make_embedder(settings)
            from indexer.build import build_index

            report = build_index(settings, embedder, doc_ids=doc_id, progress=not quiet)
    except (PlansearchError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    typer.echo(
        f"indexed {report.records} records as {report.chunks} chunks "
        f"({report.embedded} embedded, the rest cached) in {report.seconds:.1f}s "
        f"→ {report.index_dir}"
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="default: PLANSEARCH_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default: PLANSEARCH_PORT")] = None,
    build: Annotated[bool, typer.Option(help="build the index first when missing")] = True,
) -> None:
    """Serve the API and the search page (builds the index first when it is missing)."""
    import uvicorn

    from service.api import create_app
    from service.api.main import server_options

    settings = Settings()
    try:
        engine = open_engine(settings)
    except IndexMissingError:
        if not (build and settings.build_if_missing):
            raise _fail(f"no index at {settings.index_dir}; run `plansearch index`") from None
        typer.echo("no index yet: building it first (about 7 minutes on 2 cores)", err=True)
        index(doc_id=None, quiet=False)
        engine = _engine(settings)
    except (IndexStoreError, EmbedderError) as exc:
        raise _fail(str(exc)) from exc
    uvicorn.run(
        create_app(settings, engine),
        host=host or settings.host,
        port=port or settings.port,
        **server_options(),
    )


def _print_hits(hits: list[Hit]) -> None:
    for h in hits:
        number = f"{h.project_id} {h.project_name}" if h.project_id else " › ".join(h.section_path)
        typer.echo(f"{h.rank:>3}. [{h.score:.4f}] {h.doc_id} | {number} | {h.department or '-'}")
        typer.echo(f"     {h.field}: {h.text[:120].replace(chr(10), ' ')}")


def _print_projects(result: Result) -> None:
    for p in result["projects"]:
        typer.echo(
            f"{p['rank']:>3}. {p['doc_id']} | {p['project_id']} {p['project_name']} | "
            f"{p['department'] or '-'}"
        )


def _print_answer(result: Result) -> None:
    a = result["answer"]
    if a["found"]:
        c = a["citation"]
        typer.echo(
            f"{a['text']}\n  — {c['doc_title']} {c['project_id'] or ''} "
            f"{c['project_name'] or ''} 【{c['field']}】 (confidence {a['confidence']:.2f})"
        )
    else:
        typer.echo(f"該当する記述が見つかりませんでした (confidence {a['confidence']:.2f})")
    _print_projects(result)


def _filters(engine: SearchEngine, options: dict[str, Any]) -> SearchFilters:
    """The filter options, read and checked as the API reads its filter parameters."""
    try:
        return FilterParams(**options).search_filters(engine)
    except ValidationError as exc:
        problems = [f"--{str(e['loc'][0]).replace('_', '-')}: {e['msg']}" for e in exc.errors()]
        raise _fail("; ".join(problems)) from exc
    except PlansearchError as exc:
        raise _fail(str(exc)) from exc


BATCH_HELP = (
    'JSON Lines, each with an "id" and a string "query": one JSON line out per line. A line '
    'that is not JSON or lacks them gets {"error", "line"} (and its "id") and the rest go on: '
    "exit code 0 once the file is read"
)
_NEEDS_ID_AND_QUERY = 'each line needs an "id" and a string "query"'


def _batch_line(line: JsonLine, run: Run) -> Result:
    """What one line of a batch file prints: ``{"id", "query", **run(query)}`` or an error."""
    row = line.row
    problem = line.problem
    if not problem and ("id" not in row or not isinstance(row.get("query"), str)):
        problem = _NEEDS_ID_AND_QUERY
    if problem:
        known = {"id": row["id"]} if "id" in row else {}
        return {**known, "error": problem, "line": line.number}
    try:
        body = run(row["query"])
    except SearchInputError as exc:
        body = {"error": str(exc)}
    return {"id": row["id"], "query": row["query"], **body}


def _run_batch(path: Path, run: Run) -> None:
    """One JSON line per non-blank line of ``path``; a bad line or question does not stop it."""
    if not path.is_file():
        raise _fail(f"batch file not found: {path}")
    try:
        for line in json_lines(path):
            sys.stdout.write(json.dumps(_batch_line(line, run), ensure_ascii=False) + "\n")
    except UnicodeDecodeError as exc:
        raise _fail(f"{path}: not UTF-8 text ({exc.reason})") from exc


def _ask(query: str | None, batch: Path | None, as_json: bool, run: Run, show: Show) -> None:
    """Answer one question (shown, or printed as JSON) or every line of a batch file."""
    if batch is not None:
        _run_batch(batch, run)
        return
    try:
        result = run(query or "")
    except SearchInputError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps({"query": query, **result}, ensure_ascii=False, indent=2))
    else:
        show(result)


def _param(name: str, annotation: Any, default: Any = None) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def _filter_option(name: str) -> inspect.Parameter:
    """The option of filter ``name``, with the description of the API's filter parameter."""
    kind = FilterParams.model_fields[name].annotation
    return _param(name, Annotated[kind, typer.Option(help=FilterParams.describe(name))])


# What every question command takes besides its own options: the question (or --batch), the
# filters of the API (FilterParams) and --json.
_QUERY = _param("query", Annotated[str | None, typer.Argument(help="the question")])
_SHARED = [
    *(_filter_option(name) for name in FilterParams.model_fields),
    _param("batch", Annotated[Path | None, typer.Option(help=BATCH_HELP)]),
    _param("as_json", Annotated[bool, typer.Option("--json", help="JSON output")], False),
]


@dataclass(frozen=True)
class Scope:
    """What a question command asks: the engine, and the filters its options set."""

    engine: SearchEngine
    filters: SearchFilters


def _question_command(name: str, show: Show) -> Callable[[Ask], Ask]:
    """Register ``ask(question, scope, **own options)`` as the command ``name``.

    The command takes the question, then the options of ``ask`` (after its scope), then the
    filters, --batch and --json; its help is the docstring of ``ask``.
    """

    def register(ask: Ask) -> Ask:
        own = list(inspect.signature(ask, eval_str=True).parameters.values())[2:]

        def command(query: str | None, batch: Path | None, as_json: bool, **options: Any) -> None:
            filter_options = {f: options.pop(f) for f in FilterParams.model_fields}
            if (query is None) == (batch is None):
                raise _fail("give either a question or --batch FILE")
            engine = _engine(Settings())
            scope = Scope(engine, _filters(engine, filter_options))
            _ask(query, batch, as_json, partial(ask, at=scope, **options), show)

        keyword = inspect.Parameter.KEYWORD_ONLY
        signature = inspect.Signature([_QUERY, *(p.replace(kind=keyword) for p in own), *_SHARED])
        command.__signature__ = signature  # type: ignore[attr-defined]
        command.__doc__ = ask.__doc__
        app.command(name)(command)
        return ask

    return register


def _partial(found: QuestionOutcome) -> Result:
    """``partial`` and ``missing_shards`` when a shard of a sharded index did not answer
    (PLANSEARCH_SHARDS > 1); nothing otherwise, so in-process output is unchanged."""
    if not found.partial:
        return {}
    return {"partial": True, "missing_shards": list(found.missing_shards)}


TopKOpt = Annotated[int, typer.Option("--top-k", "-k", min=1, max=MAX_TOP_K)]
AnswerTopKOpt = Annotated[int, typer.Option("--top-k", "-k", min=1, max=MAX_ANSWER_TOP_K)]
ModeOpt = Annotated[str, typer.Option(help="hybrid, dense or lexical")]


@_question_command("search", show=lambda r: _print_hits([Hit(**h) for h in r["results"]]))
def search(q: str, at: Scope, top_k: TopKOpt = DEFAULT_TOP_K, mode: ModeOpt = "hybrid") -> Result:
    """Ranked passages for a question, or for every line of a --batch file."""
    # The engine refuses an unknown mode with a message.
    found = at.engine.search_full(q, top_k, at.filters, cast(SearchMode, mode))
    hits = [h.model_dump() for h in found.hits]
    return {"results": hits, "no_match": found.no_match, **_partial(found)}


@_question_command("projects-for", show=_print_projects)
def projects_for(q: str, at: Scope, top_k: TopKOpt = DEFAULT_TOP_K) -> Result:
    """Projects (not passages) that address a question, each with its best passages."""
    found = at.engine.search_projects_full(q, top_k, at.filters)
    projects = [p.model_dump() for p in found.projects]
    return {"projects": projects, "no_match": found.no_match, **_partial(found)}


@_question_command("answer", show=_print_answer)
def answer(q: str, at: Scope, top_k: AnswerTopKOpt = DEFAULT_ANSWER_TOP_K) -> Result:
    """The sentence or row that answers a question, with its citation and closest projects."""
    found = at.engine.answer(q, at.filters, top_k)
    return {
        "answer": found.answer.model_dump(),
        "projects": [p.model_dump() for p in found.projects],
        "no_match": found.no_match,
        **_partial(found),
    }


@app.command()
def projects(
    doc_id: Annotated[list[str] | None, typer.Option(help="only these documents")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """List the parsed projects (printed numbers, names, departments); needs no index."""
    from indexer.build import parse_corpus

    try:
        parsed = parse_corpus(Settings().corpus_dir, doc_id)
    except (PlansearchError, ValueError, OSError) as exc:
        raise _fail(str(exc)) from exc
    records = [r for p in parsed for r in p.records if r.kind == "project"]
    if not as_json:
        for r in records:
            typer.echo(f"{r.doc_id}\t{r.project_id}\t{r.project_name}\t{r.department or '-'}")
        return
    counts = {
        p.doc.doc_id: {
            "projects": sum(1 for r in p.records if r.kind == "project"),
            "project_numbers": len({r.project_id for r in p.records if r.kind == "project"}),
        }
        for p in parsed
    }
    rows = [
        {
            "doc_id": r.doc_id,
            "project_id": r.project_id,
            "project_key": r.project_key,
            "project_name": r.project_name,
            "department": r.department,
            "section_path": list(r.section_path),
        }
        for r in records
    ]
    typer.echo(json.dumps({"counts": counts, "projects": rows}, ensure_ascii=False, indent=2))


cli_documents.register(app)  # add, remove


def main() -> None:
    """The console script: any plansearch error left unhandled is one line, not a traceback."""
    try:
        app()
    except PlansearchError as exc:
        typer.echo(f"plansearch: {exc}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
