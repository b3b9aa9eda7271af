"""Highlighting: which tokens of a passage match the question's terms.

Tokens and their offsets come from the one analyzer (``indexer.analyze``), so a highlighted
span is exactly a token the index matched on, mapped back to the text as printed. Passages of
the index were tokenized at index time (``indexer.offsets``): ``highlight_row`` only compares
lemma ids; ``highlight_spans`` tags any other text.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from indexer.analyze import get_analyzer
from indexer.offsets import AFFIX, LIGHT, TokenTable


def _marked(
    matches: Sequence[bool],
    affix: Sequence[bool],
    light: Sequence[bool],
    starts: Sequence[int],
    ends: Sequence[int],
) -> list[bool]:
    """Which tokens to highlight: matching words, and matching affixes next to one."""
    word = [m and not a and not w for m, a, w in zip(matches, affix, light, strict=True)]
    out = list(word)
    for i in range(len(word)):
        if affix[i] and matches[i]:
            before = i > 0 and word[i - 1] and ends[i - 1] == starts[i]
            after = i + 1 < len(word) and word[i + 1] and starts[i + 1] == ends[i]
            out[i] = before or after
    return out


def merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with touching or overlapping ones joined."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _spans(marked: list[bool], starts: Sequence[int], ends: Sequence[int]) -> list[tuple[int, int]]:
    return merge([(s, e) for s, e, m in zip(starts, ends, marked, strict=True) if m])


def highlight_spans(text: str, terms: Collection[str]) -> list[tuple[int, int]]:
    """[start, end) spans of ``text`` whose token lemmas are in ``terms``, adjacent ones merged."""
    if not text or not terms:
        return []
    tokens = get_analyzer().tokens(text)
    starts, ends = [t.start for t in tokens], [t.end for t in tokens]
    marked = _marked(
        [t.lemma in terms for t in tokens],
        [t.affix for t in tokens],
        [t.light for t in tokens],
        starts,
        ends,
    )
    return _spans(marked, starts, ends)


def highlight_row(table: TokenTable, row: int, term_ids: frozenset[int]) -> list[tuple[int, int]]:
    """``highlight_spans`` of passage ``row`` of the index, from its stored tokens."""
    if not term_ids:
        return []
    lo, hi = int(table.indptr[row]), int(table.indptr[row + 1])
    ids = table.ids[lo:hi].tolist()
    flags = table.flags[lo:hi].tolist()
    starts, ends = table.starts[lo:hi].tolist(), table.ends[lo:hi].tolist()
    marked = _marked(
        [i in term_ids for i in ids],
        [bool(f & AFFIX) for f in flags],
        [bool(f & LIGHT) for f in flags],
        starts,
        ends,
    )
    return _spans(marked, starts, ends)
