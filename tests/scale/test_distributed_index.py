"""``plansearch index --ray ADDRESS`` (``build_distributed``) on the two-node cluster builds
the index a local build does, with shard parts that serve the same rankings.

The build runs once, through the command itself, so the tests check what a user of the CLI
gets; the cluster is the session's (tests/scale/conftest.py), joined by its address.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from indexer.embedding import make_embedder
from indexer.shards import SHARDS, STATS, load_part, part_dirs
from indexer.store import load_chunks, load_dense
from service.loading import load_index
from service.search import SearchEngine, open_engine
from tests.conftest import hashing_settings_in
from tests.scale.conftest import gold_questions

pytestmark = pytest.mark.ray


@dataclass(frozen=True)
class Built:
    """What ``plansearch index --ray`` printed: ``indexed R records as C chunks (E embedded,
    the rest cached) in S s → DIR``."""

    records: int
    chunks: int
    embedded: int
    index_dir: Path


REPORT = re.compile(r"^indexed (\d+) records as (\d+) chunks \((\d+) embedded.*→ (\S+)$", re.M)


@pytest.fixture(scope="module")
def distributed(ray_cluster, tmp_path_factory):
    """The hashing index built across the cluster (3 shards) by ``plansearch index --ray``,
    with an empty cache."""
    from service.cli import app

    settings = hashing_settings_in(tmp_path_factory.mktemp("distributed"), shards=3)
    address = ray_cluster.get_runtime_context().gcs_address
    env = {
        "PLANSEARCH_EMBEDDER": "hashing",
        "PLANSEARCH_CORPUS_DIR": str(settings.corpus_dir),
        "PLANSEARCH_INDEX_DIR": str(settings.index_dir),
        "PLANSEARCH_CACHE_DIR": str(settings.cache_dir),
        "PLANSEARCH_SHARDS": "3",
    }
    result = CliRunner().invoke(app, ["index", "--ray", address, "--quiet"], env=env)
    assert result.exit_code == 0, result.output
    found = REPORT.search(result.output)
    assert found, result.output
    records, chunks, embedded = (int(g) for g in found.groups()[:3])
    return settings, Built(records, chunks, embedded, Path(found.group(4)))


def test_the_build_equals_a_local_build(distributed, hashing_engine):
    settings, report = distributed
    local = hashing_engine.index
    assert report.index_dir == settings.index_dir
    assert report.chunks == len(local.chunks)
    assert report.records == len(local.records)
    # An empty cache: every distinct text was embedded, on the workers.
    assert report.embedded == len({c.indexed_text for c in local.chunks})
    built = report.index_dir.resolve()
    assert load_chunks(built) == local.chunks
    ids = np.array([c.chunk_id for c in local.chunks], dtype=np.int64)
    assert np.array_equal(
        load_dense(built).reconstruct_batch(ids), local.dense.reconstruct_batch(ids)
    )
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["shards"]["count"] == 3
    assert sum(p["chunks"] for p in manifest["shards"]["parts"]) == len(local.chunks)
    stats = json.loads((built / SHARDS / STATS).read_text(encoding="utf-8"))
    assert stats["num_docs"] == len(local.chunks)
    # Every part file is checksummed, so a damaged part is refused like any index file.
    assert any(name.startswith(f"{SHARDS}/shard-2/") for name in manifest["files"])


def test_distributed_rankings_equal_the_local_build(distributed, hashing_engine):
    settings, _ = distributed
    engine = open_engine(settings, make_embedder(settings))  # PLANSEARCH_SHARDS=3: sharded
    try:
        filters = engine.make_filters()
        for q in gold_questions():
            parsed = hashing_engine.parse(q)
            ours = engine.search_full(parsed, 10, filters).hits
            theirs = hashing_engine.search_full(parsed, 10, filters).hits
            assert [(h.chunk_id, h.score) for h in ours] == [(h.chunk_id, h.score) for h in theirs]
    finally:
        engine.backend.close()  # its shard actors


def test_parts_scored_on_workers_equal_parts_cut_from_the_index(distributed, hashing_engine):
    """The workers scored BM25 from their shard's tokens and the merged statistics; the
    scores equal the single index's, to the bit."""
    _settings, report = distributed
    lexical = hashing_engine.index.lexical
    for directory in part_dirs(report.index_dir.resolve()):
        part = load_part(directory)
        for q in gold_questions()[:30]:
            tokens = list(hashing_engine.parse(q, "lexical").lexical_tokens)
            if tokens:
                full = np.asarray(lexical.get_scores(tokens))[part.rows]
                assert np.array_equal(np.asarray(part.lexical.get_scores(tokens)), full)


def test_the_service_serves_the_parts_the_build_wrote(distributed, hashing_engine):
    from service.backends.ray_shards import RayShardBackend

    settings, _report = distributed
    index = load_index(settings.index_dir, hashing_engine.embedder.identity)
    backend = RayShardBackend.start(index, shards=3)
    try:
        e = hashing_engine
        engine = SearchEngine(index, e.embedder, e.fusion, e.analyzer, e.questions, None, backend)
        filters = engine.make_filters()
        for q in gold_questions()[:40]:
            ours = engine.search_full(q, 10, filters)
            assert not ours.partial
            theirs = hashing_engine.search_full(q, 10, filters).hits
            assert [(h.chunk_id, h.score) for h in ours.hits] == [
                (h.chunk_id, h.score) for h in theirs
            ]
    finally:
        backend.close()


def test_the_router_serves_without_the_matrices(distributed, hashing_engine):
    """The router's index (service/backends/router.py): the parts' memory-mapped vectors and
    the shared statistics stand in for the FAISS and BM25 matrices, with equal answers."""
    from service.backends.ray_shards import RayShardBackend
    from service.backends.router import load_router_index
    from service.query import index_frequencies

    settings, _report = distributed
    e = hashing_engine
    light = load_router_index(settings.index_dir, e.embedder.identity, settings.corpus_dir)
    full = load_index(settings.index_dir, e.embedder.identity)
    assert index_frequencies(light.lexical) == index_frequencies(full.lexical)
    ids = np.array([c.chunk_id for c in full.chunks], dtype=np.int64)
    assert np.array_equal(light.dense.reconstruct_batch(ids), full.dense.reconstruct_batch(ids))
    with pytest.raises(RuntimeError):
        light.dense.reconstruct(int(ids.max()) + 1)

    # Served sharded from the parts the build wrote, open_engine loads the router's index.
    engine = open_engine(settings, e.embedder)
    backend = engine.backend
    try:
        assert isinstance(engine.index.dense, type(light.dense))
        assert isinstance(backend, RayShardBackend)
        filters = engine.make_filters()
        for q in gold_questions()[:30]:
            ours, theirs = engine.search_full(q, 10, filters), e.search_full(q, 10, filters)
            assert not ours.partial
            assert [(h.chunk_id, h.score) for h in ours.hits] == [
                (h.chunk_id, h.score) for h in theirs.hits
            ]
        for q in gold_questions()[:8]:  # the answerer reads IDF weights and hit vectors
            assert engine.answer(q, filters, 5) == e.answer(q, filters, 5)
    finally:
        backend.close()
