"""The question routes without FastAPI's per-request machinery, for well-formed requests.

FastAPI's own machinery took about 1 ms of CPU of every ``GET /search``, half of what
the served process spent beyond the engine: it solves the route's dependencies anew on every
request (for each parameter it inspects the annotation's type again, then validates it alone),
walks the included routers, enters two exit stacks and re-validates the returned model. The
question routes need none of that: their query is one pydantic model
(``service.schemas.QuestionQuery`` and its kin), validated in one call, and their answer is a
model that is serialized once.

``QuestionFastPath`` is the innermost middleware: a GET of a question route whose query
validates is answered here, by the same function the FastAPI route calls (so the bodies are
the same bytes); anything else — another route or method, no engine yet (503), a query that
does not validate (422 with FastAPI's own message) — goes on to FastAPI, which answers it as
before. The FastAPI routes stay declared as they are: they make the OpenAPI schema and serve
every request the fast path passes on. Errors the engine raises here are answered by the
application's own handlers (``service.api.errors``), as FastAPI would answer them.

A question asked alone is answered on the event loop's own thread (``QuestionFastPath.answer``):
the thread pool's hand-off and hand-back cost two thread wake-ups and anyio's bookkeeping (77-80
µs of CPU for a call that does nothing, uvloop). Served, the engine's model output replayed
(6 interleaved single-client rounds of the 236 bench questions, load 1.8-2.7), /search p50 went
4.36 -> 4.08 ms (paired median -0.28), /projects/search -0.28. Questions asked together go to
the thread pool as before, so that none waits with the loop blocked behind another's model call:
under 8 and 4 clients 234-236 of 236 went to the pool.
"""

from __future__ import annotations

import asyncio
import codecs
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import get_route_path
from starlette.types import ASGIApp, Receive, Scope, Send

from service.filters import SearchFilters
from service.schemas import FilterParams
from service.search import SearchEngine

Answer = Callable[[SearchEngine, Any, SearchFilters], BaseModel]


@dataclass(frozen=True)
class QuestionRoute:
    """A question route's query model and the function (run on a worker thread, as the
    route runs it) that makes its response model from the engine, the query and its filters."""

    query: type[FilterParams]
    answer: Answer

    @cached_property
    def lists(self) -> frozenset[str]:
        """The repeatable parameters (``?city=a&city=b``), read as lists."""
        return frozenset(n for n, f in self.query.model_fields.items() if _is_list(f.annotation))

    def read(self, query_string: bytes) -> FilterParams:
        """The query validated (ValidationError when it is not valid), as FastAPI reads it:
        the last value of a single parameter, every value of a repeatable one, and a
        repeatable parameter that is not given absent."""
        given: dict[str, list[str]] = {}
        for name, value in query_pairs(query_string):
            given.setdefault(name, []).append(value)
        values: dict[str, Any] = {}
        for name in self.query.model_fields:
            if found := given.get(name):
                values[name] = found if name in self.lists else found[-1]
        return self.query.model_validate(values)


def query_pairs(query_string: bytes) -> list[tuple[str, str]]:
    """The (name, value) pairs of a query string, as Starlette reads them
    (``parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)``).

    A question arrives percent-encoded, three escapes a Japanese character; ``unquote`` reads
    them one by one in Python (about 45 µs for a typical question), ``codecs.escape_decode``
    reads the same escapes written as ``\\xHH`` in C. Text it could read otherwise (a
    backslash, a character outside ASCII, a ``%`` without two hex digits) goes to
    ``parse_qsl``."""
    text = query_string.decode("latin-1")
    if text.isascii() and "\\" not in text:
        try:
            return [(_unquote(n), _unquote(v)) for n, _, v in _fields(text)]
        except ValueError:  # a % not followed by two hex digits, which unquote keeps as is
            pass
    return parse_qsl(text, keep_blank_values=True)


def _fields(text: str) -> Iterator[tuple[str, str, str]]:
    return (part.partition("=") for part in text.split("&") if part)


def _unquote(text: str) -> str:
    text = text.replace("+", " ")
    if "%" not in text:
        return text
    escaped = text.replace("%", "\\x").encode("ascii")
    return codecs.escape_decode(escaped)[0].decode("utf-8", "replace")


def _is_list(annotation: Any) -> bool:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_is_list(a) for a in typing.get_args(annotation))
    return typing.get_origin(annotation) is list


class QuestionFastPath:
    """Answer the GETs of ``routes`` (path → route) whose query validates; pass on the rest."""

    def __init__(self, app: ASGIApp, routes: Mapping[str, QuestionRoute]) -> None:
        self.app, self.routes = app, dict(routes)
        self._asked = 0  # questions between their validation and their answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = None
        if scope["type"] == "http" and scope["method"] == "GET":
            route = self.routes.get(get_route_path(scope))
        engine = getattr(scope["app"].state.holder, "engine", None) if route else None
        if route is None or engine is None:
            await self.app(scope, receive, send)
            return
        try:
            query = route.read(scope.get("query_string", b""))
        except ValidationError:  # FastAPI says what is wrong, in its own words
            await self.app(scope, receive, send)
            return
        try:
            filters = query.search_filters(engine)
            found = await self.answer(route, engine, query, filters)
        except Exception as exc:
            response = await _handled(scope, exc)
        else:
            # What FastAPI sends for a route's model: its JSON, by the model's own serializer.
            body = found.__pydantic_serializer__.to_json(found, by_alias=True)
            response = Response(body, media_type="application/json")
        await response(scope, receive, send)

    async def answer(
        self, route: QuestionRoute, engine: SearchEngine, query: Any, filters: SearchFilters
    ) -> BaseModel:
        """``route``'s answer: made right here on the event loop's thread when no other
        question is being asked, else on the thread pool.

        The requests whose bytes arrived together are started in one turn of the loop, each
        running up to its first wait: the one pass of the loop (``sleep(0)``) lets those
        behind this one count themselves before it decides. A question that arrives while one
        is answered here waits for it (at most one request's work, most of it the model call
        it would have waited for anyway); under steady concurrent load questions overlap, and
        every one of them goes to the pool."""
        self._asked += 1
        try:
            await asyncio.sleep(0)
            if self._asked == 1:
                return route.answer(engine, query, filters)
            return await run_in_threadpool(route.answer, engine, query, filters)
        finally:
            self._asked -= 1


async def _handled(scope: Scope, exc: Exception) -> Response:
    """The response of the application's handler for ``exc``; an error without one of its
    own (a bug) is raised on, to the handler of last resort (500, logged)."""
    handlers: dict[Any, Any] = scope["app"].exception_handlers
    own = (handlers[c] for c in type(exc).__mro__ if c is not Exception and c in handlers)
    handler = next(own, None)
    if handler is None:
        raise exc
    response: Response = await handler(Request(scope), exc)
    return response
