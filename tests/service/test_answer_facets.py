"""``/answer`` shows no facets, so neither its ranking's search nor its project listing counts
them: a request that counted them spent two counts over every candidate for nothing. Searches
and project searches still count them."""

from __future__ import annotations

import pytest

from service.filters import SearchFilters

QUESTION = "子育て支援の事業は？"


@pytest.fixture()
def counted(hashing_engine, monkeypatch):
    """The number of facet counts made since the fixture was set up."""
    calls = []
    table = hashing_engine.table
    original = table.facets
    monkeypatch.setattr(table, "facets", lambda rows, *a, **k: calls.append(1) or original(rows))
    return calls


def test_an_answer_counts_no_facets(hashing_engine, counted):
    outcome = hashing_engine.answer(QUESTION, SearchFilters(), 5)
    assert outcome.projects
    _, retrieved = hashing_engine.answer_ranking(QUESTION)
    assert retrieved.hits and retrieved.facets == {}
    assert counted == []


def test_searches_still_count_them(hashing_engine, counted):
    found = hashing_engine.search_full(QUESTION, 10, SearchFilters())
    assert found.facets["city"]
    listed = hashing_engine.search_projects_full(QUESTION, 10, SearchFilters())
    assert listed.facets["doc_id"]
    assert len(counted) == 2
