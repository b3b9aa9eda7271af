"""Query cleaning at the engine boundary (used by the API and the CLI alike)."""

from __future__ import annotations

import pytest

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
