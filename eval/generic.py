"""``plansearch-eval generic``: the layout-independent parser measured against each document's
own parser, and retrieval on a gold split with generic records against today's.

Agreement: for each document, the projects the generic parser finds against those of the
document's parser, as sets of (printed number, name) — for the action plan, whose records
repeat a 方針 under several 重点プロジェクト, as sets of printed 方針 codes. Names are compared
after NFKC and without white space (the converted texts space names differently from page to
page). Recall is the share of the own parser's projects the generic parser finds, precision
the share of the generic parser's projects the own parser has. Departments and field names
are compared on the projects whose number both find.

Retrieval: the five documents copied into a scratch corpus with ``layout: generic``, indexed
with the same model and cache as the real index, and both indexes evaluated in one run.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from eval.gold import GOLD_DIR
from indexer.corpus import load_documents, read_text
from indexer.parsing import GENERIC, layout_of, parser_for
from indexer.records import DocumentInfo, Project
from indexer.settings import PROJECT_ROOT, Settings

# Documents whose projects are compared by printed number only (see the module docstring).
BY_NUMBER = {"action_plan"}
_SPACE = re.compile(r"\s+")


def _norm(text: str | None) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def _projects(parse: Callable[[str, DocumentInfo], list[Project]], text: str, doc: DocumentInfo):
    return [r for r in parse(text, doc) if r.kind == "project"]


def agreement_of(text: str, doc: DocumentInfo) -> dict[str, Any]:
    """How the generic parser's projects of one document agree with its own parser's."""
    layout = layout_of(doc)
    own = _projects(parser_for(layout), text, doc)
    generic = _projects(parser_for(GENERIC), text, doc)

    def key(r: Project) -> object:
        return r.project_id if layout in BY_NUMBER else (r.project_id, _norm(r.project_name))

    mine, theirs = {key(r) for r in own}, {key(r) for r in generic}
    found = mine & theirs
    by_number = {r.project_id: r for r in generic}
    matched = [(r, by_number[r.project_id]) for r in own if r.project_id in by_number]
    same_department = sum(_norm(a.department) == _norm(b.department) for a, b in matched)
    overlap = [
        len({f.name for f in a.fields} & {f.name for f in b.fields})
        / max(1, len({f.name for f in a.fields} | {f.name for f in b.fields}))
        for a, b in matched
    ]
    return {
        "doc_id": doc.doc_id,
        "layout": layout,
        "compared": "printed number" if layout in BY_NUMBER else "(printed number, name)",
        "own": len(mine),
        "generic": len(theirs),
        "recall": round(len(found) / max(1, len(mine)), 4),
        "precision": round(len(found) / max(1, len(theirs)), 4),
        "department_agreement": round(same_department / max(1, len(matched)), 4),
        "field_name_jaccard": round(sum(overlap) / max(1, len(overlap)), 4),
        "missed": sorted(map(str, mine - theirs))[:10],
        "extra": sorted(map(str, theirs - mine))[:10],
    }


def agreement(corpus_dir: Path) -> list[dict[str, Any]]:
    """``agreement_of`` for every document of the corpus."""
    return [agreement_of(read_text(corpus_dir, d), d) for d in load_documents(corpus_dir)]


def generic_corpus(source: Path, target: Path) -> Path:
    """A copy of the corpus at ``target`` whose every document is read with ``generic``."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    manifest = target / "documents.json"
    listed = json.loads(manifest.read_text(encoding="utf-8"))
    for entry in listed["documents"]:
        entry["layout"] = GENERIC
    manifest.write_text(json.dumps(listed, ensure_ascii=False, indent=2), encoding="utf-8")
    return target


def retrieval(settings: Settings, gold: Path, work: Path) -> dict[str, Any]:
    """Hybrid metrics on ``gold`` with today's records and with generic records, one run."""
    from eval.harness import evaluate_mode
    from indexer.build import build_index
    from indexer.embedding import make_embedder
    from service.search import open_engine

    embedder = make_embedder(settings)
    out: dict[str, Any] = {"gold": str(gold)}
    corpora = {
        "specific": settings.corpus_dir,
        "generic": generic_corpus(settings.corpus_dir, work / "corpus"),
    }
    for name, corpus in corpora.items():
        run = settings.model_copy(update={"corpus_dir": corpus, "index_dir": work / name})
        report = build_index(run, embedder, progress=False)
        result = evaluate_mode(open_engine(run, embedder), run, gold, "hybrid", None)
        out[name] = {
            "chunks": report.chunks,
            "embedded": report.embedded,
            "ndcg@10": result["overall"]["ndcg@10"],
            "by_doc": {d: v["ndcg@10"] for d, v in result["by_doc"].items()},
        }
    out["difference"] = round(out["generic"]["ndcg@10"] - out["specific"]["ndcg@10"], 4)
    return out


def markdown(rows: list[dict[str, Any]]) -> str:
    """The agreement table."""
    lines = [
        "| document | compared | own | generic | recall | precision | department | fields |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['doc_id']} | {r['compared']} | {r['own']} | {r['generic']} | "
            f"{r['recall']:.3f} | {r['precision']:.3f} | {r['department_agreement']:.3f} | "
            f"{r['field_name_jaccard']:.3f} |"
        )
    return "\n".join(lines)


def command(
    gold: Annotated[Path, typer.Option(help="gold split for the retrieval comparison")] = GOLD_DIR
    / "test.jsonl",
    with_retrieval: Annotated[
        bool, typer.Option("--retrieval/--no-retrieval", help="also index and evaluate both")
    ] = True,
    work: Annotated[Path, typer.Option(help="scratch directory for the generic corpus")] = (
        PROJECT_ROOT / "var" / "generic"
    ),
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """The generic parser against each document's own parser, and retrieval with its records."""
    settings = Settings()
    result: dict[str, Any] = {"agreement": agreement(settings.corpus_dir)}
    if with_retrieval:
        result["retrieval"] = retrieval(settings, gold, work)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    typer.echo(markdown(result["agreement"]))
    if with_retrieval:
        r = result["retrieval"]
        typer.echo(
            f"\nhybrid nDCG@10 on {gold.name}: specific {r['specific']['ndcg@10']:.4f}, "
            f"generic {r['generic']['ndcg@10']:.4f} (difference {r['difference']:+.4f})"
        )
