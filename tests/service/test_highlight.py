"""Token-aware highlighting on real passages: spans are real tokens at valid offsets."""

from __future__ import annotations

from itertools import pairwise

import fugashi
import pytest

from indexer.analyze import DROP_POS, get_analyzer, normalize_with_offsets
from indexer.analyze import normalize as index_normalize
from service.highlight import highlight_spans, merge
from service.query import QueryAnalyzer

QUERIES = ["子育て支援", "お年寄りの見守りは？", "2022年度の目標", "ＤＸ推進", "空き家対策の事業"]


@pytest.fixture(scope="module")
def analyzer() -> QueryAnalyzer:
    return QueryAnalyzer()


@pytest.fixture(scope="module")
def passages(hashing_engine) -> list[str]:
    """Chunk texts of the real index that mention 子育て支援, plus a spread of others."""
    texts = [c.text for c in hashing_engine.index.chunks]
    return [t for t in texts if "子育て支援" in t][:5] + texts[::400]


def assert_well_formed(spans: list[tuple[int, int]], text: str) -> None:
    assert spans == sorted(spans)
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert all(a[1] < b[0] for a, b in pairwise(spans)), "overlap or touch"


def test_query_tokens_are_highlighted_in_a_real_passage(passages, analyzer):
    text = passages[0]
    spans = analyzer.highlight(text, "子育て支援")
    assert_well_formed(spans, text)
    shown = [text[s:e] for s, e in spans]
    # 子育て and 支援 touch in the text: one merged span.
    assert "子育て支援" in shown
    assert all(set(get_analyzer().lemmas(piece)) <= analyzer.terms("子育て支援") for piece in shown)


def test_spans_are_whole_tokens(passages, analyzer):
    for text in passages:
        bounds = {(t.start, t.end) for t in get_analyzer().tokens(text)}
        starts, ends = {s for s, _ in bounds}, {e for _, e in bounds}
        for query in QUERIES:
            spans = analyzer.highlight(text, query)
            assert_well_formed(spans, text)
            assert all(s in starts and e in ends for s, e in spans)


def test_particles_and_symbols_are_never_highlighted(analyzer):
    text = "子育ての支援、および子育て支援センター（仮称）。"
    spans = analyzer.highlight(text, "子育ての支援、および（仮称）。")
    covered = {i for s, e in spans for i in range(s, e)}
    tagger = fugashi.Tagger()
    pos = 0
    for node in tagger(text):
        start = text.index(node.surface, pos)
        pos = start + len(node.surface)
        if node.feature.pos1 in DROP_POS:
            assert not covered & set(range(start, pos)), node.surface
    assert [text[s:e] for s, e in spans][:2] == ["子育て", "支援"]


def test_light_verbs_and_lone_affixes_are_not_highlighted(analyzer):
    assert analyzer.highlight("子育て支援をしている", "している") == []
    # 者 matches the query's own 高齢者 only where it is attached to a highlighted word.
    text = "高齢者と利用者"
    assert [text[s:e] for s, e in analyzer.highlight(text, "高齢者")] == ["高齢者"]


@pytest.mark.parametrize(
    ("text", "query", "expected"),
    [
        ("ＤＸ推進と子育て支援①", "DX", ["ＤＸ"]),
        ("予算は３，５５０千円です", "3550", ["３，５５０"]),
        ("令和４年度の実績", "2022年度", ["令和４年度"]),
        ("ｶﾞｲｺｸｼﾞﾝの子育て", "子育て", ["子育て"]),
        # The prefix お (御) is no query term: only the word itself is marked.
        ("お年寄り の 見守り", "高齢者の見守り", ["年寄り", "見守り"]),
    ],
)
def test_offsets_point_into_the_original_text(text, query, expected, analyzer):
    spans = analyzer.highlight(text, query)
    assert_well_formed(spans, text)
    assert [text[s:e] for s, e in spans] == expected


def test_analysis_agrees_with_the_index_tokenizer(passages):
    for text in passages:
        assert [t.lemma for t in get_analyzer().tokens(text)] == list(get_analyzer().lemmas(text))
        assert normalize_with_offsets(text)[0] == index_normalize(text)


def test_merge_joins_touching_and_overlapping_spans():
    assert merge([(5, 7), (0, 2), (2, 4), (6, 9)]) == [(0, 4), (5, 9)]
    assert merge([]) == []


def test_nothing_to_highlight():
    assert highlight_spans("", frozenset({"子育て"})) == []
    assert highlight_spans("子育て支援", frozenset()) == []


@pytest.mark.parametrize("query", ["子育て支援", "高齢者の見守り", "令和4年度の目標値", "ごみ減量"])
def test_stored_offsets_highlight_exactly_as_tagging_the_text(hashing_engine, query):
    # The index keeps each chunk's tokens (indexer/offsets.py); highlighting from them must
    # give the very spans that tagging the passage again gives.
    from service.highlight import highlight_row

    terms = hashing_engine.analyzer.parse(query).highlight_terms
    table = hashing_engine.index.tokens
    ids = table.lemma_ids(terms)
    marked = 0
    for row, chunk in enumerate(hashing_engine.index.chunks):
        expected = highlight_spans(chunk.text, terms)
        assert highlight_row(table, row, ids) == expected, chunk.chunk_id
        marked += bool(expected)
    assert marked > 10  # the query's words do occur: the comparison is not over empty spans


def test_rows_highlighted_together_as_one_by_one(hashing_engine):
    # A page's passages are highlighted in one pass over their tokens: a span never joins
    # the end of one passage to the start of the next, whatever their order.
    from service.highlight import highlight_row, highlight_rows

    table = hashing_engine.index.tokens
    ids = table.lemma_ids(hashing_engine.analyzer.parse("子育て支援の事業").highlight_terms)
    rows = len(table.indptr) - 1
    for chosen in (list(range(rows)), list(range(rows - 1, -1, -7)), [3, 3, 0]):
        assert highlight_rows(table, chosen, ids) == [highlight_row(table, r, ids) for r in chosen]
    assert sum(map(bool, highlight_rows(table, list(range(rows)), ids))) > 10
    assert highlight_rows(table, [], ids) == []
    assert highlight_rows(table, [0, 1], frozenset()) == [[], []]
