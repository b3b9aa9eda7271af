"""The benchmark's lean client: one keep-alive connection, the query string encoded as the
service reads it, the body read whole, and a failed request reported as status 0."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

from eval.serving import LoopbackClient


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as uvicorn answers
    seen: ClassVar[list[tuple[str, dict[str, list[str]], int]]] = []

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        _Echo.seen.append((parts.path, parse_qs(parts.query), self.client_address[1]))
        body = b"x" * 70_000  # more than one socket read
        self.send_response(200 if parts.path == "/search" else 404)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_requests_share_one_connection_and_failures_read_as_zero():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    client = LoopbackClient(f"http://127.0.0.1:{port}")
    try:
        assert client.get("/search", {"q": "子育て支援 と 保育", "top_k": 10}) == 200
        assert client.get("/missing", {"q": "a&b=c"}) == 404
        (path, query, source), (_, second, source2) = _Echo.seen
        assert path == "/search" and query == {"q": ["子育て支援 と 保育"], "top_k": ["10"]}
        assert second == {"q": ["a&b=c"]}
        assert source == source2  # the same connection, kept alive
        client.close()
    finally:
        server.shutdown()
        server.server_close()
    nobody = LoopbackClient(f"http://127.0.0.1:{port}")  # nobody listens there any more
    assert nobody.get("/search", {"q": "ごみ"}) == 0
    assert nobody.get("/search", {"q": "ごみ"}) == 0  # and again, on a new connection
