"""Passage vectors cached by text hash, one set of files per model identity.

Re-indexing unchanged text then costs nothing: only new or edited chunks reach the model.

Embedding the corpus takes minutes, so its work must survive whatever ends a build:
each batch is appended to a log (``embeddings-<model>.log``) and fsync'd before the next
one starts, which bounds a kill, a crash or a power cut to one lost batch. Rewriting the
whole ``.npz`` per batch would cost O(n²) for the same guarantee; appending costs one
small write. A finished build folds the log into the ``.npz`` (temp file, fsync, atomic
rename, then the log is removed), and so does the next one to open a log left behind, so
the log never holds more than one build's vectors. The file formats and their tolerant
readers are in ``indexer.embedding.cache_files``: a damaged file is reported in one
warning and its intact part reused.

Builds, the service's live re-index and the evaluation may open the same cache at once.
Every read, append and compaction holds an exclusive ``flock`` on ``embeddings-<model>.lock``
(a file that is never removed, so every process locks the same inode), for milliseconds:
a reader never sees a half-appended batch, and a compaction folds in what others have
appended instead of dropping it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from tqdm import tqdm

from indexer.embedding import cache_files
from indexer.embedding.base import Embedder

log = logging.getLogger(__name__)


def _fingerprint(embedder: Embedder) -> str:
    ident = json.dumps(embedder.identity.as_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(ident.encode()).hexdigest()[:16]


def text_key(text: str) -> str:
    """Hash of a passage text (the cache key)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """An on-disk map text-hash → vector for one embedder identity."""

    def __init__(self, cache_dir: Path, embedder: Embedder) -> None:
        stem = f"embeddings-{_fingerprint(embedder)}"
        self.path = cache_dir / f"{stem}.npz"
        self.log_path = cache_dir / f"{stem}.log"
        self._lock_path = cache_dir / f"{stem}.lock"
        self._embedder = embedder
        self._dim = embedder.identity.dim
        self._vectors: dict[str, np.ndarray] = {}
        self._journal = True  # False once an append failed: vectors then wait for save()
        if self.path.is_file() or self.log_path.is_file():
            self._open()

    def _open(self) -> None:
        problems: list[str] = []
        try:
            with self._locked():
                self._vectors, problems = self._read_files()
                if problems or self.log_path.exists():
                    self._compact(on_disk={})  # a clean file, and a fresh log for this build
        except OSError as exc:  # a read-only cache directory: use the files as they are
            log.warning("embedding cache %s not updated: %s", self.path, exc)
            if not self._vectors:
                self._vectors, problems = self._read_files()
        if problems:
            log.warning(
                "embedding cache damaged: %s; reused %d vectors, the rest is re-embedded",
                "; ".join(problems),
                len(self._vectors),
            )

    def __len__(self) -> int:
        return len(self._vectors)

    def embed(
        self, texts: Sequence[str], batch_size: int = 16, progress: bool = False
    ) -> tuple[np.ndarray, int]:
        """Vectors for ``texts`` and how many had to be computed; saves each batch as made."""
        keys = [text_key(t) for t in texts]
        missing = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}.items()
        )
        with tqdm(total=len(missing), desc="embedding", unit="chunk", disable=not progress) as bar:
            for start in range(0, len(missing), batch_size):
                part = missing[start : start + batch_size]
                fresh = self._embedder.encode_passages([t for _, t in part], batch_size=batch_size)
                batch = {k: v for (k, _), v in zip(part, fresh, strict=True)}
                self._vectors.update(batch)
                self._append(batch)
                bar.update(len(part))
        if missing:
            self.save()
        out = np.empty((len(texts), self._dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = self._vectors[k]
        return out, len(missing)

    def save(self) -> None:
        """Fold the log and every vector in memory into the ``.npz``, atomically."""
        try:
            with self._locked():
                self._compact()
        except OSError as exc:
            log.warning("embedding cache %s not saved: %s", self.path, exc)

    # -- files, always under the lock ------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self._lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def _read_files(self) -> tuple[dict[str, np.ndarray], list[str]]:
        vectors: dict[str, np.ndarray] = {}
        problems = []
        readers = ((self.path, cache_files.read_npz), (self.log_path, cache_files.read_log))
        for path, read in readers:
            if path.exists():
                found, problem = read(path, self._dim)
                vectors.update(found)
                if problem:
                    problems.append(f"{path} {problem} ({len(found)} vectors readable)")
        return vectors, problems

    def _compact(self, on_disk: dict[str, np.ndarray] | None = None) -> None:
        if on_disk is None:  # what other processes saved meanwhile
            on_disk, problems = self._read_files()
            if problems:
                log.warning("embedding cache damaged while in use: %s", "; ".join(problems))
        merged = on_disk | self._vectors
        keys = sorted(merged)
        vectors = np.empty((len(keys), self._dim), dtype=np.float32)
        for i, k in enumerate(keys):
            vectors[i] = merged[k]
        for stale in self.path.parent.glob(f"{self.path.stem}.tmp-*.npz"):
            stale.unlink(missing_ok=True)  # left by a compaction that was killed
        cache_files.write_npz(self.path, keys, vectors)
        self.log_path.unlink(missing_ok=True)
        self._vectors = dict(zip(keys, vectors, strict=True))

    def _append(self, batch: dict[str, np.ndarray]) -> None:
        if not self._journal or not batch:
            return
        records = cache_files.encode_records(batch, self._dim)
        try:
            with self._locked():
                self._write_log(records)
        except OSError as exc:
            self._journal = False
            log.warning(
                "embedding cache log %s not written (%s): this build's vectors are saved "
                "only when it ends",
                self.log_path,
                exc,
            )

    def _write_log(self, records: bytes) -> None:
        fd = os.open(self.log_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            header = cache_files.log_header(self._dim)
            size = os.fstat(fd).st_size
            kept = self._intact_length(fd, size, header)
            if kept != size:
                os.ftruncate(fd, kept)  # a torn tail, left by a crash elsewhere
            data = records if kept else header + records
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            except BaseException:
                os.ftruncate(fd, kept)  # never leave half a record for the next append
                raise
        finally:
            os.close(fd)
        if not kept:
            cache_files.fsync_dir(self.log_path.parent)

    def _intact_length(self, fd: int, size: int, header: bytes) -> int:
        """Where the next record goes: 0 (start the log over) or the end of the last whole one."""
        if size < len(header) or os.pread(fd, len(header), 0) != header:
            return 0
        record = cache_files.record_size(self._dim)
        return len(header) + (size - len(header)) // record * record
