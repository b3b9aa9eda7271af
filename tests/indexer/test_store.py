"""Index round trip, manifest checks, damage detection, atomic publishing, determinism."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import CORPUS, hashing_settings_in

from indexer import store as store_module
from indexer.build import build_index
from indexer.embedding.hashing import HashingEmbedder
from indexer.settings import Settings
from indexer.store import IndexMismatchError, IndexMissingError
from service.search import open_engine

DOC = "isesaki-gyokaku-r2-r5"


@pytest.fixture()
def settings(tmp_path) -> Settings:
    return hashing_settings_in(tmp_path)


def _build(settings: Settings):
    return build_index(settings, HashingEmbedder(), doc_ids=[DOC], progress=False)


def test_round_trip_keeps_chunks_records_and_manifest(settings):
    report = _build(settings)
    engine = open_engine(settings, HashingEmbedder())
    index = engine.index
    assert len(index.chunks) == report.chunks == index.dense.ntotal
    assert index.manifest["counts"]["documents"][DOC]["projects"] == 55
    assert index.manifest["embedder"]["backend"] == "hashing"
    record = engine.project(DOC, "1-(1)-③")
    assert record.project_name == "証明書コンビニ交付サービスの推進"
    assert record.fields and all(f.text for f in record.fields)
    hits = engine.search("証明書 コンビニ交付", top_k=3)
    assert hits[0].project_id == "1-(1)-③"


def test_missing_index_says_what_to_run(settings):
    with pytest.raises(IndexMissingError, match="plansearch index"):
        open_engine(settings, HashingEmbedder())


def test_index_from_another_model_is_refused(settings):
    _build(settings)
    expected = r"char-bigram-hash-256.*char-bigram-hash-128.*plansearch index"
    with pytest.raises(IndexMismatchError, match=expected):
        open_engine(settings, HashingEmbedder(dim=128))


def test_index_from_another_format_version_is_refused(settings):
    _build(settings)
    manifest_path = settings.index_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["format_version"] = 0
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatchError, match="format 0"):
        open_engine(settings, HashingEmbedder())


def test_index_of_a_changed_corpus_is_refused(settings, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = settings.model_copy(update={"corpus_dir": corpus})
    _build(settings)
    # A text the index does not hold may change: the index is still served.
    other = corpus / "isesaki-jisshi-r3.txt"
    other.write_text(other.read_text(encoding="utf-8") + "\n追記\n", encoding="utf-8")
    assert open_engine(settings, HashingEmbedder()).search("証明書", top_k=1)
    text = corpus / "isesaki-gyokaku-r2-r5.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("53,124", "53,125"), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match=r"corpus changed.*plansearch index"):
        open_engine(settings, HashingEmbedder())
    _build(settings)  # what the message says to run
    assert open_engine(settings, HashingEmbedder()).search("証明書", top_k=1)


def test_damaged_file_is_detected_by_checksum(settings):
    _build(settings)
    dense = settings.index_dir / "dense.faiss"
    dense.write_bytes(dense.read_bytes()[:-100])
    with pytest.raises(IndexMismatchError, match=r"dense\.faiss.*damaged"):
        open_engine(settings, HashingEmbedder())


def test_failed_build_leaves_previous_index_served(settings, monkeypatch):
    _build(settings)
    before = settings.index_dir.resolve()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_module, "publish", broken)  # the last step of staged_build
    with pytest.raises(RuntimeError, match="disk full"):
        _build(settings)
    assert settings.index_dir.resolve() == before
    builds = list((settings.index_dir.parent / "index-builds").iterdir())
    assert builds == [before]  # the half-written build was removed
    assert open_engine(settings, HashingEmbedder()).search("証明書", top_k=1)


def test_rebuild_is_deterministic_and_reuses_cached_vectors(settings):
    first = _build(settings)
    hits_first = open_engine(settings, HashingEmbedder()).search("窓口 手続 電子化", top_k=10)
    second = _build(settings)
    assert second.embedded == 0 and first.embedded == first.chunks
    hits_second = open_engine(settings, HashingEmbedder()).search("窓口 手続 電子化", top_k=10)
    assert [h.chunk_id for h in hits_first] == [h.chunk_id for h in hits_second]
    assert [h.score for h in hits_first] == [h.score for h in hits_second]
    # The superseded build is gone; only the published one remains.
    assert len(list((settings.index_dir.parent / "index-builds").iterdir())) == 1


@pytest.mark.parametrize("name", ["chunks.jsonl", "records.jsonl", "lexical/params.index.json"])
def test_any_corrupted_artifact_is_refused(settings, name):
    _build(settings)
    path = settings.index_dir / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexMismatchError, match="damaged"):
        open_engine(settings, HashingEmbedder())


def test_interrupted_embedding_keeps_old_index_and_finished_work(settings, monkeypatch):
    _build(settings)
    served = settings.index_dir.resolve()
    settings = settings.model_copy(update={"chunk_max_tokens": 200, "embed_batch_size": 8})
    embedder, calls = HashingEmbedder(), {"n": 0}
    real = embedder._embed

    def interrupted(texts, is_query):
        calls["n"] += 1
        if calls["n"] > 40:
            raise KeyboardInterrupt
        return real(texts, is_query)

    monkeypatch.setattr(embedder, "_embed", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_index(settings, embedder, doc_ids=[DOC], progress=False)
    assert settings.index_dir.resolve() == served
    assert open_engine(settings, HashingEmbedder()).search("証明書", top_k=1)
    monkeypatch.undo()
    resumed = build_index(settings, HashingEmbedder(), doc_ids=[DOC], progress=False)
    assert 0 < resumed.embedded < resumed.chunks  # vectors saved before the interrupt are reused


def test_two_processes_build_the_same_files(tmp_path):
    # Each process has its own string hash seed; set order must not reach a file (bm25s numbered
    # its vocabulary in set order, so two builds of one corpus wrote different lexical files).
    manifests = []
    for seed in ("1", "2"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "PLANSEARCH_EMBEDDER": "hashing",
            "PLANSEARCH_CORPUS_DIR": str(CORPUS),
            "PLANSEARCH_INDEX_DIR": str(tmp_path / seed / "index"),
            "PLANSEARCH_CACHE_DIR": str(tmp_path / seed / "cache"),
        }
        command = [sys.executable, "-m", "service", "index", "--doc-id", DOC, "--quiet"]
        subprocess.run(command, env=env, check=True, capture_output=True, timeout=300)
        manifests.append(json.loads((tmp_path / seed / "index" / "manifest.json").read_text()))
    assert manifests[0]["files"] == manifests[1]["files"]
    assert {"axes.npy", "lexical/vocab.index.json"} <= set(manifests[0]["files"])
