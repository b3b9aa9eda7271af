"""Index artifacts on disk: write into a fresh directory, then switch atomically.

Layout of one build directory::

    manifest.json   model, prefixes, dimension, chunking, corpus hashes, counts,
                    format version, library versions, file checksums
    dense.faiss     IndexIDMap2 over normalized vectors, ids = chunk ids: IndexFlatIP, or
                    IVF/HNSW above a size (``indexer.dense``; type in the manifest)
    lexical/        bm25s index over fugashi lemmas of the same chunks
    chunks.jsonl    chunk metadata and text, in index order
    records.jsonl   every parsed record with all its fields
    links.jsonl     cross-document links between records (``indexer.links``)
    tokens.npz      each chunk text's tokens with offsets, for highlighting (``indexer.offsets``)
    axes.npy        the passage vectors' main axes (``indexer.dense.main_axes``), which the
                    no-match model reads; an index built before it has none (read from the
                    vectors at load, ``service.relevance.index_axes``)

``index_dir`` (e.g. ``var/index``) is a symbolic link to the current build,
replaced with ``os.replace`` so a reader sees the old build or the new one,
never a half-written directory.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import bm25s
import faiss
import numpy as np

from indexer import FORMAT_VERSION, dense
from indexer.errors import UnavailableError
from indexer.files import sha256_file
from indexer.links import Key, Link
from indexer.offsets import TokenTable
from indexer.records import Chunk, Field, Project
from indexer.shards import vocabulary

MANIFEST = "manifest.json"
DENSE = "dense.faiss"
LEXICAL = "lexical"
CHUNKS = "chunks.jsonl"
RECORDS = "records.jsonl"
LINKS = "links.jsonl"
TOKENS = "tokens.npz"
AXES = "axes.npy"


class IndexStoreError(UnavailableError):
    """Base for index problems; the message says what to run."""


class IndexMissingError(IndexStoreError):
    """No index has been built at the configured place."""


class IndexMismatchError(IndexStoreError):
    """The index was built by other code or with another model, or is damaged."""


def _files(build_dir: Path) -> list[Path]:
    return sorted(p for p in build_dir.rglob("*") if p.is_file() and p.name != MANIFEST)


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_build(
    build_dir: Path,
    *,
    chunks: list[Chunk],
    vectors: np.ndarray,
    lexical_tokens: list[list[str]],
    records: list[Project],
    links: dict[Key, list[Link]],
    tokens: TokenTable,
    manifest: dict[str, Any],
) -> None:
    """Write every artifact of one build into ``build_dir`` (which must not exist)."""
    build_dir.mkdir(parents=True)
    ids = np.array([c.chunk_id for c in chunks], dtype=np.int64)
    if len(set(ids.tolist())) != len(ids):
        raise ValueError("chunk id collision: two chunks share an id")
    spec = _dense_spec(manifest.get("dense_index"))
    index, spec = dense.build(vectors, ids, spec)
    faiss.write_index(index, str(build_dir / DENSE))
    rows = dense.sample_rows(len(vectors), dense.AXES_SAMPLE)
    sample = np.asarray(vectors[rows], dtype=np.float32)  # as the index stores them
    np.save(build_dir / AXES, dense.main_axes(sample, min(dense.STORED_AXES, sample.shape[1])))
    lexical = bm25s.BM25()
    vocab = vocabulary(lexical_tokens)
    token_ids = [[vocab[t] for t in passage] for passage in lexical_tokens]
    lexical.index((token_ids, vocab), show_progress=False)
    lexical.save(str(build_dir / LEXICAL))
    _write_jsonl(build_dir / CHUNKS, [asdict(c) for c in chunks])
    _write_jsonl(build_dir / RECORDS, [asdict(r) for r in records])
    tokens.save(build_dir / TOKENS)
    _write_jsonl(
        build_dir / LINKS,
        [
            {"doc_id": d, "project_key": k, "links": [asdict(x) for x in found]}
            for (d, k), found in sorted(links.items())
        ],
    )
    manifest = {
        **manifest,
        "dense_index": spec.as_dict(),  # with the search parameter calibrated by the build
        "format_version": FORMAT_VERSION,
        "files": {str(p.relative_to(build_dir)): sha256_file(p) for p in _files(build_dir)},
    }
    (build_dir / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8"
    )


def new_build_dir(index_dir: Path) -> Path:
    """A fresh, not yet existing directory beside ``index_dir`` for the next build."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return index_dir.parent / f"{index_dir.name}-builds" / f"{stamp}-{uuid.uuid4().hex[:8]}"


@contextmanager
def staged_build(index_dir: Path) -> Iterator[Path]:
    """A new build directory to write in, published at ``index_dir`` when the block ends;
    if anything in the block fails, the half-written build is removed and the old index stays
    served."""
    build_dir = new_build_dir(index_dir)
    try:
        yield build_dir
        publish(build_dir, index_dir)
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise


def publish(build_dir: Path, index_dir: Path) -> None:
    """Point ``index_dir`` at ``build_dir`` atomically and drop superseded builds."""
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    previous = index_dir.resolve() if index_dir.is_symlink() else None
    if index_dir.exists() and not index_dir.is_symlink():
        # A plain directory from elsewhere: keep it, out of the way.
        index_dir.rename(index_dir.with_name(f"{index_dir.name}.replaced-{os.getpid()}"))
    link = index_dir.with_name(f".{index_dir.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(build_dir, index_dir.parent))
    os.replace(link, index_dir)
    if previous is not None and previous != build_dir.resolve() and previous.is_dir():
        shutil.rmtree(previous, ignore_errors=True)


def read_manifest(index_dir: Path) -> dict[str, Any]:
    """The manifest of the published index, or IndexMissingError."""
    path = index_dir / MANIFEST
    if not path.is_file():
        raise IndexMissingError(f"no index at {index_dir}; build it with `plansearch index`")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexMismatchError(
            f"index manifest {path} is unreadable ({exc}); rebuild with `plansearch index`"
        ) from exc


def verify_files(index_dir: Path, manifest: dict[str, Any]) -> None:
    """Check every artifact against the manifest checksums."""
    for name, digest in manifest.get("files", {}).items():
        path = index_dir / name
        if not path.is_file() or sha256_file(path) != digest:
            raise IndexMismatchError(
                f"index file {name} is missing or damaged; rebuild with `plansearch index`"
            )


def _dense_spec(entry: object) -> dense.DenseSpec:
    try:
        return dense.DenseSpec.from_manifest(entry)
    except dense.DenseSpecError as exc:
        raise IndexMismatchError(f"{exc}; rebuild with `plansearch index`") from exc


def load_dense(index_dir: Path, manifest: dict[str, Any] | None = None) -> faiss.Index:
    """The FAISS index, checked against the type and parameters its manifest records
    (IndexMismatchError otherwise)."""
    spec = _dense_spec((manifest or read_manifest(index_dir)).get("dense_index"))
    index = faiss.read_index(str(index_dir / DENSE))
    try:
        dense.check(index, spec)
    except dense.DenseSpecError as exc:
        raise IndexMismatchError(f"{exc}; rebuild with `plansearch index`") from exc
    return index


def load_lexical(index_dir: Path) -> bm25s.BM25:
    """The BM25 index."""
    return bm25s.BM25.load(str(index_dir / LEXICAL))


def load_chunks(index_dir: Path) -> list[Chunk]:
    """Chunk records in index order."""
    return [
        Chunk(**{**row, "section_path": tuple(row["section_path"])})
        for row in _read_jsonl(index_dir / CHUNKS)
    ]


def load_records(index_dir: Path) -> list[Project]:
    """Every parsed record."""
    out = []
    for row in _read_jsonl(index_dir / RECORDS):
        row["section_path"] = tuple(row["section_path"])
        row["related"] = tuple(row.get("related", ()))
        row["fields"] = tuple(Field(**f) for f in row["fields"])
        out.append(Project(**row))
    return out


def load_links(index_dir: Path) -> dict[Key, list[Link]]:
    """Cross-document links by (doc_id, project_key)."""
    return {
        (row["doc_id"], row["project_key"]): [Link(**x) for x in row["links"]]
        for row in _read_jsonl(index_dir / LINKS)
    }


def load_axes(index_dir: Path) -> np.ndarray | None:
    """The stored passage axes, or None for an index built before they were stored."""
    path = index_dir / AXES
    return np.load(path, allow_pickle=False) if path.is_file() else None


def load_tokens(index_dir: Path) -> TokenTable:
    """The chunks' tokens with offsets, in index order."""
    return TokenTable.load(index_dir / TOKENS)
