"""``server_options``: uvicorn serves the app over httptools and uvloop, without an access log."""

from __future__ import annotations

import logging
import socket
import threading
import time

import httpx
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.api import create_app
from service.api.main import server_options


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_served_over_httptools_and_uvloop_without_access_log(
    hashing_engine, hashing_settings, caplog
):
    port = _free_port()
    config = uvicorn.Config(
        create_app(hashing_settings, hashing_engine),
        host="127.0.0.1",
        port=port,
        log_config=None,
        **server_options(),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started
        r = httpx.get(f"http://127.0.0.1:{port}/search", params={"q": "子育て支援"}, timeout=30)
        assert r.status_code == 200 and r.json()["hits"]
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    assert config.http_protocol_class is HttpToolsProtocol
    assert type(config.get_loop_factory()()).__module__.startswith("uvloop")
    assert not [rec for rec in caplog.records if rec.name == "uvicorn.access"]
