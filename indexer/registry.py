"""The corpus's list of documents (``corpus/documents.json``): entries added, replaced and
removed, written atomically, and a change that is undone when it fails.

``documents.json`` is read by every build; a reader must see the old list or the new one,
never half a file, so it is written to a temporary file and moved into place with
``os.replace``. A change (a new text file, a new entry, the rebuild that follows) runs inside
:func:`corpus_change`, which holds a lock against a second ``add``/``remove`` and, when
anything raises, puts ``documents.json`` and the touched text files back as they were.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from indexer.errors import InputError, NotFoundError
from indexer.records import DocumentInfo

MANIFEST = "documents.json"
LOCK = ".documents.lock"

# A document id becomes a file name in the corpus and a URL path segment: letters, digits,
# dot, dash and underscore, starting with a letter or digit (no "..", no "/", no hidden file).
DOC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")

Entry = dict[str, Any]


class RegistryError(InputError):
    """A document id or entry that cannot be registered; the message says why."""


class DocumentExistsError(RegistryError):
    """The document id is registered already (and no replacement was asked for)."""


class UnknownDocumentError(NotFoundError):
    """No registered document has this id."""


def check_doc_id(doc_id: str) -> str:
    """``doc_id`` when it is a safe file name, else RegistryError."""
    if not DOC_ID.fullmatch(doc_id) or ".." in doc_id:
        raise RegistryError(
            f"document id {doc_id!r} is not a safe file name: use letters, digits, '.', '-' "
            "and '_', starting with a letter or digit (e.g. isesaki-jisshi-r3)"
        )
    return doc_id


def read_entries(corpus_dir: Path) -> list[Entry]:
    """The entries of ``documents.json`` as stored; none when the file does not exist yet."""
    path = corpus_dir / MANIFEST
    if not path.is_file():
        return []
    return list(json.loads(path.read_text(encoding="utf-8"))["documents"])


def entry_of(doc: DocumentInfo) -> Entry:
    """The stored form of a document: its fields, without an unset layout."""
    return {k: v for k, v in asdict(doc).items() if not (k == "layout" and v is None)}


def with_document(entries: list[Entry], doc: DocumentInfo, *, replace: bool) -> list[Entry]:
    """``entries`` with ``doc`` added at the end, or in place of the entry with its id."""
    ids = [e["doc_id"] for e in entries]
    if doc.doc_id in ids and not replace:
        raise DocumentExistsError(
            f"document {doc.doc_id!r} exists already; give --replace to replace it, "
            "or choose another --doc-id"
        )
    if doc.doc_id in ids:
        return [entry_of(doc) if e["doc_id"] == doc.doc_id else e for e in entries]
    return [*entries, entry_of(doc)]


def find_entry(entries: list[Entry], doc_id: str) -> Entry:
    """The entry with ``doc_id``, or UnknownDocumentError listing the registered ids."""
    for entry in entries:
        if entry["doc_id"] == doc_id:
            return entry
    known = ", ".join(e["doc_id"] for e in entries) or "none"
    raise UnknownDocumentError(f"no document {doc_id!r}; registered: {known}")


def without_document(entries: list[Entry], doc_id: str) -> list[Entry]:
    """``entries`` without the one of ``doc_id`` (which must exist)."""
    find_entry(entries, doc_id)
    return [e for e in entries if e["doc_id"] != doc_id]


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` at once: temporary file beside it, fsync, ``os.replace``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_entries(corpus_dir: Path, entries: list[Entry]) -> None:
    """Store ``entries`` as ``documents.json`` atomically."""
    text = json.dumps({"documents": entries}, ensure_ascii=False, indent=2) + "\n"
    write_atomic(corpus_dir / MANIFEST, text.encode("utf-8"))


def _restore(saved: dict[Path, bytes | None]) -> None:
    for path, data in saved.items():
        if data is None:
            path.unlink(missing_ok=True)
        else:
            write_atomic(path, data)


@contextmanager
def corpus_change(corpus_dir: Path, files: list[Path]) -> Iterator[None]:
    """Run one change of the corpus under its lock; on any exception, ``documents.json`` and
    ``files`` get back the content they had (a file that did not exist is removed again)."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    with (corpus_dir / LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        paths = [corpus_dir / MANIFEST, *files]
        saved = {p: p.read_bytes() if p.is_file() else None for p in paths}
        try:
            yield
        except BaseException:
            _restore(saved)
            raise
