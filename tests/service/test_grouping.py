"""Grouping candidates by project from keys made at load (``SearchEngine._grouping``) lists the
same projects with the same evidence as grouping every candidate's hit by
``service.aggregate.group_by_project``, the rule as written, on every gold question."""

from __future__ import annotations

from eval.gold import GOLD_DIR, load_gold
from service.aggregate import group_by_project
from service.filters import SearchFilters

QUESTIONS = [q.query for split in ("dev", "test") for q in load_gold(GOLD_DIR / f"{split}.jsonl")]


def _as_written(engine, query: str, top_k: int, evidence: int) -> list[tuple]:
    """(project, score, evidence chunk ids) by ``group_by_project`` over every candidate's hit."""
    candidates = engine.retrieve(query, SearchFilters())
    hits = [engine._hit(rank, cid, s) for rank, (cid, s) in enumerate(candidates, 1)]
    return [
        ((r.doc_id, r.project_key), r.rank, r.score, [h.chunk_id for h in passages])
        for r, passages in group_by_project(hits, top_k, evidence)
    ]


def _served(engine, query: str, top_k: int, evidence: int) -> list[tuple]:
    found = engine.search_projects_full(query, top_k, SearchFilters(), evidence)
    return [
        ((p.doc_id, p.project_key), p.rank, p.score, [h.chunk_id for h in p.evidence])
        for p in found.projects
    ]


def test_every_chunk_has_its_grouping_keys(hashing_engine):
    chunks = hashing_engine.index.chunks
    assert len(hashing_engine._grouping) == len(chunks)
    for chunk in chunks:
        keys = hashing_engine._grouping[chunk.chunk_id]
        assert keys.project == (chunk.doc_id, chunk.project_key)
        assert keys.shown == (chunk.project_name, chunk.text)
        assert keys.is_project == (chunk.project_id is not None)


def test_projects_are_those_of_the_rule_as_written_on_every_gold_question(hashing_engine):
    differ = [
        (q, top_k, evidence)
        for q in QUESTIONS
        for top_k, evidence in ((10, 3), (3, 1), (30, 5))
        if _served(hashing_engine, q, top_k, evidence)
        != _as_written(hashing_engine, q, top_k, evidence)
    ]
    assert differ == []
