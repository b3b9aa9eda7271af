from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from indexer.corpus import load_documents, read_text
from indexer.parsing import parse_document
from indexer.records import DocumentInfo, Project

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


@cache
def documents() -> dict[str, DocumentInfo]:
    return {d.doc_id: d for d in load_documents(CORPUS)}


@cache
def parsed(doc_id: str) -> tuple[Project, ...]:
    doc = documents()[doc_id]
    return tuple(parse_document(read_text(CORPUS, doc), doc))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS
