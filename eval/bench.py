"""Speed benchmark: embedding throughput, search latency in process and over HTTP, memory.

Every timing is repeated and reported as the median over runs of each run's
percentiles; the machine it ran on is recorded with the figures.
"""

from __future__ import annotations

import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from eval.gold import GOLD_DIR, load_gold
from indexer.settings import Settings
from service.search import SearchEngine


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50/p95/p99 and mean of latencies in milliseconds."""
    a = np.asarray(samples_ms)
    return {
        "p50_ms": round(float(np.percentile(a, 50)), 2),
        "p95_ms": round(float(np.percentile(a, 95)), 2),
        "p99_ms": round(float(np.percentile(a, 99)), 2),
        "mean_ms": round(float(a.mean()), 2),
        "n": len(samples_ms),
    }


def median_of_runs(runs: list[dict[str, float]]) -> dict[str, float]:
    """The median of each figure over repeated runs."""
    return {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]}


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(),
    }


def bench_queries() -> list[str]:
    """The gold questions (dev and test), in file order."""
    return [q.query for split in ("dev", "test") for q in load_gold(GOLD_DIR / f"{split}.jsonl")]


def embedding_throughput(engine: SearchEngine, sample: int, repeats: int) -> dict[str, Any]:
    """Chunks/s and tokens/s of the embedder on a fixed sample of indexed chunks (no cache)."""
    rng = random.Random(0)
    chunks = rng.sample(engine.index.chunks, min(sample, len(engine.index.chunks)))
    texts = [c.indexed_text for c in chunks]
    tokens = sum(engine.embedder.count_tokens(t) for t in texts)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        engine.embedder.encode_passages(texts)
        seconds.append(time.perf_counter() - start)
    best = statistics.median(seconds)
    return {
        "chunks": len(texts),
        "tokens": tokens,
        "median_seconds": round(best, 2),
        "chunks_per_s": round(len(texts) / best, 2),
        "tokens_per_s": round(tokens / best, 1),
        "estimated_full_embed_s": round(len(engine.index.chunks) / (len(texts) / best), 1),
    }


def in_process_latency(engine: SearchEngine, queries: list[str], repeats: int) -> dict[str, Any]:
    """Latency of ``engine.search`` (top 10, hybrid) per query."""
    runs = []
    for _ in range(repeats):
        samples = []
        for q in queries:
            start = time.perf_counter()
            engine.search(q, top_k=10)
            samples.append((time.perf_counter() - start) * 1000)
        runs.append(percentiles(samples))
    return {"runs": runs, "median": median_of_runs(runs)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server at {url} did not become ready")


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The service on the published index in a child process on loopback; yields its URL."""
    port = _free_port()
    env = {**os.environ, "PLANSEARCH_INDEX_DIR": str(settings.index_dir)}
    cmd = [sys.executable, "-m", "service.cli", "serve", "--no-build", "--port", str(port)]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(f"{base}/health")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def http_latency(
    settings: Settings, queries: list[str], clients: int, repeats: int
) -> dict[str, Any]:
    """Latency of ``GET /search`` over loopback with ``clients`` concurrent clients."""
    with serving(settings) as base:
        runs = [_http_run(base, queries, clients) for _ in range(repeats)]
    return {"clients": clients, "runs": runs, "median": median_of_runs(runs)}


def _http_run(base: str, queries: list[str], clients: int) -> dict[str, float]:
    samples: list[float] = []
    errors = 0
    lock = threading.Lock()

    def one(client: httpx.Client, q: str) -> None:
        nonlocal errors
        start = time.perf_counter()
        status = client.get(f"{base}/search", params={"q": q, "top_k": 10}).status_code
        elapsed = (time.perf_counter() - start) * 1000
        with lock:
            samples.append(elapsed)
            errors += status != 200

    start = time.perf_counter()
    with httpx.Client(timeout=60) as client, ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda q: one(client, q), queries))
    wall = time.perf_counter() - start
    return {**percentiles(samples), "errors": errors, "req_per_s": round(len(samples) / wall, 2)}


def full_build(settings: Settings) -> dict[str, Any]:
    """A complete build with an empty cache in a child process: wall time and peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "PLANSEARCH_INDEX_DIR": str(Path(tmp) / "index"),
            "PLANSEARCH_CACHE_DIR": str(Path(tmp) / "cache"),
        }
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "service.cli", "index", "--quiet"], env=env)
        # wait4 gives this child's own peak memory (RUSAGE_CHILDREN would also count the server).
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError("the benchmark build failed")
        child.returncode = os.waitstatus_to_exitcode(status)
        peak_kb = usage.ru_maxrss
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(peak_kb / 1024, 1)}


def latency_plot(result: dict[str, Any], path: Path) -> None:
    """Percentiles of the median run, in process and over HTTP, as grouped bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = ("p50_ms", "p95_ms", "p99_ms")
    series = {
        "in process": result["search_in_process"]["median"],
        f"HTTP, {result['search_http']['clients']} clients": result["search_http"]["median"],
    }
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for i, (name, values) in enumerate(series.items()):
        ax.bar([x + i * 0.4 for x in range(len(keys))], [values[k] for k in keys], 0.4, label=name)
    ax.set_xticks([x + 0.2 for x in range(len(keys))], [k.split("_")[0] for k in keys])
    ax.set_ylabel("ms per /search (top 10, hybrid)")
    ax.set_title(
        f"plansearch latency, {result['machine']['cpus']} cores, {result['queries']} queries"
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# -- ratios to the floor -------------------------------------------------------------------

# Questions at the length limit built to be expensive: repeated era names, repeated project
# numbers, one repeated kana, repeated words.
ADVERSARIAL: dict[str, str] = {
    "era names": "令和" * 500,
    "project numbers": "1-(1)-" * 166,
    "one kana": "あ" * 1000,
    "words": "子育て支援 " * 166,
}


def _fresh_questions(engine: SearchEngine) -> None:
    """Forget remembered question vectors, so each question pays its embedding."""
    from service.question_vectors import QuestionVectors

    q = engine.questions
    engine.questions = QuestionVectors(engine.embedder, q.max_tokens, q.size)


def _routes(engine: SearchEngine) -> dict[str, Any]:
    filters = engine.make_filters()
    return {
        "search": lambda q: engine.search_full(q, 10, filters),
        "projects": lambda q: engine.search_projects(q, 10, filters),
        "answer": lambda q: engine.answer(q, filters, 5),
    }


def _p50_ms(call: Any, queries: list[str]) -> float:
    samples = []
    for q in queries:
        start = time.perf_counter()
        call(q)
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 2)


def floor_ratios(engine: SearchEngine, queries: list[str], repeats: int) -> dict[str, Any]:
    """In one process and one run: the embedding alone (the floor) and each route on the same
    unique questions, their ratio, a repeated question, and adversarial questions per route."""
    embedder = engine.embedder
    floor = statistics.median(
        _p50_ms(lambda q: embedder.encode_query(embedder.clip(q, 64)), queries)
        for _ in range(repeats)
    )
    out: dict[str, Any] = {"floor_p50_ms": round(floor, 2), "routes": {}}
    for name, call in _routes(engine).items():
        runs = []
        for _ in range(repeats):
            _fresh_questions(engine)
            runs.append(_p50_ms(call, queries))
        p50 = statistics.median(runs)
        repeated = _p50_ms(call, [queries[0]] * 50)
        worst = {}
        for label, text in ADVERSARIAL.items():
            _fresh_questions(engine)
            worst[label] = _p50_ms(call, [f"{i}{text}"[:1000] for i in range(3)])
        out["routes"][name] = {
            "p50_ms": round(p50, 2),
            "ratio_to_floor": round(p50 / floor, 2),
            "repeated_p50_ms": repeated,
            "adversarial_p50_ms": worst,
            "worst_adversarial_ratio_to_typical": round(max(worst.values()) / p50, 2),
        }
    search = out["routes"]["search"]["p50_ms"]
    out["answer_to_search"] = round(out["routes"]["answer"]["p50_ms"] / search, 2)
    return out
