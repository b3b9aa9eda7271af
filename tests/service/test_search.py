"""The engine boundary: query cleaning (used by the API and the CLI alike) and project evidence."""

from __future__ import annotations

import pytest

from service.limits import MAX_TOP_K
from service.search import SearchInputError, clean_query


def test_clean_query_collapses_whitespace():
    assert clean_query("  子育て\t支援\n事業 ") == "子育て 支援 事業"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("a\x00b", "control"),
        ("a\ud800", "surrogate"),
        ("あ" * 1001, "limit is 1000"),
    ],
)
def test_clean_query_refuses_bad_text(query, message):
    with pytest.raises(SearchInputError, match=message):
        clean_query(query)


@pytest.mark.parametrize("question", ["子育て支援の事業は？", "空き家対策", "令和4年度の目標値"])
def test_project_evidence_is_the_passage_as_search_ranks_it(hashing_engine, question):
    # Projects are grouped from light candidate records and only the shown evidence becomes a
    # hit: each evidence passage must read exactly as /search gives that passage (rank, fused
    # score, text, highlights, links), and projects come in the order of their best passage.
    engine = hashing_engine
    filters = engine.make_filters()
    found = engine.search_projects_full(question, 10, filters)
    ranked = engine.search_full(question, MAX_TOP_K, filters).hits
    by_chunk = {h.chunk_id: h for h in ranked}
    shown = [h for p in found.projects for h in p.evidence]
    assert found.projects and any(h.highlights for h in shown)
    compared = [h for h in shown if h.rank <= MAX_TOP_K]
    assert len(compared) >= len(shown) / 2
    for hit in compared:
        assert hit == by_chunk[hit.chunk_id]
    best = [p.evidence[0].rank for p in found.projects]
    assert best == sorted(best)
    assert [p.score for p in found.projects] == [p.evidence[0].score for p in found.projects]


@pytest.mark.parametrize("question", ["子育て支援の事業は？", "宇宙港の建設計画", "ごみの分別"])
def test_a_search_scores_relevance_once_and_decides_no_match_as_the_model_does(
    real_engine, question
):
    from service.filters import SearchFilters

    engine = real_engine
    assert engine.relevance is not None  # the fitted model of the real embedder
    outcome = engine.search_full(question, 10, SearchFilters())
    judged = engine.retrieve_full(question, SearchFilters()).signals
    assert outcome.uncovered == engine.relevance.score(judged)
    assert outcome.no_match is engine.relevance.no_match(judged)
    # Without a filter every passage is searched: the same rows a mask of none lets through.
    assert outcome.candidates == engine.retrieve(question, engine.make_filters())
