"""Bounded load on loopback: N concurrent clients for T seconds against /search.

Only loopback addresses are accepted as targets. Every loop is bounded by the
deadline, so the test stops by itself.
"""

from __future__ import annotations

import threading
import time
from itertools import cycle
from typing import Any
from urllib.parse import urlparse

import httpx

from eval.bench import percentiles

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _client_loop(
    base: str, queries: list[str], offset: int, deadline: float, out: list[tuple[float, int]]
) -> None:
    source = cycle(queries[offset:] + queries[:offset])
    with httpx.Client(base_url=base, timeout=30) as client:
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                status = client.get("/search", params={"q": next(source), "top_k": 10}).status_code
            except httpx.HTTPError:
                status = 0
            out.append(((time.perf_counter() - start) * 1000, status))


def run_load(
    base: str, queries: list[str], clients: int = 8, seconds: float = 30.0
) -> dict[str, Any]:
    """Throughput, latency percentiles and error count of ``clients`` looping for ``seconds``."""
    if urlparse(base).hostname not in LOOPBACK:
        raise ValueError(f"load tests only target loopback, not {base}")
    deadline = time.monotonic() + seconds
    results: list[list[tuple[float, int]]] = [[] for _ in range(clients)]
    threads = [
        threading.Thread(target=_client_loop, args=(base, queries, i * 7, deadline, results[i]))
        for i in range(clients)
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    wall = time.perf_counter() - start
    samples = [r for per_client in results for r in per_client]
    errors = sum(1 for _, status in samples if status != 200)
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": len(samples),
        "errors": errors,
        "req_per_s": round(len(samples) / wall, 2),
        **percentiles([ms for ms, _ in samples]),
    }
