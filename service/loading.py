"""Load a published index and refuse it when it does not fit this code and model."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bm25s
import faiss
import numpy as np

from indexer import FORMAT_VERSION
from indexer.analyze import AnalyzerConfig
from indexer.corpus import corpus_hashes, load_documents
from indexer.embedding.base import EmbedderIdentity
from indexer.links import Key, Link
from indexer.offsets import TokenTable
from indexer.records import Chunk, DocumentInfo, Project
from indexer.store import (
    IndexMismatchError,
    load_axes,
    load_chunks,
    load_dense,
    load_lexical,
    load_links,
    load_records,
    load_tokens,
    read_manifest,
    verify_files,
)

REBUILD = "rebuild it with `plansearch index`"


@dataclass(frozen=True)
class LoadedIndex:
    """Everything a search needs, held in memory."""

    path: Path
    manifest: dict[str, Any]
    dense: faiss.Index
    lexical: bm25s.BM25
    chunks: list[Chunk]
    records: dict[Key, Project]
    documents: dict[str, DocumentInfo]
    links: dict[Key, list[Link]]
    tokens: TokenTable
    # The passages' main axes stored by the build (``indexer.store.load_axes``); None before.
    axes: np.ndarray | None = field(default=None, compare=False)

    @property
    def cities(self) -> list[str]:
        """Cities present in the index, sorted."""
        return sorted({d.city for d in self.documents.values()})


def check_manifest(
    manifest: dict[str, Any], identity: EmbedderIdentity, corpus_dir: Path | None
) -> None:
    """Raise IndexMismatchError naming the first difference and the command to run."""
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"index format {manifest.get('format_version')} but this code reads "
            f"{FORMAT_VERSION}; {REBUILD}"
        )
    analyzer = AnalyzerConfig().as_dict()
    if manifest.get("analyzer") != analyzer:
        raise IndexMismatchError(
            f"index tokenized with analyzer {manifest.get('analyzer')}, this code uses "
            f"{analyzer}; {REBUILD}"
        )
    built = manifest.get("embedder", {})
    for key, wanted in identity.as_dict().items():
        if built.get(key) != wanted:
            raise IndexMismatchError(
                f"index built with embedder {key}={built.get(key)!r}, service configured "
                f"with {wanted!r}; {REBUILD} (or set PLANSEARCH_EMBEDDER/PLANSEARCH_MODEL "
                "to match the index)"
            )
    if corpus_dir is not None and (corpus_dir / "documents.json").is_file():
        docs = [d for d in load_documents(corpus_dir) if d.doc_id in manifest["corpus"]]
        if corpus_hashes(corpus_dir, docs) != manifest["corpus"]:
            raise IndexMismatchError(f"the corpus changed since the index was built; {REBUILD}")


def load_index(
    index_dir: Path, identity: EmbedderIdentity, corpus_dir: Path | None = None
) -> LoadedIndex:
    """Read, verify and load the index published at ``index_dir``."""
    path = index_dir.resolve()
    manifest = read_manifest(path)
    check_manifest(manifest, identity, corpus_dir)
    verify_files(path, manifest)
    try:
        dense, lexical = load_dense(path), load_lexical(path)
        chunks, records = load_chunks(path), load_records(path)
        links, tokens, axes = load_links(path), load_tokens(path), load_axes(path)
    except Exception as exc:  # any reader failure means a damaged index
        raise IndexMismatchError(f"index at {path} cannot be read ({exc}); {REBUILD}") from exc
    if (
        dense.ntotal != len(chunks)
        or dense.d != identity.dim
        or len(tokens.indptr) != len(chunks) + 1
    ):
        raise IndexMismatchError(f"index vectors do not match its chunks; {REBUILD}")
    documents = {d["doc_id"]: DocumentInfo(**d) for d in manifest["documents"]}
    return LoadedIndex(
        path=path,
        manifest=manifest,
        dense=dense,
        lexical=lexical,
        chunks=chunks,
        records={(r.doc_id, r.project_key): r for r in records},
        documents=documents,
        links=links,
        tokens=tokens,
        axes=axes,
    )
