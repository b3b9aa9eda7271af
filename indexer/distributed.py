"""The indexing pipeline across a Ray cluster (``plansearch index --ray ADDRESS``).

One ``IndexWorker`` actor per CPU of the cluster, spread over its nodes, loads the embedder
once; documents are parsed, chunked and tokenized on the workers (one task per document), and
the passages the content-addressed embedding cache does not hold are embedded on the workers
in parallel, each batch appended to the cache as it arrives (the cache's own crash safety).
Each shard's BM25 statistics are counted on a worker, merged here, and every worker writes
its shard's part (``indexer.shards``) scored with the merged statistics, into the same new
build directory as the single index, which is then published atomically as ``build_index``
does. The single index is written too: the service's chunk table, records and highlighting
read it whether it serves in-process or sharded.

The build directory must be on a file system every node sees (one machine here; a shared
volume on a real cluster).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from indexer.analyze import get_analyzer
from indexer.build import BuildReport, ParsedDocument, parse_corpus, write_index
from indexer.chunking import ChunkingConfig, chunk_records
from indexer.corpus import load_documents
from indexer.embedding import make_embedder
from indexer.embedding.base import Embedder, EmbedderIdentity
from indexer.embedding.cache import EmbeddingCache
from indexer.files import sha256_file
from indexer.ray_cluster import connect
from indexer.records import Chunk
from indexer.settings import Settings
from indexer.shards import (
    SHARDS,
    STATS,
    BM25Stats,
    assign_shards,
    build_part,
    save_part,
    shard_name,
    shard_rows,
)
from indexer.store import MANIFEST, staged_build

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prepared:
    """One document parsed, chunked, and its chunks' BM25 tokens."""

    parsed: ParsedDocument
    chunks: list[Chunk]
    tokens: list[list[str]]


class IndexWorker:
    """The body of one indexing actor: the embedder, loaded once, and the pipeline steps."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.embedder = make_embedder(settings)
        self.config = ChunkingConfig.from_settings(settings)

    def identity(self) -> EmbedderIdentity:
        """The embedder's identity (the build's manifest and cache key)."""
        return self.embedder.identity

    def prepare(self, doc_id: str) -> Prepared:
        """Parse, chunk and tokenize one document."""
        (parsed,) = parse_corpus(self.settings.corpus_dir, [doc_id])
        chunks = chunk_records(parsed.doc, parsed.records, self.embedder.count_tokens, self.config)
        tokens = get_analyzer().lemmas_many(c.indexed_text for c in chunks)
        return Prepared(parsed, chunks, tokens)

    def embed(self, texts: list[str], is_query: bool = False) -> np.ndarray:
        """Vectors of ``texts`` (passages unless ``is_query``), normalized."""
        if is_query:
            return self.embedder.encode_queries(texts)
        return self.embedder.encode_passages(texts, self.settings.embed_batch_size)

    def statistics(self, tokens: list[list[str]]) -> BM25Stats:
        """BM25 statistics of one shard's passages."""
        return BM25Stats.of(tokens)

    def write_part(
        self,
        name: str,
        rows: np.ndarray,
        ids: np.ndarray,
        vectors: np.ndarray,
        tokens: list[list[str]],
        stats: BM25Stats,
        directory: str,
    ) -> None:
        """Score one shard with the global statistics and write its part."""
        save_part(build_part(name, rows, ids, vectors, tokens, stats), Path(directory))


class ClusterEmbedder(Embedder):
    """An embedder whose passages are embedded by the workers, a slice each, in parallel."""

    def __init__(self, ray: Any, workers: Sequence[Any]) -> None:
        super().__init__()
        self._ray = ray
        self._workers = list(workers)
        self._identity: EmbedderIdentity = ray.get(self._workers[0].identity.remote())

    @property
    def identity(self) -> EmbedderIdentity:
        """The workers' embedder."""
        return self._identity

    def count_tokens(self, text: str) -> int:
        """Not needed here: chunks are cut on the workers with their own tokenizer."""
        raise NotImplementedError("ClusterEmbedder counts no tokens; the workers chunk")

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self._fan_out(texts, is_query)

    def encode_passages(self, texts: Sequence[str], batch_size: int = 16) -> np.ndarray:
        """Passage vectors: the texts split into one contiguous slice per worker."""
        return self._fan_out(list(texts), is_query=False)

    def _fan_out(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.empty((0, self._identity.dim), dtype=np.float32)
        slices = np.array_split(np.arange(len(texts)), min(len(self._workers), len(texts)))
        refs = [
            w.embed.remote([texts[i] for i in part], is_query)
            for w, part in zip(self._workers, slices, strict=False)
        ]
        return np.vstack(self._ray.get(refs)).astype(np.float32)


def start_workers(ray: Any, settings: Settings) -> list[Any]:
    """One IndexWorker per CPU of the cluster, spread over its nodes."""
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    worker = ray.remote(IndexWorker).options(num_cpus=1, scheduling_strategy="SPREAD")
    return [worker.remote(settings) for _ in range(cpus)]


def _document_ids(corpus_dir: Path, doc_ids: list[str] | None) -> list[str]:
    known = [d.doc_id for d in load_documents(corpus_dir)]
    if doc_ids:
        unknown = sorted(set(doc_ids) - set(known))
        if unknown:
            raise ValueError(
                f"unknown document id(s) {', '.join(unknown)}; known: {', '.join(known)}"
            )
        return [d for d in known if d in doc_ids]
    return known


def _prepare_all(ray: Any, workers: Sequence[Any], doc_ids: list[str]) -> list[Prepared]:
    """Every document prepared on the workers, in corpus order (as ``build_index`` orders)."""
    from ray.util import ActorPool

    pool = ActorPool(list(workers))
    return list(pool.map(lambda w, d: w.prepare.remote(d), doc_ids))


def _write_parts(
    ray: Any,
    workers: Sequence[Any],
    build_dir: Path,
    prepared: list[Prepared],
    vectors: np.ndarray,
    shards: int,
) -> list[dict[str, Any]]:
    """Each shard's statistics counted and its part written on a worker; the parts' entries."""
    chunks = [c for p in prepared for c in p.chunks]
    tokens = [t for p in prepared for t in p.tokens]
    counts = Counter(c.doc_id for c in chunks)
    cities = {p.parsed.doc.doc_id: p.parsed.doc.city for p in prepared}
    groups = assign_shards(counts, cities, shards)
    rows = shard_rows([c.doc_id for c in chunks], groups)
    ids = np.array([c.chunk_id for c in chunks], dtype=np.int64)
    part_tokens = [[tokens[i] for i in r] for r in rows]
    at = [workers[i % len(workers)] for i in range(shards)]
    stats = BM25Stats.merged(
        ray.get([w.statistics.remote(t) for w, t in zip(at, part_tokens, strict=True)])
    )
    (build_dir / SHARDS).mkdir()
    (build_dir / SHARDS / STATS).write_text(json.dumps(stats.as_dict(), ensure_ascii=False))
    writes = [
        w.write_part.remote(
            shard_name(i),
            r,
            ids[r],
            vectors[r],
            part_tokens[i],
            stats,
            str(build_dir / SHARDS / shard_name(i)),
        )
        for i, (w, r) in enumerate(zip(at, rows, strict=True))
    ]
    ray.get(writes)
    return [
        {"name": shard_name(i), "documents": groups[i], "chunks": len(r)}
        for i, r in enumerate(rows)
    ]


def _add_to_manifest(build_dir: Path, parts: list[dict[str, Any]]) -> None:
    """The parts' entries and file checksums added to the manifest ``write_build`` wrote."""
    path = build_dir / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    root = build_dir / SHARDS
    files = {
        str(p.relative_to(build_dir)): sha256_file(p)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
    manifest["files"] = {**manifest["files"], **files}
    manifest["shards"] = {"count": len(parts), "statistics": f"{SHARDS}/{STATS}", "parts": parts}
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True), "utf-8")


def build_distributed(
    settings: Settings,
    address: str,
    *,
    shards: int | None = None,
    doc_ids: list[str] | None = None,
    progress: bool = True,
) -> BuildReport:
    """``build_index`` across the Ray cluster at ``address``, with ``shards`` parts (default:
    ``settings.shards``); publishes at ``settings.index_dir`` as ``build_index`` does."""
    start = time.perf_counter()
    ray = connect(address)
    workers = start_workers(ray, settings)
    try:
        docs = _document_ids(settings.corpus_dir, doc_ids)
        prepared = _prepare_all(ray, workers, docs)
        parsed = [p.parsed for p in prepared]
        chunks = [c for p in prepared for c in p.chunks]
        embedder = ClusterEmbedder(ray, workers)
        cache = EmbeddingCache(settings.cache_dir, embedder)
        vectors, embedded = cache.embed(
            [c.indexed_text for c in chunks],
            batch_size=settings.embed_batch_size * len(workers),
            progress=progress,
        )
        log.info("%d chunks on %d workers: %d embedded", len(chunks), len(workers), embedded)
        config = ChunkingConfig.from_settings(settings)
        with staged_build(settings.index_dir) as build_dir:
            write_index(
                build_dir,
                settings,
                embedder,
                config,
                parsed,
                chunks,
                vectors,
                [t for p in prepared for t in p.tokens],
            )
            parts = _write_parts(
                ray, workers, build_dir, prepared, vectors, shards or settings.shards
            )
            _add_to_manifest(build_dir, parts)
    finally:
        for w in workers:
            ray.kill(w)
    return BuildReport.of(settings, build_dir, parsed, chunks, embedded, start)
