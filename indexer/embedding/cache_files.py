"""The two files of the embedding cache, read without trusting them.

A cache file is only a shortcut: whatever a crash, a full disk or a stray edit left
behind, the readers here return the part that is intact and say in a few words what
was not, and never raise, so a damaged cache costs re-embedding, not a failed build.

The log is a sequence of fixed-size records after a 16-byte header (magic, version,
dimension): 32-byte SHA-256 of the text, the float32 vector, CRC-32 of both. Fixed
sizes keep every record findable after a bad one, and the checksum tells a record cut
short by a kill or a full disk, or changed on disk, from a good one. The header's
dimension rejects a log written for other vectors as a whole.

The compacted file stays the ``.npz`` earlier versions wrote (``keys`` then
``vectors``, uncompressed), so old caches need no migration and older checkouts read
new ones. Its table of contents sits at the end, the first thing a truncation loses;
``read_npz`` then walks the members from the front and keeps the complete rows.
"""

from __future__ import annotations

import io
import math
import os
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

LOG_MAGIC = b"PSEMBLOG"
LOG_VERSION = 1
_HEADER = struct.Struct("<8sII")  # magic, version, dimension
HEADER_SIZE = _HEADER.size
_KEY_BYTES = 32  # sha256 digest
_CRC = struct.Struct("<I")
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")  # a zip member's local file header


def log_header(dim: int) -> bytes:
    """The first bytes of a log holding ``dim``-dimensional vectors."""
    return _HEADER.pack(LOG_MAGIC, LOG_VERSION, dim)


def record_size(dim: int) -> int:
    """Bytes of one log record."""
    return _KEY_BYTES + 4 * dim + _CRC.size


def encode_records(vectors: dict[str, np.ndarray], dim: int) -> bytes:
    """Log records for ``vectors`` (hex text hash → vector of ``dim`` floats)."""
    parts = []
    for key, vector in vectors.items():
        values = np.asarray(vector, dtype="<f4")
        if values.shape != (dim,):
            raise ValueError(f"vector of shape {values.shape}, expected ({dim},)")
        body = bytes.fromhex(key) + values.tobytes()
        parts.append(body + _CRC.pack(zlib.crc32(body)))
    return b"".join(parts)


def read_log(path: Path, dim: int) -> tuple[dict[str, np.ndarray], str | None]:
    """The vectors of the intact records of a log, and what was wrong with it (or None)."""
    try:
        blob = path.read_bytes()
    except OSError as exc:
        return {}, f"unreadable ({exc.strerror or exc})"
    if len(blob) < HEADER_SIZE or not blob.startswith(LOG_MAGIC):
        return {}, "no log header"
    _, version, found_dim = _HEADER.unpack_from(blob)
    if version != LOG_VERSION:
        return {}, f"unknown log version {version}"
    if found_dim != dim:
        return {}, f"vectors of dimension {found_dim}, expected {dim}"
    size = record_size(dim)
    whole, torn = divmod(len(blob) - HEADER_SIZE, size)
    view = memoryview(blob)
    vectors: dict[str, np.ndarray] = {}
    bad = 0
    for offset in range(HEADER_SIZE, HEADER_SIZE + whole * size, size):
        body = view[offset : offset + size - _CRC.size]
        if zlib.crc32(body) != _CRC.unpack_from(view, offset + len(body))[0]:
            bad += 1
            continue
        key = bytes(body[:_KEY_BYTES]).hex()
        vectors[key] = np.frombuffer(blob, dtype="<f4", count=dim, offset=offset + _KEY_BYTES)
    problems = []
    if bad:
        problems.append(f"{bad} record(s) with a bad checksum skipped")
    if torn:
        problems.append(f"torn last record ({torn} bytes) dropped")
    return vectors, "; ".join(problems) or None


def read_npz(path: Path, dim: int) -> tuple[dict[str, np.ndarray], str | None]:
    """The vectors of a compacted cache file, and what was wrong with it (or None)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
        problem = None
    except Exception:  # whatever a damaged zip raises (BadZipFile, EOFError, ValueError …)
        try:
            blob = path.read_bytes()
        except OSError as exc:
            return {}, f"unreadable ({exc.strerror or exc})"
        members = _salvage_members(blob)
        if "keys.npy" not in members or "vectors.npy" not in members:
            return {}, "unreadable"
        (keys, keys_whole), (vectors, vectors_whole) = members["keys.npy"], members["vectors.npy"]
        problem = "damaged" if keys_whole and vectors_whole else "truncated"
    if len(keys) == 0:
        return {}, problem
    if keys.dtype.kind != "U" or vectors.ndim != 2 or vectors.shape[1] != dim:
        return {}, f"vectors of shape {vectors.shape} (keys {keys.dtype}), expected (n, {dim})"
    count = min(len(keys), len(vectors))
    if problem is None and len(keys) != len(vectors):
        problem = f"{len(keys)} keys for {len(vectors)} vectors"
    rows = vectors[:count].astype(np.float32, copy=False)
    return {str(k): v for k, v in zip(keys[:count], rows, strict=True)}, problem


def _salvage_members(blob: bytes) -> dict[str, tuple[np.ndarray, bool]]:
    """The arrays of an uncompressed .npz, found from the front, each with whether it is whole.

    A member cut off by the end of the file keeps its complete leading rows; a whole
    member whose checksum fails is left out (its rows cannot be told apart).
    """
    out: dict[str, tuple[np.ndarray, bool]] = {}
    offset = 0
    while blob.startswith(b"PK\x03\x04", offset) and offset + _LOCAL_HEADER.size <= len(blob):
        fields = _LOCAL_HEADER.unpack_from(blob, offset)
        flags, method, crc, name_len, extra_len = fields[2], fields[3], fields[6], *fields[9:]
        name = blob[offset + 30 : offset + 30 + name_len].decode("utf-8", "replace")
        start = offset + 30 + name_len + extra_len
        if method != zipfile.ZIP_STORED or flags & 0x1:
            break
        try:
            stream = io.BytesIO(blob[start : start + 65_536])
            major, _ = np.lib.format.read_magic(stream)
            read_header = {
                1: np.lib.format.read_array_header_1_0,
                2: np.lib.format.read_array_header_2_0,
            }[major]
            shape, fortran, dtype = read_header(stream)
        except Exception:  # a cut-off or garbled .npy header (ValueError, SyntaxError …)
            break
        if fortran or dtype.hasobject or not shape:
            break
        data_start = start + stream.tell()
        row_items = math.prod(shape[1:])
        row_bytes = dtype.itemsize * row_items
        end = data_start + row_bytes * shape[0]
        whole = end <= len(blob)
        rows = shape[0] if whole else (len(blob) - data_start) // max(row_bytes, 1)
        if whole and zlib.crc32(blob[start:end]) != crc:
            break
        array = np.frombuffer(blob, dtype=dtype, count=rows * row_items, offset=data_start)
        out[name] = (array.reshape((rows, *shape[1:])), whole)
        if not whole:
            break
        offset = end
    return out


def write_npz(path: Path, keys: list[str], vectors: np.ndarray) -> None:
    """Replace ``path`` atomically and durably by a cache file of these vectors."""
    tmp = path.with_suffix(f".tmp-{os.getpid()}.npz")
    try:
        with open(tmp, "wb") as out:
            np.savez(out, keys=np.array(keys, dtype="U64"), vectors=vectors)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` survive a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
