"""Plain text and Markdown: decoded as UTF-8 (with or without BOM), else as Shift_JIS.

Japanese municipal sites still publish Shift_JIS (cp932) text; anything that is neither is
refused rather than guessed.
"""

from __future__ import annotations

from pathlib import Path

from indexer.extract.errors import ExtractError

ENCODINGS = ("utf-8-sig", "cp932")


def extract(path: Path) -> str:
    """The file's text."""
    data = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExtractError(f"{path.name}: neither UTF-8 nor Shift_JIS text; save it as UTF-8")
