"""README: without the Sudachi synonym dictionary (var/synonyms/, installed by
scripts/fetch-synonyms.sh) the analyzer uses the curated list in service/data/synonyms.tsv and
logs a warning."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.query import QueryAnalyzer, index_frequencies
from service.search import SearchEngine, open_engine
from service.synonyms import load_groups

# service/data/synonyms.tsv: the curated line 「公約	マニフェスト」. No corpus text says 公約
# (grep -c 公約 corpus/*.txt: 0 everywhere); the manifesto document says マニフェスト throughout
# (corpus/isesaki-manifesto-r6.txt line 17: the column heading マニフェスト; corpus/documents.json:
# its short title 「伊勢崎市 市長マニフェスト達成状況」 heads each of its passages).
QUERY = "公約"


@pytest.fixture()
def missing(tmp_path):
    path = tmp_path / "synonyms" / "sudachi_synonyms.tsv"
    assert not path.exists()
    return path


def _warned(caplog, path) -> bool:
    return any(
        r.levelno == logging.WARNING
        and "scripts/fetch-synonyms.sh" in r.getMessage()
        and str(path) in r.getMessage()
        for r in caplog.records
    )


def test_missing_dictionary_is_a_warning_not_an_error(missing, caplog):
    with caplog.at_level(logging.WARNING, logger="plansearch"):
        assert load_groups("sudachi", missing) == ()
    assert _warned(caplog, missing)
    assert ("公約", "マニフェスト") in {
        tuple(w.text for w in g) for g in load_groups("curated", missing)
    }


def test_engine_without_the_dictionary_still_expands_with_the_curated_list(
    hashing_settings, hashing_engine, missing, caplog
):
    settings = hashing_settings.model_copy(update={"synonyms_file": missing})
    with caplog.at_level(logging.WARNING, logger="plansearch"):
        engine = open_engine(settings)
    assert _warned(caplog, missing)
    parsed = engine.analyzer.parse(QUERY)
    assert [(e.term, e.added) for e in parsed.expansions] == [(("公約",), ("マニフェスト",))]
    # The dictionary alone (missing) adds nothing: the expansion is the curated list's.
    frequencies = index_frequencies(engine.index.lexical)
    alone = QueryAnalyzer(frequencies, sources=("sudachi",), sudachi_file=missing)
    assert alone.parse(QUERY).expansions == ()
    unexpanded = SearchEngine(engine.index, engine.embedder, engine.fusion, alone)
    assert unexpanded.search(QUERY, top_k=5, mode="lexical") == []  # no passage says 公約
    hits = engine.search(QUERY, top_k=5, mode="lexical")
    assert hits and {h.doc_id for h in hits} == {"isesaki-manifesto-r6"}
    text = "市長マニフェストの達成状況"
    assert [text[a:b] for a, b in engine.analyzer.highlight(text, QUERY)] == ["マニフェスト"]


def test_service_without_the_dictionary_answers_through_the_curated_list(
    hashing_settings, hashing_engine, missing, caplog
):
    settings = hashing_settings.model_copy(update={"synonyms_file": missing, "reload_interval": 0})
    # The lifespan loads the index itself (no engine given).
    with (
        caplog.at_level(logging.WARNING, logger="plansearch"),
        TestClient(create_app(settings)) as c,
    ):
        r = c.get("/search", params={"q": QUERY, "mode": "lexical", "top_k": 5})
    assert _warned(caplog, missing)
    assert r.status_code == 200
    hits = r.json()["hits"]
    assert hits and {h["doc_id"] for h in hits} == {"isesaki-manifesto-r6"}
