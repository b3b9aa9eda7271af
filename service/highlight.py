"""Highlighting: which tokens of a passage match the question's terms.

Tokens and their offsets come from the one analyzer (``indexer.analyze``), so a highlighted
span is exactly a token the index matched on, mapped back to the text as printed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from indexer.analyze import Token, get_analyzer


def _marked(tokens: Sequence[Token], terms: Collection[str]) -> list[bool]:
    """Which tokens to highlight: matching words, and matching affixes next to one."""
    word = [t.lemma in terms and not t.affix and not t.light for t in tokens]
    out = list(word)
    for i, token in enumerate(tokens):
        if token.affix and token.lemma in terms:
            before = i > 0 and word[i - 1] and tokens[i - 1].end == token.start
            after = i + 1 < len(tokens) and word[i + 1] and tokens[i + 1].start == token.end
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


def highlight_spans(text: str, terms: Collection[str]) -> list[tuple[int, int]]:
    """[start, end) spans of ``text`` whose token lemmas are in ``terms``, adjacent ones merged."""
    if not text or not terms:
        return []
    tokens = get_analyzer().tokens(text)
    marked = _marked(tokens, terms)
    return merge([(t.start, t.end) for t, m in zip(tokens, marked, strict=True) if m])
