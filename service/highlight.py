"""Highlighting: which tokens of a passage match the question's terms.

Tokens and their offsets come from the one analyzer (``indexer.analyze``), so a highlighted
span is exactly a token the index matched on, mapped back to the text as printed. Passages of
the index were tokenized at index time (``indexer.offsets``): ``highlight_row`` only compares
lemma ids; ``highlight_spans`` tags any other text.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

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
    return highlight_rows(table, [row], term_ids)[0]


def highlight_rows(
    table: TokenTable, rows: Sequence[int], term_ids: frozenset[int]
) -> list[list[tuple[int, int]]]:
    """``highlight_row`` of each of ``rows``, computed together.

    The rule of ``_marked`` on the rows' token arrays at once: a page shows ten passages of
    tens of tokens each, and a Python loop per token cost about as much as all of numpy's
    work for the ten."""
    out: list[list[tuple[int, int]]] = [[] for _ in rows]
    if not term_ids or not rows:
        return out
    index = np.asarray(rows, dtype=np.intp)
    lo, hi = table.indptr[index], table.indptr[index + 1]
    lengths = (hi - lo).astype(np.intp)
    where = np.repeat(np.arange(len(index)), lengths)  # which of ``rows`` a token is of
    at = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    at += np.repeat(lo, lengths)  # positions in the table, row after row
    wanted = np.zeros(len(table.vocab), dtype=bool)
    wanted[np.fromiter(term_ids, np.intp, len(term_ids))] = True
    matches = wanted[table.ids[at]]
    if not matches.any():
        return out
    flags, starts, ends = table.flags[at], table.starts[at], table.ends[at]
    affix = (flags & AFFIX) != 0
    word = matches & ~affix & ((flags & LIGHT) == 0)
    # Token i + 1 follows token i without a gap, in the same passage.
    touching = (ends[:-1] == starts[1:]) & (where[:-1] == where[1:])
    before = np.zeros_like(word)  # a marked word ends where this token starts
    before[1:] = word[:-1] & touching
    after = np.zeros_like(word)  # one starts where it ends
    after[:-1] = word[1:] & touching
    marked = np.flatnonzero(word | (matches & affix & (before | after)))
    spans = zip(where[marked].tolist(), starts[marked].tolist(), ends[marked].tolist(), strict=True)
    for i, start, end in spans:
        out[i].append((start, end))
    return [merge(found) for found in out]
