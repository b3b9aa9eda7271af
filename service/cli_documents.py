"""``plansearch add`` and ``plansearch remove``: a city's own plan into the corpus and the
index, or out again.

``add`` reads the file (text, Markdown, PDF with a text layer, .docx: ``indexer.extract``),
parses it with the layout asked for (``auto`` by default: a known layout when its signature
matches, else the generic parser) and only then writes the text into the corpus, registers
it in ``documents.json`` and rebuilds the index. The rebuild embeds only the new chunks (the
embedding cache is addressed by text) and publishes atomically, as ``plansearch index``
does. When anything fails, the corpus is put back as it was (``indexer.registry``) and the
published index is the old one, so a failed command changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from indexer.embedding import make_embedder
from indexer.errors import InputError, PlansearchError
from indexer.extract import extract_text
from indexer.parsing import AUTO, GENERIC, LAYOUTS, layout_names, parser_for, resolve_layout
from indexer.records import DocumentInfo, Project
from indexer.registry import (
    check_doc_id,
    corpus_change,
    find_entry,
    read_entries,
    with_document,
    without_document,
    write_atomic,
    write_entries,
)
from indexer.settings import Settings


class NoRecordsError(InputError):
    """The parser found nothing in the document."""


@dataclass(frozen=True)
class Added:
    """What ``add`` did: the document as registered, how it was read, what the build did."""

    doc: DocumentInfo
    layout_asked: str
    projects: int
    sections: int
    chunks: int
    embedded: int
    reused: int


def read_document(path: Path, doc: DocumentInfo, layout: str) -> tuple[str, str, list[Project]]:
    """(corpus text, concrete layout, records) of the file at ``path``; changes nothing."""
    if not path.is_file():
        raise InputError(f"no file at {path}")
    text = extract_text(path)
    chosen = resolve_layout(layout, text)
    records = parser_for(chosen)(text, doc)
    if not records:
        raise NoRecordsError(
            f"{path.name}: the {chosen} layout found no text blocks in it; "
            f"try --layout generic (layouts: {', '.join(layout_names())})"
        )
    return text, chosen, records


def add_document(
    settings: Settings, path: Path, doc: DocumentInfo, *, layout: str, replace: bool
) -> Added:
    """Add (or with ``replace``, re-add) a document and rebuild the index incrementally."""
    from indexer.build import build_index

    check_doc_id(doc.doc_id)
    corpus = settings.corpus_dir
    with_document(read_entries(corpus), doc, replace=replace)  # refuses a taken id early
    text, chosen, records = read_document(path, doc, layout)
    registered = DocumentInfo(**{**doc.__dict__, "file": f"{doc.doc_id}.txt", "layout": chosen})
    target = corpus / registered.file
    embedder = make_embedder(settings)
    with corpus_change(corpus, [target]):
        entries = with_document(read_entries(corpus), registered, replace=replace)
        write_atomic(target, text.encode("utf-8"))
        write_entries(corpus, entries)
        report = build_index(settings, embedder, progress=False)
    projects = sum(1 for r in records if r.kind == "project")
    return Added(
        registered,
        layout,
        projects,
        len(records) - projects,
        report.chunks,
        report.embedded,
        report.reused,
    )


def remove_document(settings: Settings, doc_id: str) -> int:
    """Unregister a document, delete its text and rebuild; the number of chunks left."""
    from indexer.build import build_index

    corpus = settings.corpus_dir
    entries = read_entries(corpus)
    entry = find_entry(entries, doc_id)
    if len(entries) == 1:
        raise InputError(f"{doc_id!r} is the only document; an index needs at least one")
    target = corpus / entry["file"]
    embedder = make_embedder(settings)
    with corpus_change(corpus, [target]):
        write_entries(corpus, without_document(read_entries(corpus), doc_id))
        report = build_index(settings, embedder, progress=False)
        target.unlink(missing_ok=True)
    return report.chunks


def _fail(message: str) -> typer.Exit:
    typer.echo(f"plansearch: {message}", err=True)
    return typer.Exit(2)


LAYOUT_HELP = "auto (a known layout when its signature matches, else generic), generic, or one of: "


def add(
    path: Annotated[Path, typer.Argument(help="the plan: .txt, .md, .pdf (text layer) or .docx")],
    doc_id: Annotated[str, typer.Option(help="its id: a file name such as kiryu-jisshi-r6")],
    city: Annotated[str, typer.Option(help="the municipality (市区町村名)")],
    title: Annotated[str, typer.Option(help="the document's title as printed")],
    period: Annotated[str, typer.Option(help="the plan period, e.g. 令和6〜8年度")] = "",
    layout: Annotated[
        str, typer.Option(help=LAYOUT_HELP + ", ".join(n for n in LAYOUTS if n != GENERIC))
    ] = AUTO,
    number_label: Annotated[str, typer.Option(help="how it prints a project number")] = "事業番号",
    short_title: Annotated[str, typer.Option(help="a short title for results")] = "",
    replace: Annotated[bool, typer.Option(help="replace a document with this id")] = False,
) -> None:
    """Add a plan document to the corpus and the index (only its chunks are embedded)."""
    doc = DocumentInfo(
        doc_id=doc_id,
        city=city,
        title=title,
        period=period,
        file=f"{doc_id}.txt",
        number_label=number_label,
        short_title=short_title,
    )
    try:
        added = add_document(Settings(), path, doc, layout=layout, replace=replace)
    except (PlansearchError, OSError) as exc:
        raise _fail(str(exc)) from exc
    how = "chosen by auto" if added.layout_asked == AUTO else "as asked"
    typer.echo(
        f"added {doc_id}: layout {added.doc.layout} ({how}), {added.projects} projects and "
        f"{added.sections} other sections; index rebuilt with {added.chunks} chunks "
        f"({added.embedded} embedded, {added.reused} reused from the cache)"
    )


def remove(doc_id: Annotated[str, typer.Argument(help="the id of the document to remove")]) -> None:
    """Remove a document from the corpus and the index."""
    try:
        left = remove_document(Settings(), doc_id)
    except (PlansearchError, OSError) as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"removed {doc_id}; index rebuilt with {left} chunks")


def register(app: typer.Typer) -> None:
    """Make ``add`` and ``remove`` commands of ``app``."""
    app.command()(add)
    app.command()(remove)
