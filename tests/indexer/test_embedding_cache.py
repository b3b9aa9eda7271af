"""The embedding cache survives a kill, a torn or damaged file, and reads the old format."""

from __future__ import annotations

import errno
import logging
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import CORPUS, ROOT

from indexer.build import build_index
from indexer.embedding import cache_files
from indexer.embedding.cache import EmbeddingCache, text_key
from indexer.embedding.hashing import HashingEmbedder
from indexer.settings import Settings
from indexer.store import DENSE

DOC = "isesaki-gyokaku-r2-r5"  # 529 chunks (511 before ecc24be), 67 batches of 8
BATCH = 8
DIM = HashingEmbedder().identity.dim


def _settings(root) -> Settings:
    return Settings(
        embedder="hashing",
        corpus_dir=CORPUS,
        index_dir=root / "index",
        cache_dir=root / "cache",
        embed_batch_size=BATCH,
    )


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """A build from an empty cache: its report and its dense index, byte for byte."""
    settings = _settings(tmp_path_factory.mktemp("clean"))
    report = build_index(settings, HashingEmbedder(), doc_ids=[DOC], progress=False)
    assert report.embedded == report.chunks == 529
    return report, (settings.index_dir / DENSE).read_bytes()


@pytest.fixture()
def settings(tmp_path) -> Settings:
    return _settings(tmp_path)


def _cache(settings: Settings) -> EmbeddingCache:
    return EmbeddingCache(settings.cache_dir, HashingEmbedder())


def _file(settings: Settings, suffix: str):
    """The cache's ``.npz`` or ``.log`` (found by name: opening the cache would fold the log)."""
    (path,) = settings.cache_dir.glob(f"embeddings-*{suffix}")
    return path


def _build(settings: Settings, embedder: HashingEmbedder | None = None):
    return build_index(settings, embedder or HashingEmbedder(), doc_ids=[DOC], progress=False)


def _assert_same_as_clean(settings: Settings, clean) -> None:
    assert (settings.index_dir / DENSE).read_bytes() == clean[1]
    again = _build(settings)
    assert again.embedded == 0  # everything is in the compacted file now
    assert not list(settings.cache_dir.glob("*.log"))


def _interrupted_build(settings: Settings, batches: int) -> None:
    """A build stopped (as by Ctrl-C) in its batch ``batches + 1``: ``batches`` are logged."""
    embedder, calls = HashingEmbedder(), {"n": 0}
    real = embedder._embed

    def interrupted(texts, is_query):
        calls["n"] += 1
        if calls["n"] > batches:
            raise KeyboardInterrupt
        return real(texts, is_query)

    embedder._embed = interrupted  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        _build(settings, embedder)


def _cache_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "indexer.embedding.cache"]


# -- (a) a build killed with SIGKILL resumes from its log ------------------------------------

_SLOW_BUILD = """
import sys, time
from pathlib import Path
from indexer.build import build_index
from indexer.embedding.hashing import HashingEmbedder
from indexer.settings import Settings

corpus, root, done, doc = sys.argv[1:5]
embedder = HashingEmbedder()
real = embedder._embed

def slow(texts, is_query):
    vectors = real(texts, is_query)
    with open(done, "a") as out:  # one line per batch the model finished
        out.write("x\\n")
    time.sleep(0.05)
    return vectors

embedder._embed = slow
settings = Settings(
    embedder="hashing", corpus_dir=Path(corpus), index_dir=Path(root) / "index",
    cache_dir=Path(root) / "cache", embed_batch_size=8,
)
build_index(settings, embedder, doc_ids=[doc], progress=False)
print("finished")
"""


def test_a_killed_build_loses_at_most_one_batch_and_the_next_resumes(settings, clean, tmp_path):
    done = tmp_path / "batches-done"
    child = subprocess.Popen(
        [sys.executable, "-c", _SLOW_BUILD, str(CORPUS), str(tmp_path), str(done), DOC],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    five_batches = cache_files.HEADER_SIZE + 5 * BATCH * cache_files.record_size(DIM)
    deadline = time.monotonic() + 60
    try:
        while not any(p.stat().st_size >= five_batches for p in settings.cache_dir.glob("*.log")):
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the slow build logged nothing within 60 s"
            time.sleep(0.01)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    finished = len(done.read_text().splitlines())
    saved, _ = cache_files.read_log(_file(settings, ".log"), DIM)
    assert (finished - 1) * BATCH <= len(saved) <= finished * BATCH  # at most one batch lost
    assert 5 * BATCH <= len(saved) < clean[0].chunks
    assert not settings.index_dir.exists()  # the killed build published nothing

    seen: list[str] = []
    embedder = HashingEmbedder()
    real = embedder._embed

    def counting(texts, is_query):
        seen.extend(texts)
        return real(texts, is_query)

    embedder._embed = counting  # type: ignore[method-assign]
    resumed = _build(settings, embedder)
    assert resumed.embedded == len(seen) == clean[0].chunks - len(saved)
    assert not {text_key(t) for t in seen} & saved.keys()  # no saved vector is computed again
    _assert_same_as_clean(settings, clean)


# -- (b) damaged files: one warning, the good part reused, the rest re-embedded --------------


def test_a_truncated_cache_file_is_reported_and_its_complete_rows_reused(settings, clean, caplog):
    _build(settings)
    path = _file(settings, ".npz")
    blob = path.read_bytes()
    path.write_bytes(blob[: len(blob) * 6 // 10])  # as a crash or a full disk leaves it
    with caplog.at_level(logging.WARNING):
        report = _build(settings)
    reused = clean[0].chunks - report.embedded
    assert 0 < reused < clean[0].chunks
    (warning,) = _cache_warnings(caplog)
    assert str(path) in warning and "truncated" in warning and f"reused {reused} vectors" in warning
    caplog.clear()
    _assert_same_as_clean(settings, clean)
    assert not _cache_warnings(caplog)  # the file was rewritten whole


def _tear_last_record(log_path) -> None:
    with open(log_path, "r+b") as f:
        f.truncate(log_path.stat().st_size - cache_files.record_size(DIM) // 2)


def _flip_a_byte_in_record(log_path, index: int = 3) -> None:
    data = bytearray(log_path.read_bytes())
    data[cache_files.HEADER_SIZE + index * cache_files.record_size(DIM) + 40] ^= 0xFF
    log_path.write_bytes(bytes(data))


def _other_dimension(log_path) -> None:
    data = log_path.read_bytes()
    log_path.write_bytes(cache_files.log_header(DIM // 2) + data[cache_files.HEADER_SIZE :])


@pytest.mark.parametrize(
    ("damage", "reported", "reused"),
    [
        (_tear_last_record, "torn last record", 10 * BATCH - 1),
        (_flip_a_byte_in_record, "1 record(s) with a bad checksum skipped", 10 * BATCH - 1),
        (_other_dimension, f"dimension {DIM // 2}, expected {DIM}", 0),
    ],
)
def test_a_damaged_log_is_reported_and_its_intact_records_reused(
    settings, clean, caplog, damage, reported, reused
):
    _interrupted_build(settings, batches=10)
    log_path = _file(settings, ".log")
    assert len(cache_files.read_log(log_path, DIM)[0]) == 10 * BATCH
    damage(log_path)
    with caplog.at_level(logging.WARNING):
        report = _build(settings)
    assert report.embedded == clean[0].chunks - reused
    (warning,) = _cache_warnings(caplog)
    assert str(log_path) in warning and reported in warning
    assert f"reused {reused} vectors" in warning
    _assert_same_as_clean(settings, clean)


def test_a_cache_file_of_another_dimension_is_ignored(settings, clean, caplog):
    path = _cache(settings).path
    path.parent.mkdir(parents=True)
    keys = np.array([text_key("一")], dtype="U64")
    np.savez(path, keys=keys, vectors=np.ones((1, 64), dtype=np.float32))
    with caplog.at_level(logging.WARNING):
        report = _build(settings)
    assert report.embedded == clean[0].chunks
    (warning,) = _cache_warnings(caplog)
    assert str(path) in warning and f"expected (n, {DIM})" in warning
    _assert_same_as_clean(settings, clean)


def test_a_failed_append_leaves_no_torn_record_and_the_build_still_saves(
    tmp_path, caplog, monkeypatch
):
    texts = [f"文{i}" for i in range(40)]
    cache = EmbeddingCache(tmp_path, HashingEmbedder())
    cache.embed(texts[:8], batch_size=8)  # a compacted file, then a log for the next batches
    writes = {"n": 0}
    real_write = os.write

    def full_disk(fd, data):
        writes["n"] += 1
        if writes["n"] == 2:  # the second batch: half of it fits, then the disk is full
            real_write(fd, bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_disk)
    with caplog.at_level(logging.WARNING):
        vectors, computed = cache.embed(texts, batch_size=8)
    monkeypatch.undo()
    assert computed == 32
    assert np.array_equal(vectors, HashingEmbedder().encode_passages(texts))
    assert any("No space left" in w for w in _cache_warnings(caplog))
    assert not cache.log_path.exists()  # folded into the file at the end of embed
    assert EmbeddingCache(tmp_path, HashingEmbedder()).embed(texts)[1] == 0


def test_a_cache_opened_meanwhile_keeps_both_builds_vectors(tmp_path):
    first, second = [f"一{i}" for i in range(40)], [f"二{i}" for i in range(40)]
    embedder, calls = HashingEmbedder(), {"n": 0}
    real = embedder._embed

    def with_another_build(texts, is_query):
        calls["n"] += 1
        if calls["n"] == 3:  # another process opens the cache (folding this log) and saves
            EmbeddingCache(tmp_path, HashingEmbedder()).embed(second, batch_size=8)
        return real(texts, is_query)

    embedder._embed = with_another_build  # type: ignore[method-assign]
    EmbeddingCache(tmp_path, embedder).embed(first, batch_size=8)
    assert EmbeddingCache(tmp_path, HashingEmbedder()).embed(first + second)[1] == 0


# -- (c) the file earlier versions wrote ------------------------------------------------------


def test_an_old_cache_file_is_read_and_stays_readable_the_old_way(settings, clean, caplog):
    """The .npz as earlier versions wrote it (np.savez of keys and vectors, no log)."""
    cache = _cache(settings)
    texts = sorted(set(_texts(settings)))[:200]
    keys = sorted(text_key(t) for t in texts)
    by_key = dict(zip(map(text_key, texts), HashingEmbedder().encode_passages(texts), strict=True))
    cache.path.parent.mkdir(parents=True)
    np.savez(
        cache.path,
        keys=np.array(keys, dtype="U64"),
        vectors=np.stack([by_key[k] for k in keys]),
    )
    with caplog.at_level(logging.WARNING):
        report = _build(settings)
    assert report.embedded == clean[0].chunks - 200
    assert not _cache_warnings(caplog)
    _assert_same_as_clean(settings, clean)
    with np.load(cache.path, allow_pickle=False) as data:  # what the earlier reader does
        assert len(data["keys"]) == data["vectors"].shape[0] == clean[0].chunks


def test_an_empty_old_cache_file_is_no_damage(tmp_path, caplog):
    np.savez(
        tmp_path / EmbeddingCache(tmp_path, HashingEmbedder()).path.name,
        keys=np.array([], dtype="U64"),
        vectors=np.empty((0, 0)),
    )
    with caplog.at_level(logging.WARNING):
        assert len(EmbeddingCache(tmp_path, HashingEmbedder())) == 0
    assert not _cache_warnings(caplog)


def _texts(settings: Settings) -> list[str]:
    from indexer.build import chunk_corpus, parse_corpus
    from indexer.chunking import ChunkingConfig

    config = ChunkingConfig.from_settings(settings)
    chunks = chunk_corpus(parse_corpus(settings.corpus_dir, [DOC]), HashingEmbedder(), config)
    return [c.indexed_text for c in chunks]
