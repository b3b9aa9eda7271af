"""Reading files: the SHA-256 of a file, and JSON Lines line by line with line numbers.

The corpus hashes and the index checksums take the same digest; the CLI's ``--batch`` files and
the gold questions are read by the same line reader.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class JsonLine:
    """One non-blank line of a JSON Lines file: its object, or what is wrong with it."""

    number: int  # 1 for the first line of the file
    row: dict[str, Any] = field(default_factory=dict)  # empty when the line is not an object
    problem: str = ""  # "not JSON (…)" or "each line must be a JSON object"; "" when fine


def json_lines(path: Path) -> Iterator[JsonLine]:
    """Every non-blank line of the UTF-8 JSON Lines file ``path``, in file order.

    A line that is not JSON, or not a JSON object, comes with its ``problem`` instead of
    stopping the reading: the caller decides whether that ends the file or only the line.
    """
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield JsonLine(n, problem=f"not JSON ({exc.msg})")
            continue
        if isinstance(row, dict):
            yield JsonLine(n, row)
        else:
            yield JsonLine(n, problem="each line must be a JSON object")
