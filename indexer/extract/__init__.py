"""A plan file (text, Markdown, PDF with a text layer, .docx) turned into corpus text.

Corpus text is what the parsers read: UTF-8, one line per paragraph or table row, table
cells separated by tabs (as in the texts of the original corpus, converted from PDF). Each
format is one module exposing ``extract(path) -> str``; this module picks it by the file's
suffix and checks that something readable came out.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path

from indexer.extract.errors import (
    EmptyDocumentError,
    ExtractError,
    NoTextLayerError,
    UnknownFormatError,
)

__all__ = [
    "EmptyDocumentError",
    "ExtractError",
    "NoTextLayerError",
    "UnknownFormatError",
    "extract_text",
]

Extractor = Callable[[Path], str]

# suffix → module under indexer.extract
FORMATS: dict[str, str] = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".pdf": "pdf",
    ".docx": "word",
}


def format_of(path: Path) -> str:
    """The extractor module for ``path``'s suffix, or UnknownFormatError."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise UnknownFormatError(
            f"{path.name}: unknown format {path.suffix or '(no suffix)'!r}; known: {known}"
        ) from None


def normalize(text: str) -> str:
    """One newline convention, no trailing blanks on a line, one final newline."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip(" ") for line in lines).strip("\n") + "\n"


def extract_text(path: Path) -> str:
    """Corpus text of the file at ``path`` (UTF-8 lines, tab-separated table cells)."""
    extractor: Extractor = import_module(f"indexer.extract.{format_of(path)}").extract
    text = normalize(extractor(path))
    if not text.strip():
        raise EmptyDocumentError(f"{path.name}: the file holds no text")
    return text
