"""The corpus directory: document list, texts and their hashes (I/O at the edge)."""

from __future__ import annotations

import json
from pathlib import Path

from indexer.errors import UnavailableError
from indexer.files import sha256_file
from indexer.records import DocumentInfo


class CorpusError(UnavailableError):
    """The corpus directory is missing or incomplete."""


def load_documents(corpus_dir: Path) -> list[DocumentInfo]:
    """Documents listed in ``corpus_dir/documents.json``, in listed order."""
    manifest = corpus_dir / "documents.json"
    if not manifest.is_file():
        raise CorpusError(f"no corpus manifest at {manifest}; is PLANSEARCH_CORPUS_DIR right?")
    data = json.loads(manifest.read_text(encoding="utf-8"))
    docs = [DocumentInfo(**d) for d in data["documents"]]
    for doc in docs:
        if not (corpus_dir / doc.file).is_file():
            raise CorpusError(f"corpus file missing: {corpus_dir / doc.file}")
    return docs


def read_text(corpus_dir: Path, doc: DocumentInfo) -> str:
    """The document's text as UTF-8."""
    return (corpus_dir / doc.file).read_text(encoding="utf-8")


def corpus_hashes(corpus_dir: Path, docs: list[DocumentInfo]) -> dict[str, str]:
    """doc_id → SHA-256 of its text file, for the index manifest."""
    return {d.doc_id: sha256_file(corpus_dir / d.file) for d in docs}
