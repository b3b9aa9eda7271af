"""ASGI middleware of the service."""

from __future__ import annotations

import threading
from collections import OrderedDict

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with 413, counting what is actually sent."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or {}).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        if declared is not None:
            # The server holds a body to its declared length, so the check above suffices.
            await self.app(scope, receive, send)
            return
        # A chunked body declares no length: read it here, up to the limit, then hand it on.
        # (Raising from inside receive() would reach FastAPI's body reader, which answers 400.)
        messages: list[Message] = []
        seen = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                await self._refuse(scope, send)
                return
            if not message.get("more_body"):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        detail = f"request body over {self.max_bytes} bytes"
        await JSONResponse({"detail": detail}, status_code=413)(scope, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


class ResponseCache:
    """Remember the answers to repeated questions: a GET of a question route asked again
    with the same parameters gets the same bytes, without parsing, retrieval or JSON.

    Help desks repeat questions and the page's examples are asked all day. The engine is
    deterministic and read-only, so the response is a function of the request's path and
    query string and of the index served; the key holds all three, and a newly published
    index starts afresh. Only 200 answers are kept, at most ``max_bytes`` of them in all
    (least recently used dropped), so memory does not grow with use.
    """

    def __init__(self, app: ASGIApp, paths: frozenset[str], max_bytes: int = 8 << 20) -> None:
        self.app, self.paths, self.max_bytes = app, paths, max_bytes
        self._kept: OrderedDict[tuple[str, str, bytes], list[Message]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
        if kept is not None:
            for message in kept:
                await send(message)
            return
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)
            await send(message)

        await self.app(scope, receive, keep)
        size = self._cacheable(messages)
        if size:
            with self._lock:
                if key not in self._kept:
                    self._kept[key] = messages
                    self._bytes += size
                while self._bytes > self.max_bytes:
                    _, dropped = self._kept.popitem(last=False)
                    self._bytes -= _size(dropped)

    def _key(self, scope: Scope) -> tuple[str, str, bytes] | None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in self.paths:
            return None
        engine = getattr(scope["app"].state, "holder", None)
        served = getattr(getattr(engine, "engine", None), "index", None)
        if served is None:  # no index yet: the 503 is not kept
            return None
        return str(served.path), scope["path"], scope.get("query_string", b"")

    def _cacheable(self, messages: list[Message]) -> int:
        """The size of a complete 200 answer worth keeping, else 0."""
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        complete = bool(messages) and not messages[-1].get("more_body", False)
        if start is None or start["status"] != 200 or not complete:
            return 0
        size = _size(messages)
        return size if size <= self.max_bytes // 16 else 0


def _size(messages: list[Message]) -> int:
    return sum(len(m.get("body", b"")) for m in messages if m["type"] == "http.response.body")
