"""Release the pages of read-only mapped files that start-up alone touched.

MeCab maps its dictionary (``sys.dic``, 188 MB, and ``matrix.bin``, 72 MB) into the process,
and every page the tagger reads stays in the process's resident memory. A read fault maps not
one page but the 64 KB around it (the kernel's fault-around), so tagging a few hundred words
at start-up, as the everyday-word tables need, leaves 81 MB of the dictionary resident, and the
readings of the index vocabulary, built on first use, 150 MB. Questions read part of it again:
after the 218 gold questions on the three routes, 151 MB with the release against 162 without.

``release`` drops a mapping's pages from this process (``madvise(MADV_DONTNEED)``): they stay
in the kernel's page cache, shared with every other process, and a later read maps them back
without disk I/O. Only shared read-only mappings are released (MeCab maps its files so): no
one can have written to them, so nothing is lost.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

MADV_DONTNEED = 4  # <sys/mman.h> on Linux


def _madvise() -> Callable[[int, int, int], int]:
    libc = ctypes.CDLL(None, use_errno=True)  # this process's own C library
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    libc.madvise.restype = ctypes.c_int
    return libc.madvise


def shared_read_only(maps: str, inside: Path) -> list[tuple[int, int]]:
    """[start, end) of the shared read-only mappings (``r--s`` in ``/proc/PID/maps``) of files
    in directory ``inside``: pages no one can write, so dropping them loses nothing."""
    out = []
    for line in maps.splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and fields[1] == "r--s" and Path(fields[5]).parent == inside:
            start, end = (int(x, 16) for x in fields[0].split("-"))
            out.append((start, end))
    return out


def resident_kb(inside: Path) -> int:
    """Resident KB of this process's shared read-only mappings of files in ``inside``.

    Read from ``/proc/self/pagemap`` for those mappings alone (8 bytes a page, 0.5 MB for the
    dictionary's 260 MB): ``/proc/self/smaps`` makes the kernel walk every page of every
    mapping of the process, the model's and the heap's too, 25-30 ms of CPU in a serving
    process against ~1 ms here. Same count: a page is resident when its entry is present."""
    spans = shared_read_only(Path("/proc/self/maps").read_text(), inside.resolve())
    try:
        return _pagemap_resident_kb(spans)
    except OSError:  # no pagemap (an older or a locked-down kernel): the slow reading
        return smaps_resident_kb(spans)


_PRESENT = np.uint64(63)  # <linux/Documentation/admin-guide/mm/pagemap.rst>: bit 63, present


def _pagemap_resident_kb(spans: Iterable[tuple[int, int]]) -> int:
    page = os.sysconf("SC_PAGE_SIZE")
    present = 0
    with open("/proc/self/pagemap", "rb", buffering=0) as pagemap:
        for start, end in spans:
            pagemap.seek(start // page * 8)
            entries = np.frombuffer(pagemap.read((end - start) // page * 8), dtype=np.uint64)
            present += int(np.count_nonzero(entries >> _PRESENT))
    return present * page // 1024


def smaps_resident_kb(spans: Iterable[tuple[int, int]]) -> int:
    """Resident KB of the mappings ``spans`` as ``/proc/self/smaps`` counts them (``Rss``)."""
    wanted = set(spans)
    total, current = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head, _, rest = line.partition(" ")
        if "-" in head and not head.endswith(":"):  # a mapping's header line
            current = tuple(int(x, 16) for x in head.split("-")) in wanted
        elif current and head == "Rss:":
            total += int(rest.split()[0])
    return total


def release(inside: Path) -> int:
    """Drop this process's resident pages of the shared read-only mappings of files in
    directory ``inside``; returns how many mappings were released."""
    try:
        spans = shared_read_only(Path("/proc/self/maps").read_text(), inside.resolve())
        madvise = _madvise()
    except (OSError, AttributeError):  # no /proc or no madvise: nothing to release
        return 0
    return sum(madvise(start, end - start, MADV_DONTNEED) == 0 for start, end in spans)


def dictionary_dir() -> Path | None:
    """Where the tagger's dictionary (unidic-lite) lives, if it is installed."""
    try:
        import unidic_lite
    except ImportError:
        return None
    return Path(unidic_lite.DICDIR).resolve()
