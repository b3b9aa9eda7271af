"""The service in a child process on loopback, for the benchmark, the load test and the soak;
a lean HTTP client of it; and the resident memory of a process, read from ``/proc``."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from indexer.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, server: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with code {server.returncode} before {url}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server at {url} did not become ready")


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no {field} for process {pid}")


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` now (VmRSS), in MB."""
    return _status_mb(pid, "VmRSS")


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of process ``pid`` so far (VmHWM), in MB."""
    return _status_mb(pid, "VmHWM")


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory of ``pid`` split into private (anonymous: the heap, which only grows
    if something keeps memory) and file-backed pages (mapped model and dictionary files,
    which grow as more of them is read, are shared and can be dropped by the kernel)."""
    return {
        "rss_mb": rss_mb(pid),
        "anon_mb": _status_mb(pid, "RssAnon"),
        "file_mb": _status_mb(pid, "RssFile"),
    }


@dataclass(frozen=True)
class Served:
    """A server in a child process: its URL and process id (for its memory)."""

    base: str
    pid: int


@contextmanager
def served(settings: Settings, env: dict[str, str] | None = None) -> Iterator[Served]:
    """The service on the published index in a child process on loopback, healthy."""
    port = _free_port()
    child_env = {
        **os.environ,
        "PLANSEARCH_INDEX_DIR": str(settings.index_dir),
        "PLANSEARCH_EMBEDDER": settings.embedder,
        "PLANSEARCH_RELOAD_INTERVAL": "0",
        **(env or {}),
    }
    cmd = [sys.executable, "-m", "service", "serve", "--no-build", "--port", str(port)]
    cmd += ["--host", "127.0.0.1"]
    server = subprocess.Popen(
        cmd, env=child_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(f"{base}/health", server)
        yield Served(base, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The service on the published index in a child process on loopback; yields its URL."""
    with served(settings) as server:
        yield server.base


class LoopbackClient:
    """One keep-alive HTTP/1.1 connection to the served API that does as little as a client can
    (the standard library's ``http.client``: a request line, a status, the body read whole).

    The benchmark times the service, not its client: on the same 2 cores httpx spent ~1.4 ms
    of user CPU a ``/search`` request in the benchmark's process, against ~0.46 ms for this
    one (60 fresh questions each, load 8), and asked side by side over 5 rounds the single-client
    ``/search`` p50 through httpx was 0.3-4.0 ms slower (median 0.96 ms, load 11-14): time the
    issue's "reproducible with wrk" does not count. The connection is opened on first use and
    again after an error.
    """

    def __init__(self, base: str, timeout: float = 120.0) -> None:
        parts = urlsplit(base)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self._timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def get(self, path: str, params: dict[str, Any]) -> int:
        """The status of ``GET path?params``, its body read; 0 when the request failed."""
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        try:
            self._conn.request("GET", f"{path}?{urlencode(params)}")
            response = self._conn.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            self.close()
            return 0

    def close(self) -> None:
        """Close the connection (the next request opens another)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
