"""The embedding model runs on one dedicated thread, whatever the number of threads that ask."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from indexer.embedding.hashing import HashingEmbedder
from indexer.embedding.worker import ModelWorker


def test_every_model_call_runs_on_one_thread_and_answers_its_own_caller():
    embedder, seen = HashingEmbedder(), set()
    real = embedder._embed

    def recording(texts, is_query):
        seen.add(threading.get_ident())
        return real(texts, is_query)

    embedder._embed = recording  # type: ignore[method-assign]
    questions = [f"子育て支援の事業 {i}" for i in range(64)]
    with ThreadPoolExecutor(16) as pool:
        vectors = list(pool.map(embedder.encode_query, questions))
    assert len(seen) == 1 and threading.get_ident() not in seen
    # Each caller got the vector of its own question, not a neighbour's.
    alone = HashingEmbedder()
    for q, v in zip(questions, vectors, strict=True):
        np.testing.assert_allclose(v, alone.encode_query(q), rtol=1e-6)


def test_a_model_error_reaches_the_caller_and_the_worker_goes_on():
    embedder = HashingEmbedder()
    real = embedder._embed

    def failing(texts, is_query):
        if texts == ["boom"]:
            raise RuntimeError("model failed")
        return real(texts, is_query)

    embedder._embed = failing  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="model failed"):
        embedder.encode_query("boom")
    assert embedder.encode_query("ごみ").shape == (256,)


def test_the_worker_thread_ends_when_idle_and_comes_back_on_demand():
    calls: list[int] = []

    def embed(texts, is_query):
        calls.append(threading.get_ident())
        return np.ones((len(texts), 4), dtype=np.float32)

    worker = ModelWorker(embed, name="test-embedder", idle_s=0.05)
    worker.run(["a"], True)
    deadline = time.monotonic() + 5
    while any(t.name == "test-embedder" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the idle worker thread did not end"
        time.sleep(0.01)
    assert worker.run(["b", "c"], False).shape == (2, 4)
    assert len(calls) == 2
