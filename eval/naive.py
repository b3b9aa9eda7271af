"""The naive baseline: fixed 500-character chunks of the raw text, dense e5, no structure.

This is what a generic RAG recipe does with these files. Its passages carry no
project, so each chunk is mapped back to the record whose text shares the most
characters with it (cells of six characters or more, compared without spaces
and symbols); a chunk that best matches a section maps to no project.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
from langchain_text_splitters import RecursiveCharacterTextSplitter

from eval.gold import GoldQuestion, project_doc_key
from eval.metrics import RunDict
from indexer.build import ParsedDocument
from indexer.embedding.base import Embedder
from indexer.embedding.cache import EmbeddingCache

CHUNK_CHARS = 500
OVERLAP_CHARS = 50
_TAG = re.compile(r"<[^>]+>")
_NOISE = re.compile(r"[\s|｜【】●・〇○◎△×※「」『』（）()、。,.:：;；\-―—–~〜]+")


def _norm(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text))


def naive_chunks(text: str) -> list[str]:
    """The raw document cut into 500-character pieces (LangChain's default recipe)."""
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_CHARS, chunk_overlap=OVERLAP_CHARS)
    return splitter.split_text(text)


@dataclass(frozen=True)
class NaiveChunk:
    """A raw chunk and the project it was mapped to (None: no project)."""

    doc_id: str
    text: str
    project_key: str | None


def _probes(chunk: str) -> list[str]:
    cells = re.split(r"[\t\n]", _TAG.sub("\n", chunk))
    return [p for p in (_norm(c) for c in cells) if len(p) >= 6]


def map_to_record(chunk: str, parsed: ParsedDocument) -> str | None:
    """Key of the project whose text contains most of the chunk, or None."""
    texts = [
        (r, _norm(" ".join([r.project_name or "", *(f.text for f in r.fields)])))
        for r in parsed.records
    ]
    best, best_score = None, 0
    probes = _probes(chunk)
    for record, body in texts:
        score = sum(len(p) for p in probes if p in body)
        if score > best_score:
            best, best_score = record, score
    return best.project_key if best is not None and best.kind == "project" else None


def build_naive(
    parsed: list[ParsedDocument], texts: dict[str, str], embedder: Embedder, cache: EmbeddingCache
) -> tuple[list[NaiveChunk], np.ndarray]:
    """Naive chunks of every document with their vectors (embedded through the cache)."""
    chunks = [
        NaiveChunk(p.doc.doc_id, c, map_to_record(c, p))
        for p in parsed
        for c in naive_chunks(texts[p.doc.doc_id])
    ]
    vectors, _ = cache.embed([c.text for c in chunks], progress=True)
    return chunks, vectors


def naive_run(
    questions: list[GoldQuestion],
    chunks: list[NaiveChunk],
    vectors: np.ndarray,
    embedder: Embedder,
    depth: int = 100,
) -> RunDict:
    """Dense top-``depth`` chunks per question, deduplicated by mapped project."""
    queries = embedder.encode_queries([q.query for q in questions])
    run: RunDict = {}
    for q, qv in zip(questions, queries, strict=True):
        order = np.argsort(-(vectors @ qv), kind="stable")[:depth]
        ranked: dict[str, float] = {}
        for i in order:
            c = chunks[i]
            if c.project_key is None:
                continue
            key = project_doc_key(c.doc_id, c.project_key)
            if key not in ranked:
                ranked[key] = 1.0 / (len(ranked) + 1)
        run[q.id] = ranked
    return run
