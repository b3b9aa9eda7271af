"""The loaded engine of a running service, swapped atomically when a new index is published.

``plansearch index`` publishes a new build by replacing the ``index_dir`` link.
The service notices the link now points elsewhere, loads the new build in a
worker thread while it keeps answering from the old one, and swaps the
reference only when the new engine is complete. A build that fails to load
leaves the old engine serving and the error visible in the log.
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
from service.search import SearchEngine, open_engine

log = logging.getLogger("plansearch")


class EngineHolder:
    """Holds the current engine and the error of the last failed load."""

    def __init__(self, settings: Settings, engine: SearchEngine | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.error: str | None = None
        self._embedder: Embedder | None = engine.embedder if engine else None
        self._loaded_from: Path | None = engine.index.path if engine else None
        self._lock = threading.Lock()

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
            except (IndexStoreError, EmbedderError, UnavailableError) as exc:
                self.error = str(exc)
                log.error("plansearch: %s", exc)
                return False
            self.engine, self.error, self._loaded_from = engine, None, target
            log.info("plansearch: serving index %s", target)
            return True

    def refresh_if_changed(self) -> bool:
        """Reload when the published index is another build than the one served."""
        target = self._target()
        if target is None or target == self._loaded_from:
            return False
        return self.load()
