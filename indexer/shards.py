"""Index parts for sharded serving: which documents go to which shard, and each shard's part.

A shard holds the vectors and the BM25 scores of its chunks. BM25 scores depend on statistics
of the whole collection (document frequencies, the number of passages, their average length),
so every part is scored with the statistics of the whole index (``BM25Stats``), never its own:
a passage then has the same BM25 score in its shard as in the single index, and the router's
merge of the shards' best candidates is the single index's list.

Two ways to a part, equal to the last bit (tests/scale): ``slice_part`` cuts it from a built
single index (serving ``PLANSEARCH_SHARDS=N`` from an ordinary index), ``build_part`` scores the
shard's own tokens with the merged statistics (the distributed build, ``indexer.distributed``).

A part on disk (``shards/<name>/`` of a build)::

    part.json       name, rows (global positions in chunks.jsonl), chunk ids
    vectors.npy     float32 vectors of those rows
    lexical/        a bm25s index holding only these rows, scored with the global statistics
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
from bm25s import scoring

from indexer.errors import UnavailableError

PART = "part.json"
VECTORS = "vectors.npy"
LEXICAL = "lexical"
STATS = "stats.json"
SHARDS = "shards"


class ShardError(UnavailableError):
    """A shard layout that cannot be built or served; the message says why."""


@dataclass(frozen=True)
class BM25Stats:
    """The collection statistics BM25 scores with: passages, total length, document frequency."""

    num_docs: int
    total_length: int
    doc_freqs: Mapping[str, int]

    @classmethod
    def of(cls, tokens: Sequence[Sequence[str]]) -> BM25Stats:
        """The statistics of one set of tokenized passages (a shard's, or all of them)."""
        freqs: Counter[str] = Counter()
        for passage in tokens:
            freqs.update(set(passage))
        return cls(len(tokens), sum(len(t) for t in tokens), dict(freqs))

    @classmethod
    def merged(cls, parts: Iterable[BM25Stats]) -> BM25Stats:
        """The statistics of the union of the parts (counts add up)."""
        freqs: Counter[str] = Counter()
        docs = length = 0
        for part in parts:
            docs, length = docs + part.num_docs, length + part.total_length
            freqs.update(part.doc_freqs)
        return cls(docs, length, dict(freqs))

    @property
    def avg_length(self) -> np.float64:
        """Mean passage length as bm25s computes it (a float64 numpy scalar: its type decides
        the float precision of bm25s' arithmetic, so it must match to give equal scores)."""
        return np.float64(self.total_length) / np.float64(self.num_docs)

    def as_dict(self) -> dict[str, object]:
        """JSON form (``stats.json``)."""
        return {
            "num_docs": self.num_docs,
            "total_length": self.total_length,
            "doc_freqs": dict(sorted(self.doc_freqs.items())),
        }


@dataclass(frozen=True)
class ShardPart:
    """One shard: its rows of the whole index (ascending), their chunk ids, vectors and BM25."""

    name: str
    rows: np.ndarray
    ids: np.ndarray
    vectors: np.ndarray
    lexical: bm25s.BM25


def shard_name(i: int) -> str:
    """The name of shard ``i`` (as responses name a missing one)."""
    return f"shard-{i}"


def assign_shards(
    doc_chunks: Mapping[str, int], doc_cities: Mapping[str, str], shards: int
) -> list[list[str]]:
    """Document ids per shard: whole cities per shard when there are at least as many cities
    as shards (a city filter then asks one shard), else whole documents; largest first into
    the lightest shard, so shards hold about the same number of chunks. Deterministic."""
    if shards < 1:
        raise ShardError(f"the number of shards must be at least 1, got {shards}")
    cities = sorted(set(doc_cities.values()))
    if len(cities) >= shards:
        groups = {c: [d for d in doc_chunks if doc_cities[d] == c] for c in cities}
    else:
        groups = {d: [d] for d in doc_chunks}
    if len(groups) < shards:
        raise ShardError(f"{shards} shards but only {len(groups)} documents to spread")
    sizes = {key: sum(doc_chunks[d] for d in docs) for key, docs in groups.items()}
    out: list[list[str]] = [[] for _ in range(shards)]
    load = [0] * shards
    for key in sorted(groups, key=lambda k: (-sizes[k], k)):
        lightest = min(range(shards), key=lambda i: (load[i], i))
        out[lightest].extend(groups[key])
        load[lightest] += sizes[key]
    return [sorted(docs) for docs in out]


def shard_rows(chunk_docs: Sequence[str], groups: Sequence[Sequence[str]]) -> list[np.ndarray]:
    """The global rows of each shard's chunks, ascending, from each chunk's doc_id."""
    shard_of = {d: i for i, docs in enumerate(groups) for d in docs}
    owners = np.array([shard_of[d] for d in chunk_docs], dtype=np.int64)
    return [np.flatnonzero(owners == i) for i in range(len(groups))]


def _bm25(
    vocab: dict[str, int], data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, num_docs: int
) -> bm25s.BM25:
    # Default parameters, as indexer/store.py builds the single index with.
    out = bm25s.BM25()
    out.scores = {"data": data, "indices": indices, "indptr": indptr, "num_docs": num_docs}
    out.vocab_dict = vocab
    out.unique_token_ids_set = set(vocab.values())
    out.nonoccurrence_array = None
    return out


def slice_lexical(lexical: bm25s.BM25, rows: np.ndarray) -> bm25s.BM25:
    """The BM25 scores of ``rows`` only, as the single index holds them (global statistics)."""
    data, indices = lexical.scores["data"], lexical.scores["indices"]
    indptr = np.asarray(lexical.scores["indptr"])
    local = np.full(lexical.scores["num_docs"], -1, dtype=np.int64)
    local[rows] = np.arange(len(rows))
    keep = local[indices] >= 0
    column = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    counts = np.bincount(column[keep], minlength=len(indptr) - 1)
    new_indptr = np.zeros(len(indptr), dtype=indptr.dtype)
    np.cumsum(counts, out=new_indptr[1:])
    new_indices = local[indices[keep]].astype(indices.dtype)
    return _bm25(dict(lexical.vocab_dict), data[keep], new_indices, new_indptr, len(rows))


def vocabulary(tokens: Iterable[Sequence[str]]) -> dict[str, int]:
    """Token → column, in sorted order. bm25s, given strings, numbers its vocabulary in set
    order, which moves with the interpreter's hash seed: two builds of one corpus wrote
    different lexical files (the same scores)."""
    return {t: i for i, t in enumerate(sorted({t for passage in tokens for t in passage}))}


def score_lexical(tokens: Sequence[Sequence[str]], stats: BM25Stats) -> bm25s.BM25:
    """A BM25 index of these passages scored with ``stats`` (the whole collection's).

    The arithmetic is bm25s' own (its scoring functions, float32, its CSC layout), fed with
    the global document frequencies, passage count and average length instead of the local.
    """
    model = bm25s.BM25()
    vocab = vocabulary(tokens)
    missing = [t for t in vocab if t not in stats.doc_freqs]
    if missing:
        raise ShardError(f"tokens {missing[:5]} are not in the global statistics")
    doc_freqs = {vocab[t]: stats.doc_freqs[t] for t in vocab}
    idf = scoring._build_idf_array(
        doc_freqs, stats.num_docs, scoring._select_idf_scorer(model.idf_method), model.dtype
    )
    token_ids = [[vocab[t] for t in passage] for passage in tokens]
    local_freqs = Counter(i for passage in token_ids for i in set(passage))
    flat, doc_idx, voc_idx = scoring._build_scores_and_indices_for_matrix(
        corpus_token_ids=token_ids,
        idf_array=idf,
        avg_doc_len=stats.avg_length,
        doc_frequencies=dict(local_freqs),  # only sizes the arrays
        k1=model.k1,
        b=model.b,
        delta=model.delta,
        nonoccurrence_array=None,
        method=model.method,
        dtype=model.dtype,
        int_dtype=model.int_dtype,
        show_progress=False,
    )
    data, indices, indptr = model._np_csc(flat, doc_idx, voc_idx, (len(tokens), len(vocab)))
    return _bm25(vocab, data.astype(model.dtype), indices, indptr, len(tokens))


def slice_part(
    name: str, rows: np.ndarray, ids: np.ndarray, vectors: np.ndarray, lexical: bm25s.BM25
) -> ShardPart:
    """A shard cut from a single index: ``ids``/``vectors`` of the whole index, by row."""
    return ShardPart(name, rows, ids[rows], vectors[rows], slice_lexical(lexical, rows))


def build_part(
    name: str,
    rows: np.ndarray,
    ids: np.ndarray,
    vectors: np.ndarray,
    tokens: Sequence[Sequence[str]],
    stats: BM25Stats,
) -> ShardPart:
    """A shard from its own chunks (``ids``, ``vectors``, ``tokens`` of its ``rows`` only)."""
    return ShardPart(name, rows, ids, vectors, score_lexical(tokens, stats))


def save_part(part: ShardPart, directory: Path) -> None:
    """Write ``part`` into ``directory`` (created)."""
    directory.mkdir(parents=True)
    meta = {"name": part.name, "rows": part.rows.tolist(), "ids": part.ids.tolist()}
    (directory / PART).write_text(json.dumps(meta), encoding="utf-8")
    np.save(directory / VECTORS, np.ascontiguousarray(part.vectors, dtype=np.float32))
    part.lexical.save(str(directory / LEXICAL))


def load_part(directory: Path) -> ShardPart:
    """The part written by ``save_part``."""
    meta = json.loads((directory / PART).read_text(encoding="utf-8"))
    return ShardPart(
        meta["name"],
        np.array(meta["rows"], dtype=np.int64),
        np.array(meta["ids"], dtype=np.int64),
        np.load(directory / VECTORS),
        bm25s.BM25.load(str(directory / LEXICAL)),
    )


def part_rows(directory: Path) -> np.ndarray:
    """The global rows of the part in ``directory``, without reading its vectors."""
    meta = json.loads((directory / PART).read_text(encoding="utf-8"))
    return np.array(meta["rows"], dtype=np.int64)


def part_dirs(index_dir: Path) -> list[Path]:
    """The shard parts a build holds (``shards/shard-<i>``), in shard order; [] if none."""
    root = index_dir / SHARDS
    if not root.is_dir():
        return []
    return sorted(
        (p for p in root.iterdir() if p.is_dir()), key=lambda p: int(p.name.rsplit("-", 1)[1])
    )
