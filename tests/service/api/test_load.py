"""A short, bounded load test on loopback: concurrent clients, zero errors."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn

from eval.gold import GOLD_DIR, load_gold
from eval.loadtest import run_load
from service.api import create_app


@pytest.fixture(scope="module")
def live_server(hashing_engine, hashing_settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        create_app(hashing_settings, hashing_engine), host="127.0.0.1", port=port, log_level="error"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


def test_concurrent_clients_get_no_errors(live_server):
    queries = [q.query for q in load_gold(GOLD_DIR / "dev.jsonl")]
    result = run_load(live_server, queries, clients=8, seconds=3.0)
    assert result["requests"] > 8 and result["errors"] == 0
    assert result["p50_ms"] > 0


def test_load_tests_refuse_non_loopback_targets():
    with pytest.raises(ValueError, match="loopback"):
        run_load("http://192.0.2.1:8000", ["x"], clients=1, seconds=1)
