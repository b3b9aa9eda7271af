"""README: "the service swaps to a new build without stopping" and "a failed or interrupted build
leaves the previous index in place" — on a real server (uvicorn on 127.0.0.1), with
`plansearch index` running in another process against the index it serves.

Bounded: the whole test gives up after DEADLINE seconds; traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import httpx
import uvicorn
from conftest import CORPUS, ROOT

from indexer.build import build_index
from indexer.embedding.hashing import HashingEmbedder
from indexer.settings import Settings
from service.api import create_app

DEADLINE = 60.0
OLD = {"isesaki-gyokaku-r2-r5"}
# corpus/documents.json: every document, which `plansearch index` builds by default.
ALL = {
    "isesaki-jisshi-r3",
    "isesaki-manifesto-r6",
    "isesaki-gyokaku-r2-r5",
    "isesaki-action-plan-r7",
    "isehara-chuki-r3-r4",
}


@dataclass(frozen=True)
class Reply:
    sent: float  # time.monotonic() when the request left
    published: bool  # whether the new build was published when the reply was in
    path: str
    status: int | None
    docs: frozenset[str]  # /health: the documents served; /search: those of the hits
    built_at: str | None  # /health only
    error: str | None = None


def _ask(client: httpx.Client, path: str, params: dict, published) -> Reply:
    sent = time.monotonic()
    try:
        r = client.get(path, params=params)
        body = r.json()
    except (httpx.HTTPError, ValueError) as exc:
        return Reply(sent, published(), path, None, frozenset(), None, repr(exc))
    if path == "/health" and r.status_code == 200:
        docs = frozenset(d["doc_id"] for d in body["documents"])
        built_at = body["built_at"]
    else:
        docs, built_at = frozenset(h["doc_id"] for h in body.get("hits", ())), None
    return Reply(sent, published(), path, r.status_code, docs, built_at)


def test_a_build_in_another_process_is_swapped_in_without_a_failed_request(tmp_path):
    start = time.monotonic()
    settings = Settings(
        embedder="hashing",
        corpus_dir=CORPUS,
        index_dir=tmp_path / "index",
        cache_dir=tmp_path / "cache",
        reload_interval=0.2,
    )
    build_index(settings, HashingEmbedder(), doc_ids=sorted(OLD), progress=False)
    old_build = settings.index_dir.resolve()

    def published() -> bool:
        return settings.index_dir.resolve() != old_build

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    serving = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    stop = threading.Event()
    replies: list[Reply] = []

    def traffic() -> None:
        routes = [("/health", {}), ("/search", {"q": "証明書のコンビニ交付", "top_k": 5})]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            n = 0
            while not stop.is_set() and time.monotonic() - start < DEADLINE:
                replies.append(_ask(client, *routes[n % 2], published))
                n += 1

    client_thread = threading.Thread(target=traffic, daemon=True)
    build = None
    try:
        serving.start()
        while not server.started:
            assert serving.is_alive() and time.monotonic() - start < 20, "uvicorn did not start"
            time.sleep(0.05)
        old = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).json()
        assert {d["doc_id"] for d in old["documents"]} == OLD
        client_thread.start()
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PLANSEARCH_EMBEDDER": "hashing",
            "PLANSEARCH_CORPUS_DIR": str(CORPUS),
            "PLANSEARCH_INDEX_DIR": str(settings.index_dir),
            "PLANSEARCH_CACHE_DIR": str(settings.cache_dir),
        }
        build_started = time.monotonic()
        build = subprocess.Popen(  # `plansearch index` in another process
            [sys.executable, "-m", "service.cli", "index", "--quiet"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        out, err = build.communicate(timeout=DEADLINE - (time.monotonic() - start) - 10)
        assert build.returncode == 0, err
        assert "indexed" in out and published()
        # The watcher checks every 0.2 s: the new build must be served soon after it is published.
        while not any(r.built_at not in (None, old["built_at"]) for r in list(replies)):
            assert time.monotonic() - start < DEADLINE, "the new build was not picked up"
            assert client_thread.is_alive(), "the traffic stopped"
            time.sleep(0.1)
        time.sleep(0.5)  # a few more requests on the new build
    finally:
        stop.set()
        if build is not None and build.poll() is None:
            build.kill()
            build.wait(5)
        if client_thread.ident is not None:
            client_thread.join(15)
        server.should_exit = True
        serving.join(15)
        sock.close()

    assert time.monotonic() - start < DEADLINE + 30
    failed = [r for r in replies if r.error or r.status != 200]
    assert not failed, failed[:5]
    during = [r for r in replies if r.sent >= build_started and not r.published]
    assert len(during) > 0, "no request was served while the build ran"
    assert {r.path for r in during} == {"/health", "/search"}
    for r in during:  # answered before the new build existed: the old index answered
        assert r.docs and r.docs <= OLD, r
        if r.path == "/health":
            assert r.built_at == old["built_at"], r
    healths = [r for r in replies if r.path == "/health"]
    first_new = next(i for i, r in enumerate(healths) if r.built_at != old["built_at"])
    new = healths[first_new]
    assert new.published and new.docs == ALL and new.built_at != old["built_at"]
    # The swap is one step: once the new build answered, the old one never answers again.
    assert all(r.built_at == new.built_at and r.docs == ALL for r in healths[first_new:])
