"""The loaded engine of a running service, swapped atomically when a new index is published.

``plansearch index`` publishes a new build by replacing the ``index_dir`` link.
The service notices the link now points elsewhere, loads the new build in a
worker thread while it keeps answering from the old one, and swaps the
reference only when the new engine is complete. A build that fails to load
leaves the old engine serving and the error visible in the log.

A sharded engine holds shard actors on the Ray cluster (with their parts in its
object store): once swapped out, its backend is closed, after a grace period in
which the requests that started on it finish (a shard answers within
``shard_timeout`` or is reported missing, and a request asks at most twice), so
reloads do not pile up actors.

A loaded engine is warmed with one question before it serves (its lazy tables, the readings of
the index vocabulary, are built then, not on a user's first question), and the dictionary pages
that start-up alone touched are then released (``service.file_pages``). Questions touch pages
again, each a different part of the dictionary, so the service's watcher releases them whenever
more than ``DICTIONARY_RESIDENT_KB`` are resident (``trim_dictionary``): the dictionary's share of
the server's memory stays bounded however many distinct questions it has read.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from indexer.embedding import EmbedderError, make_embedder
from indexer.embedding.base import Embedder
from indexer.errors import UnavailableError
from indexer.settings import Settings
from indexer.store import IndexStoreError
from service import file_pages
from service.answer.scoring import kanji_stems
from service.search import SearchEngine, open_engine

log = logging.getLogger("plansearch")

REQUEST_ROUNDS = 2  # retrievals of one request at most (an answer may retrieve twice)
# Kana for a noun: it reaches the readings table (じしん → 地震), which is built on first use.
WARM_QUESTION = "じしんの窓口"
# Resident dictionary pages (KB) above which the watcher releases them. Measured on this
# machine (plansearch-eval bench, 218 questions on every route and 1-8 clients): without a
# bound the dictionary held ~170 MB of the server's 417-420 MB peak by the end of the run
# (sys.dic 188 MB and matrix.bin 72 MB mapped); 180 requests already left 133 MB. A released
# page stays in the kernel's page cache, so mapping it back costs a minor fault, no disk read.
DICTIONARY_RESIDENT_KB = 48 * 1024


def prepare(engine: SearchEngine) -> None:
    """Build what the engine builds on first use, then release the dictionary pages tagging at
    start-up touched (the everyday-word tables, the vocabulary's readings, the answer units'
    lemmas: ~80 MB resident), each step from the pages the one before left released, so that
    start-up's peak memory holds one step's pages, not all of them."""
    dictionary = file_pages.dictionary_dir()
    for step in (lambda: engine.analyzer.parse(WARM_QUESTION), lambda: warm_answer_units(engine)):
        if dictionary is not None:
            file_pages.release(dictionary)
        step()
    if dictionary is not None:
        file_pages.release(dictionary)


def warm_answer_units(engine: SearchEngine) -> int:
    """Split every chunk into its answer units and tag their lemmas once, at load, as many
    chunks as the answerer keeps (``AnswerConfig.unit_cache_chunks``); the number made.

    They are a function of the chunk alone (service.answer.engine.ChunkUnits), yet a fresh
    server tagged them with MeCab on the answers that first retrieved each chunk: ~24 unit
    texts a question, 5 ms of CPU, on a fresh question of a fresh server. All 3,043 chunks of
    this corpus take 1.8 s of CPU and 16 MB of anonymous memory. The kanji stems of each unit's
    lemmas (``kanji_stems``, kept per unit) are made then too."""
    units = engine.answerer.units
    chunks = engine.index.chunks[: units.maxsize]
    for i, chunk in enumerate(chunks, 1):
        # A hit as retrieval makes it (rank and score do not enter the units).
        department, made = units.of(engine._hit(0, chunk.chunk_id, 0.0))
        for _, lemmas in [*([department] if department else []), *made]:
            kanji_stems(lemmas)
        if i % WARM_TRIM_CHUNKS == 0:
            trim_dictionary()
    return len(chunks)


# Chunks warmed between checks of the dictionary's resident pages (a check: ~1-2 ms, a pagemap
# read): warmed at once after the readings table, without a release between, start-up was the
# server's peak memory (VmHWM 349 MB fresh, 188 MB resident after its one release). Released
# before each step and as the chunks go, the peak is the readings table's step alone (~146 MB
# of the dictionary): VmHWM 290 MB fresh. 64 chunks map 20-40 MB more.
WARM_TRIM_CHUNKS = 64


def trim_dictionary(bound_kb: int = DICTIONARY_RESIDENT_KB) -> bool:
    """Release the tagger's dictionary pages when more than ``bound_kb`` are resident; True
    when they were released. Reads the dictionary mappings' entries of ``/proc/self/pagemap``
    (about 1 ms of CPU): called every few seconds by the service's watcher, not per request."""
    dictionary = file_pages.dictionary_dir()
    if dictionary is None:
        return False
    try:
        resident = file_pages.resident_kb(dictionary)
    except OSError:  # no /proc: nothing to measure or release
        return False
    return resident > bound_kb and file_pages.release(dictionary) > 0


class EngineHolder:
    """Holds the current engine and the error of the last failed load."""

    def __init__(self, settings: Settings, engine: SearchEngine | None = None) -> None:
        if engine is not None:  # opened by the caller (``plansearch serve`` opens it first)
            prepare(engine)
        self.settings = settings
        self.engine = engine
        self.error: str | None = None
        self._embedder: Embedder | None = engine.embedder if engine else None
        self._loaded_from: Path | None = engine.index.path if engine else None
        self._lock = threading.Lock()
        self._retiring: list[threading.Timer] = []

    def current(self) -> SearchEngine:
        """The engine serving now; UnavailableError (503) says why there is none."""
        engine = self.engine
        if engine is None:
            raise UnavailableError(self.error or "index not loaded; run `plansearch index`")
        return engine

    def _target(self) -> Path | None:
        try:
            return self.settings.index_dir.resolve(strict=True)
        except OSError:
            return None

    def load(self) -> bool:
        """Load the published index; True when a new engine was swapped in."""
        with self._lock:
            target = self._target()
            try:
                self._embedder = self._embedder or make_embedder(self.settings)
                engine = open_engine(self.settings, self._embedder)
                prepare(engine)
            except (IndexStoreError, EmbedderError, UnavailableError) as exc:
                self.error = str(exc)
                log.error("plansearch: %s", exc)
                return False
            old, self.engine = self.engine, engine
            self.error, self._loaded_from = None, target
            log.info("plansearch: serving index %s", target)
            if old is not None:
                self._retire(old)
            return True

    def _retire(self, engine: SearchEngine) -> None:
        """Close a swapped-out engine's backend once the requests it still serves are done."""
        grace = REQUEST_ROUNDS * self.settings.shard_timeout
        timer = threading.Timer(grace, engine.backend.close)
        timer.daemon = True
        self._retiring = [t for t in self._retiring if t.is_alive()] + [timer]
        timer.start()

    def close(self) -> None:
        """Close every backend this holder still holds: the current one and those retiring."""
        with self._lock:
            for timer in self._retiring:
                timer.cancel()
                timer.function()
            self._retiring = []
            if self.engine is not None:
                self.engine.backend.close()

    def refresh_if_changed(self) -> bool:
        """Reload when the published index is another build than the one served."""
        target = self._target()
        if target is None or target == self._loaded_from:
            return False
        return self.load()
