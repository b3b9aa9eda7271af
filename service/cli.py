"""The ``plansearch`` command: index, serve, search, projects."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from indexer.embedding import EmbedderError, make_embedder
from indexer.errors import PlansearchError
from indexer.settings import Settings
from indexer.store import IndexMissingError, IndexStoreError
from service.filters import SearchFilters
from service.limits import DEFAULT_ANSWER_TOP_K, DEFAULT_TOP_K, MAX_ANSWER_TOP_K, MAX_TOP_K
from service.schemas import FilterParams, Hit, SearchMode
from service.search import SearchEngine, SearchInputError, open_engine

app = typer.Typer(
    help="Search Japanese municipal plan documents. Settings: PLANSEARCH_* variables (README).",
    no_args_is_help=True,
    add_completion=False,
)


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
) -> None:
    """Build (or refresh) the index; unchanged chunks reuse cached embeddings."""
    settings = Settings()
    try:
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

    settings = Settings()
    try:
        engine = open_engine(settings)
    except IndexMissingError:
        if not (build and settings.build_if_missing):
            raise _fail(f"no index at {settings.index_dir}; run `plansearch index`") from None
        typer.echo("no index yet: building it first (about 10 minutes on 2 cores)", err=True)
        index(doc_id=None, quiet=False)
        engine = _engine(settings)
    except (IndexStoreError, EmbedderError) as exc:
        raise _fail(str(exc)) from exc
    uvicorn.run(
        create_app(settings, engine), host=host or settings.host, port=port or settings.port
    )


def _read_batch(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise _fail(f"batch file not found: {path}")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _fail(f"{path}:{n}: not JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or "id" not in row or not isinstance(row.get("query"), str):
            raise _fail(f'{path}:{n}: each line needs an "id" and a string "query"')
        rows.append(row)
    return rows


def _print_hits(hits: list[Hit]) -> None:
    for h in hits:
        number = f"{h.project_id} {h.project_name}" if h.project_id else " › ".join(h.section_path)
        typer.echo(f"{h.rank:>3}. [{h.score:.4f}] {h.doc_id} | {number} | {h.department or '-'}")
        typer.echo(f"     {h.field}: {h.text[:120].replace(chr(10), ' ')}")


def _filters(
    engine: SearchEngine,
    doc_id: list[str] | None,
    city: list[str] | None,
    department: list[str] | None,
    section: list[str] | None,
    year: list[str] | None,
    project: str | None,
) -> SearchFilters:
    """The filter options, read and checked as the API reads its filter parameters."""
    try:
        params = FilterParams(
            doc_id=doc_id,
            city=city,
            department=department,
            section=section,
            year=year,
            project=project,
        )
        return params.search_filters(engine)
    except ValidationError as exc:
        problems = [f"--{str(e['loc'][0]).replace('_', '-')}: {e['msg']}" for e in exc.errors()]
        raise _fail("; ".join(problems)) from exc
    except PlansearchError as exc:
        raise _fail(str(exc)) from exc


def _need_one(query: str | None, batch: Path | None) -> None:
    if (query is None) == (batch is None):
        raise _fail("give either a question or --batch FILE")


Result = dict[str, Any]


def _ask(
    query: str | None,
    batch: Path | None,
    as_json: bool,
    run: Callable[[str], Result],
    show: Callable[[Result], None],
) -> None:
    """Answer one question (shown, or printed as JSON) or every line of a batch file.

    A batch prints one JSON line per input line, ``{"id", "query", **run(query)}``; a line
    whose question is refused gets ``{"error": …}`` and the batch goes on.
    """
    if batch is not None:
        for row in _read_batch(batch):
            try:
                body = run(row["query"])
            except SearchInputError as exc:
                body = {"error": str(exc)}
            out = {"id": row["id"], "query": row["query"], **body}
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return
    try:
        result = run(query or "")
    except SearchInputError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps({"query": query, **result}, ensure_ascii=False, indent=2))
    else:
        show(result)


# The filter options carry the descriptions of the API's filter parameters (FilterParams).
DocOpt = Annotated[list[str] | None, typer.Option(help=FilterParams.describe("doc_id"))]
CityOpt = Annotated[list[str] | None, typer.Option(help=FilterParams.describe("city"))]
DeptOpt = Annotated[list[str] | None, typer.Option(help=FilterParams.describe("department"))]
SectionOpt = Annotated[list[str] | None, typer.Option(help=FilterParams.describe("section"))]
YearOpt = Annotated[list[str] | None, typer.Option(help=FilterParams.describe("year"))]
ProjectOpt = Annotated[str | None, typer.Option(help=FilterParams.describe("project"))]
BatchOpt = Annotated[Path | None, typer.Option(help="JSON Lines with id and query")]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON output")]
TopKOpt = Annotated[int, typer.Option("--top-k", "-k", min=1, max=MAX_TOP_K)]
AnswerTopKOpt = Annotated[int, typer.Option("--top-k", "-k", min=1, max=MAX_ANSWER_TOP_K)]


@app.command()
def search(
    query: Annotated[str | None, typer.Argument(help="the question")] = None,
    top_k: TopKOpt = DEFAULT_TOP_K,
    doc_id: DocOpt = None,
    city: CityOpt = None,
    department: DeptOpt = None,
    section: SectionOpt = None,
    year: YearOpt = None,
    project: ProjectOpt = None,
    mode: Annotated[str, typer.Option(help="hybrid, dense or lexical")] = "hybrid",
    batch: BatchOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ranked passages for a question, or for every line of a --batch file."""
    _need_one(query, batch)
    engine = _engine(Settings())
    filters = _filters(engine, doc_id, city, department, section, year, project)
    the_mode: SearchMode = mode  # type: ignore[assignment]  # validated by the engine

    def run(q: str) -> Result:
        hits = engine.search(q, top_k, mode=the_mode, filters=filters)
        return {"results": [h.model_dump() for h in hits]}

    _ask(query, batch, as_json, run, lambda r: _print_hits([Hit(**h) for h in r["results"]]))


@app.command("projects-for")
def projects_for(
    query: Annotated[str | None, typer.Argument(help="the question")] = None,
    top_k: TopKOpt = DEFAULT_TOP_K,
    doc_id: DocOpt = None,
    city: CityOpt = None,
    department: DeptOpt = None,
    section: SectionOpt = None,
    year: YearOpt = None,
    project: ProjectOpt = None,
    batch: BatchOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Projects (not passages) that address a question, each with its best passages."""
    _need_one(query, batch)
    engine = _engine(Settings())
    filters = _filters(engine, doc_id, city, department, section, year, project)

    def run(q: str) -> Result:
        found = engine.search_projects(q, top_k, filters)[0]
        return {"projects": [p.model_dump() for p in found]}

    _ask(query, batch, as_json, run, _print_projects)


def _print_projects(result: Result) -> None:
    for p in result["projects"]:
        typer.echo(
            f"{p['rank']:>3}. {p['doc_id']} | {p['project_id']} {p['project_name']} | "
            f"{p['department'] or '-'}"
        )


@app.command()
def answer(
    query: Annotated[str | None, typer.Argument(help="the question")] = None,
    top_k: AnswerTopKOpt = DEFAULT_ANSWER_TOP_K,
    doc_id: DocOpt = None,
    city: CityOpt = None,
    department: DeptOpt = None,
    section: SectionOpt = None,
    year: YearOpt = None,
    project: ProjectOpt = None,
    batch: BatchOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The sentence or row that answers a question, with its citation and closest projects."""
    _need_one(query, batch)
    engine = _engine(Settings())
    filters = _filters(engine, doc_id, city, department, section, year, project)

    def run(q: str) -> Result:
        found, projects = engine.answer(q, filters, top_k)
        return {"answer": found.model_dump(), "projects": [p.model_dump() for p in projects]}

    _ask(query, batch, as_json, run, _print_answer)


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


def main() -> None:
    """The console script: any plansearch error left unhandled is one line, not a traceback."""
    try:
        app()
    except PlansearchError as exc:
        typer.echo(f"plansearch: {exc}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
