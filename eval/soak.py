"""Soak: many requests from concurrent clients mixing the question routes, with the server's
resident memory sampled as they go.

A server whose memory grows with use runs out of it within a day of help-desk traffic; the
soak passes when the memory after the last request is within ``bound`` of the memory after the
first ``warmup`` requests (caches fill during the warm-up and must stay within their bounds).
Questions are the gold questions, each round of them made distinct by a numbered suffix, so
every bounded cache is pushed past its bound instead of answering repeats. Loopback only;
bounded by a request count and a deadline, so it stops by itself.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from eval.loadtest import LOOPBACK
from eval.serving import memory_mb, rss_mb

# (path, extra parameters), taken in turn: the three routes that embed a question.
ROUTES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("/search", {"top_k": 10}),
    ("/projects/search", {"top_k": 10}),
    ("/answer", {}),
)


def distinct_questions(questions: list[str], n: int) -> list[str]:
    """``n`` questions: the given ones, then again with 「（その2）」… so none repeats."""
    size = len(questions)
    return [
        questions[i % size] + (f"（その{i // size + 1}）" if i >= size else "") for i in range(n)
    ]


@dataclass
class _Progress:
    """Shared between the client threads: the next request, counts and the memory curve."""

    total: int
    pid: int
    every: int
    started: float = field(default_factory=time.perf_counter)
    issued: int = 0
    done: int = 0
    errors: int = 0
    curve: list[dict[str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> int | None:
        with self.lock:
            if self.issued >= self.total:
                return None
            self.issued += 1
            return self.issued - 1

    def finish(self, ok: bool) -> None:
        with self.lock:
            self.done += 1
            self.errors += not ok
            if self.done % self.every == 0 or self.done == self.total:
                self.curve.append(
                    {
                        "requests": self.done,
                        **memory_mb(self.pid),
                        "seconds": round(time.perf_counter() - self.started, 1),
                    }
                )


def _client(base: str, questions: list[str], progress: _Progress, deadline: float) -> None:
    with httpx.Client(base_url=base, timeout=60, trust_env=False) as client:
        while time.monotonic() < deadline and (i := progress.take()) is not None:
            path, params = ROUTES[i % len(ROUTES)]
            try:
                ok = client.get(path, params={"q": questions[i], **params}).status_code == 200
            except httpx.HTTPError:
                ok = False
            progress.finish(ok)


def rss_at(curve: list[dict[str, float]], requests: int) -> float:
    """The memory of the first sample taken at or after ``requests`` requests."""
    return next(p["rss_mb"] for p in curve if p["requests"] >= requests)


def run_soak(
    base: str,
    pid: int,
    questions: list[str],
    *,
    clients: int = 8,
    requests: int = 10_000,
    warmup: int = 500,
    every: int = 100,
    bound: float = 1.2,
    max_seconds: float = 3600.0,
) -> dict[str, Any]:
    """Send ``requests`` requests from ``clients`` threads to the server ``pid`` at ``base``."""
    if urlparse(base).hostname not in LOOPBACK:
        raise ValueError(f"soak tests only target loopback, not {base}")
    if not warmup < requests:
        raise ValueError(f"the warm-up ({warmup}) must be shorter than the soak ({requests})")
    progress = _Progress(total=requests, pid=pid, every=every)
    fresh = rss_mb(pid)
    deadline = time.monotonic() + max_seconds
    texts = distinct_questions(questions, requests)
    threads = [
        threading.Thread(target=_client, args=(base, texts, progress, deadline))
        for _ in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max_seconds + 120)
    wall = time.perf_counter() - progress.started
    # The dictionary's pages rise and are released by the watcher (service.holder): the RSS
    # is a sawtooth of ~70 MB, so one sample at each end compares a trough with a crest. The
    # crest of the warm-up's requests against the crest of the last as many requests says
    # whether memory grows; a leak raises every crest.
    warm = [p["rss_mb"] for p in progress.curve if p["requests"] <= warmup]
    last = [p["rss_mb"] for p in progress.curve if p["requests"] > progress.done - warmup]
    after_warmup = max(warm) if warm else rss_at(progress.curve, warmup)
    final = max(last) if last else progress.curve[-1]["rss_mb"]
    return {
        "clients": clients,
        "requests": progress.done,
        "errors": progress.errors,
        "seconds": round(wall, 1),
        "req_per_s": round(progress.done / wall, 2),
        "routes": [path for path, _ in ROUTES],
        "rss_fresh_mb": fresh,
        "rss_after_warmup_mb": after_warmup,
        "warmup_requests": warmup,
        "rss_final_mb": final,
        "rss_max_mb": max(p["rss_mb"] for p in progress.curve),
        "anon_after_warmup_mb": next(
            p["anon_mb"] for p in progress.curve if p["requests"] >= warmup
        ),
        "anon_final_mb": progress.curve[-1]["anon_mb"],
        "final_to_warmup": round(final / after_warmup, 3),
        "bound": bound,
        "passed": progress.done == requests and final <= bound * after_warmup,
        "curve": progress.curve,
    }


def soak_plot(result: dict[str, Any], path: Path) -> None:
    """Resident memory against requests served, with the bound drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve = result["curve"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    done = [p["requests"] for p in curve]
    ax.plot(done, [p["rss_mb"] for p in curve], label="server RSS")
    ax.plot(done, [p["anon_mb"] for p in curve], label="of which private (heap)")
    ax.plot(done, [p["file_mb"] for p in curve], label="of which mapped files")
    limit = result["bound"] * result["rss_after_warmup_mb"]
    ax.axhline(limit, color="red", linestyle="--", label=f"{result['bound']}× after warm-up")
    ax.axvline(result["warmup_requests"], color="grey", linestyle=":")
    ax.set_xlabel("requests served (/search, /projects/search, /answer in turn)")
    ax.set_ylabel("MB resident")
    ax.set_ylim(bottom=0)
    ax.set_title(f"plansearch soak, {result['clients']} clients, {result['requests']} requests")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
