"""The 【label】 format of chunk text: one definition for the chunker that writes it and the
answerer that reads it back.

A chunk's body is a sequence of field blocks, each ``【<label>】<text>``, where the label is the
field name with its fiscal year when the document gives one (``【事業計画 令和4年度】…``).
"""

from __future__ import annotations

import re

OPEN, CLOSE = "【", "】"
_LINE = re.compile(rf"^{OPEN}([^{CLOSE}]+){CLOSE}\s*(.*)$")


def field_block(label: str, text: str) -> str:
    """The block a field is written as inside a chunk."""
    return f"{OPEN}{label}{CLOSE}{text}"


def parse_label_line(line: str) -> tuple[str, str] | None:
    """(label, rest of the line) when ``line`` opens a field block, else None."""
    match = _LINE.match(line)
    return (match.group(1), match.group(2)) if match else None
