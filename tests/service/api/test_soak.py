"""A bounded soak: `plansearch serve` (hashing encoder) in its own process, 8 clients sending
1,500 requests mixing /search, /projects/search and /answer, every question distinct; the
server's resident memory at the end stays within 1.2× its memory after the first 500.

Loopback only, bounded by the request count and a deadline (it stops by itself). Before the
model ran on one worker thread and the request pool was bounded, memory grew with every thread
that had served a question; this is the test that says it no longer does.
"""

from __future__ import annotations

from eval.gold import GOLD_DIR, load_gold
from eval.soak import distinct_questions, run_soak
from tests.service.api.test_load import _free_port, no_proxies, start_server

__all__ = ["no_proxies"]  # the fixture, shared with the load test
REQUESTS = 1500
WARMUP = 500
CLIENTS = 8


def test_memory_stays_bounded_over_a_soak(hashing_engine, hashing_settings, tmp_path, no_proxies):
    questions = [q.query for q in load_gold(GOLD_DIR / "dev.jsonl")]
    server = start_server(hashing_settings, _free_port(), tmp_path)
    try:
        result = run_soak(
            server.base,
            server.process.pid,
            questions,
            clients=CLIENTS,
            requests=REQUESTS,
            warmup=WARMUP,
            every=50,
            max_seconds=600,
        )
    finally:
        server.stop()
    summary = {k: v for k, v in result.items() if k != "curve"}
    assert result["requests"] == REQUESTS and result["errors"] == 0, summary
    assert result["curve"][-1]["requests"] == REQUESTS
    assert result["rss_final_mb"] <= 1.2 * result["rss_after_warmup_mb"], summary
    assert result["passed"], summary


def test_soak_questions_never_repeat():
    questions = distinct_questions(["ごみの分別", "空き家対策"], 5)
    assert questions == [
        "ごみの分別",
        "空き家対策",
        "ごみの分別（その2）",
        "空き家対策（その2）",
        "ごみの分別（その3）",
    ]
    assert len(set(distinct_questions(["a", "b", "c"], 300))) == 300
