"""What the router of a sharded index holds: the index without its FAISS and BM25 matrices.

Serving sharded, the shard actors hold the vectors and BM25 scores (``ray_shards``); the
router process only fans questions out and builds the responses. It needs the chunk table,
the records (cards), links and token offsets (highlighting), and from the retrieval side only

- the whole index's BM25 statistics, which the query analyzer (index token frequencies) and
  the answerer's IDF weights read: ``SharedStatistics``, from the build's ``shards/stats.json``;
- a hit's vector by chunk id (the answerer's best cosine): ``PartVectors``, the parts'
  ``vectors.npy`` memory-mapped, so only the rows of returned hits are ever read.

Both duck-type the two attributes of ``LoadedIndex`` that the engine reads, so every response
is the one the full index gives (tests/scale/test_router.py). Only a build that wrote its
parts (``plansearch index --ray``) can be served this way; parts cut from an ordinary index at
start-up need the whole index, and ``load_router_index`` says so.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from indexer.embedding.base import EmbedderIdentity
from indexer.records import DocumentInfo
from indexer.shards import PART, SHARDS, STATS, VECTORS, BM25Stats, ShardError, part_dirs
from indexer.store import (
    IndexMismatchError,
    load_axes,
    load_chunks,
    load_links,
    load_records,
    load_tokens,
    read_manifest,
    verify_files,
)
from service.loading import REBUILD, LoadedIndex, check_manifest


class SharedStatistics:
    """The whole index's BM25 statistics in the shape the engine reads from a bm25s index:
    ``vocab_dict`` (token → column) and ``scores["indptr"]`` (column ``i`` holds
    ``indptr[i + 1] - indptr[i]`` passages: the token's document frequency) and
    ``scores["num_docs"]``. It scores nothing: the shards do."""

    def __init__(self, stats: BM25Stats) -> None:
        tokens = sorted(stats.doc_freqs)
        self.vocab_dict = {t: i for i, t in enumerate(tokens)}
        indptr = np.zeros(len(tokens) + 1, dtype=np.int64)
        np.cumsum([stats.doc_freqs[t] for t in tokens], out=indptr[1:])
        self.scores = {"indptr": indptr, "num_docs": stats.num_docs}

    @classmethod
    def load(cls, path: Path) -> SharedStatistics:
        """From ``shards/stats.json`` (``BM25Stats.as_dict``)."""
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(BM25Stats(raw["num_docs"], raw["total_length"], raw["doc_freqs"]))

    def get_scores(self, tokens: Sequence[str]) -> np.ndarray:
        """Not here: BM25 is scored on the shards."""
        raise ShardError("the router of a sharded index scores no passages; its shards do")


class PartVectors:
    """The vectors of every part, memory-mapped, by chunk id: ``reconstruct`` as a FAISS
    index gives it (RuntimeError for an unknown id), and ``ntotal``/``d``."""

    def __init__(self, dirs: Sequence[Path]) -> None:
        self._arrays = [np.load(d / VECTORS, mmap_mode="r") for d in dirs]
        ids, where = [], []
        for part, d in enumerate(dirs):
            meta = json.loads((d / PART).read_text(encoding="utf-8"))
            ids.append(np.asarray(meta["ids"], dtype=np.int64))
            where.append(np.stack([np.full(len(meta["ids"]), part), np.arange(len(meta["ids"]))]))
        all_ids = np.concatenate(ids)
        order = np.argsort(all_ids, kind="stable")
        self._ids = all_ids[order]  # sorted: searched, not a dict of a million Python ints
        self._where = np.concatenate(where, axis=1)[:, order]
        self.ntotal = len(all_ids)
        self.d = int(self._arrays[0].shape[1]) if self._arrays else 0

    def reconstruct(self, key: int) -> np.ndarray:
        """The vector of chunk ``key``."""
        i = int(np.searchsorted(self._ids, key))
        if i >= self.ntotal or self._ids[i] != key:
            raise RuntimeError(f"chunk id {key} is in no shard part")
        part, row = self._where[:, i]
        return np.array(self._arrays[part][row], dtype=np.float32)

    def reconstruct_batch(self, keys: Sequence[int]) -> np.ndarray:
        """The vectors of chunks ``keys``, in order."""
        return np.stack([self.reconstruct(int(k)) for k in keys])


def has_parts(index_dir: Path, shards: int) -> bool:
    """Whether the build at ``index_dir`` wrote ``shards`` parts and their statistics."""
    path = index_dir.resolve()
    return len(part_dirs(path)) == shards and (path / SHARDS / STATS).is_file()


def load_router_index(
    index_dir: Path, identity: EmbedderIdentity, corpus_dir: Path | None = None
) -> LoadedIndex:
    """The published index as the router of its shards needs it (see the module), verified
    as ``service.loading.load_index`` verifies the whole one."""
    path = index_dir.resolve()
    manifest = read_manifest(path)
    check_manifest(manifest, identity, corpus_dir)
    if not (path / SHARDS / STATS).is_file() or not part_dirs(path):
        raise ShardError(f"the index at {path} has no shard parts; build it with `index --ray`")
    verify_files(path, manifest)
    try:
        chunks, records = load_chunks(path), load_records(path)
        links, tokens, axes = load_links(path), load_tokens(path), load_axes(path)
        vectors = PartVectors(part_dirs(path))
        statistics = SharedStatistics.load(path / SHARDS / STATS)
    except ShardError:
        raise
    except Exception as exc:  # any reader failure means a damaged index
        raise IndexMismatchError(f"index at {path} cannot be read ({exc}); {REBUILD}") from exc
    if (
        vectors.ntotal != len(chunks)
        or vectors.d != identity.dim
        or statistics.scores["num_docs"] != len(chunks)
        or len(tokens.indptr) != len(chunks) + 1
    ):
        raise IndexMismatchError(f"index shard parts do not match its chunks; {REBUILD}")
    documents = {d["doc_id"]: DocumentInfo(**d) for d in manifest["documents"]}
    light: Any = (vectors, statistics)  # duck-typed for the engine (see the module)
    return LoadedIndex(
        path=path,
        manifest=manifest,
        dense=light[0],
        lexical=light[1],
        chunks=chunks,
        records={(r.doc_id, r.project_key): r for r in records},
        documents=documents,
        links=links,
        tokens=tokens,
        axes=axes,
    )
