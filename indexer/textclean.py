"""Pure helpers that turn PDF-converted text into plain lines.

Table-row and list rules that only the layout parsers need (cells, run-on bullets)
live in :mod:`indexer.parsing.common`.
"""

from __future__ import annotations

import re
import unicodedata

_LIST_ITEM = re.compile(r"</?li>|</?p>")
_LIST_WRAPPER = re.compile(r"<ul[^>]*>|</ul>")
_SPACES = re.compile(r"[ \u3000]+")


def strip_html_lists(cell: str) -> str:
    """Turn the ``<ul><li>…</li></ul>`` fragments of a table cell into plain lines.

    The converter wrote bullet lists as HTML inside one tab-separated cell; items
    become separate lines, and stray wrappers disappear.
    """
    if "<" not in cell:
        return cell.strip()
    text = _LIST_WRAPPER.sub("\n", cell)
    text = _LIST_ITEM.sub("\n", text)
    lines = [_SPACES.sub(" ", ln).strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def squeeze(text: str) -> str:
    """Collapse runs of spaces and blank lines; keep line breaks between items."""
    lines = [_SPACES.sub(" ", ln).strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def nfkc(text: str) -> str:
    """NFKC-normalize (full-width digits and letters become ASCII)."""
    return unicodedata.normalize("NFKC", text)
