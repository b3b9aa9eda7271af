"""The fusion the service runs by default is the one README's Settings table documents, and
``fusion=rrf`` works end to end (hashing encoder, whole corpus)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from eval.gold import GOLD_DIR, load_gold
from indexer.settings import Settings
from service.api import create_app
from service.search import FusionConfig, open_engine

README = Path(__file__).resolve().parents[2] / "README.md"
FUSION_ROWS = ("FUSION", "RRF_K", "DENSE_WEIGHT", "LEXICAL_WEIGHT", "CANDIDATES")


def readme_settings() -> dict[str, str]:
    """NAME → default as printed in README's Settings table (``A` / `B`` rows split in two)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    table: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([A-Z_]+)`", cells[0])
        values = [v.strip().strip("`") for v in cells[1].split(" / ")]
        if len(values) == 1:
            values *= len(names)
        table.update(zip(names, values, strict=True))
    return table


@pytest.fixture()
def default_settings(tmp_path, monkeypatch) -> Settings:
    """``Settings()`` as a fresh process sees it: no PLANSEARCH_* variables, no .env file."""
    for name in list(os.environ):
        if name.startswith("PLANSEARCH_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return Settings()


def test_readme_settings_table_lists_the_fusion_rows():
    table = readme_settings()
    assert {name: table[name] for name in FUSION_ROWS} == {
        "FUSION": "weighted",
        "RRF_K": "60",
        "DENSE_WEIGHT": "2.0",
        "LEXICAL_WEIGHT": "1.0",
        "CANDIDATES": "200",
    }


def test_default_fusion_is_the_one_readme_documents(default_settings):
    table = readme_settings()
    documented = FusionConfig(
        method=table["FUSION"],
        rrf_k=int(table["RRF_K"]),
        dense_weight=float(table["DENSE_WEIGHT"]),
        lexical_weight=float(table["LEXICAL_WEIGHT"]),
        candidates=int(table["CANDIDATES"]),
    )
    assert FusionConfig.from_settings(default_settings) == documented
    # Field defaults and the engine's own defaults say the same.
    fields = Settings.model_fields
    assert (
        fields["fusion"].default,
        fields["rrf_k"].default,
        fields["dense_weight"].default,
        fields["lexical_weight"].default,
        fields["candidates"].default,
    ) == (
        documented.method,
        documented.rrf_k,
        documented.dense_weight,
        documented.lexical_weight,
        documented.candidates,
    )
    assert FusionConfig() == documented


@pytest.fixture(scope="module")
def rrf_engine(hashing_engine, hashing_settings):
    """The hashing index opened again with ``fusion=rrf``, as PLANSEARCH_FUSION=rrf would."""
    settings = hashing_settings.model_copy(update={"fusion": "rrf"})
    engine = open_engine(settings, hashing_engine.embedder)
    assert engine.fusion == FusionConfig(method="rrf")
    return settings, engine


def _top(engine, query: str, k: int = 10) -> list[int]:
    return [h.chunk_id for h in engine.search(query, top_k=k)]


def test_rrf_scores_are_reciprocal_rank_sums(rrf_engine):
    _, engine = rrf_engine
    query = "子育て支援に取り組んでいる事業は？"
    filters = engine.make_filters()
    dense = [cid for cid, _ in engine.retrieve(query, filters, mode="dense")]
    lexical = [cid for cid, _ in engine.retrieve(query, filters, mode="lexical")]
    hits = engine.search(query, top_k=10)
    assert len(hits) == 10
    cfg = engine.fusion
    for hit in hits:
        expected = 0.0
        if hit.chunk_id in dense:
            expected += cfg.dense_weight / (cfg.rrf_k + dense.index(hit.chunk_id) + 1)
        if hit.chunk_id in lexical:
            expected += cfg.lexical_weight / (cfg.rrf_k + lexical.index(hit.chunk_id) + 1)
        assert hit.score == pytest.approx(expected, abs=1e-6)
    # Never more than both weights over k + 1 (first in both lists).
    assert hits[0].score <= (cfg.dense_weight + cfg.lexical_weight) / (cfg.rrf_k + 1) + 1e-9


def test_rrf_ranks_differently_from_weighted(rrf_engine, hashing_engine):
    _, engine = rrf_engine
    assert hashing_engine.fusion.method == "weighted"
    queries = [q.query for q in load_gold(GOLD_DIR / "dev.jsonl")][:20]
    differing = [q for q in queries if _top(engine, q) != _top(hashing_engine, q)]
    assert differing, "rrf and weighted fusion ranked every dev question alike"


def test_rrf_serves_search_over_http(rrf_engine):
    settings, engine = rrf_engine
    with TestClient(create_app(settings, engine)) as client:
        response = client.get("/search", params={"q": "空き家対策", "top_k": 5})
    assert response.status_code == 200, response.text
    hits = response.json()["hits"]
    assert len(hits) == 5
    assert [h["chunk_id"] for h in hits] == _top(engine, "空き家対策", 5)
    assert all(0 < h["score"] <= 3 / 61 for h in hits)
