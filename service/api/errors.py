"""Exception handlers and the error responses every route documents.

Errors raised on purpose are ``indexer.errors.PlansearchError``s: one handler answers each
with its ``status_code``, its message (``detail``, English, for people reading logs and curl)
and a machine-readable ``code`` derived from its class, so a client (the search page) can say
the same thing in its own language without parsing the English. Validation errors become one
readable sentence; anything else is logged and answered 500 without internals.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from indexer.embedding.base import EmbedderError
from indexer.errors import InputError, NotFoundError, PlansearchError, UnavailableError
from indexer.store import IndexMismatchError, IndexMissingError
from indexer.years import YearError
from service.filters import FilterError
from service.search import NotFoundError as LegacyNotFoundError
from service.search import SearchInputError as LegacyInputError

log = logging.getLogger("plansearch")

# The code of each error class, most specific first: an error answers with the code of the
# first class it is an instance of. A new subclass inherits its base's code until it gets its
# own line. The codes are the API's contract; class names may change, codes may not.
CODES: tuple[tuple[type[Exception], str], ...] = (
    (YearError, "invalid_year"),
    (FilterError, "invalid_filter"),
    (InputError, "invalid_input"),
    (LegacyInputError, "invalid_input"),
    (NotFoundError, "not_found"),
    (LegacyNotFoundError, "not_found"),
    (IndexMissingError, "index_missing"),
    (IndexMismatchError, "index_mismatch"),
    (EmbedderError, "model_unavailable"),
    (UnavailableError, "unavailable"),
    (PlansearchError, "error"),
)
VALIDATION = "invalid_request"
INTERNAL = "internal"
# HTTP errors raised by FastAPI or Starlette themselves or by a route: the body parser's 400,
# the admin 401, the 404 of a path that does not exist. (405 keeps the application's handler,
# which completes its Allow header.)
HTTP_CODES = {400: "body_unreadable", 401: "unauthorized", 404: "not_found"}


class ErrorOut(BaseModel):
    """Every error carries a message that says what was wrong, and its kind as a code."""

    detail: str = Field(description="what was wrong and what to do, in English")
    code: str | None = Field(
        None,
        description="machine-readable kind of the error, for a client's own message: "
        + ", ".join(dict.fromkeys([c for _, c in CODES] + [VALIDATION, INTERNAL]))
        + ", "
        + ", ".join(HTTP_CODES.values())
        + ". Absent on 413 (answered before the application runs) and on 405.",
        examples=["invalid_filter"],
    )


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "no such document or project"},
    422: {"model": ErrorOut, "description": "bad input; the message says what to change"},
    503: {"model": ErrorOut, "description": "no usable index; the message says what to run"},
}

# Answered before a route runs, so ``service.api.main`` adds them to the routes they reach:
# 413 to every route (the body limit is middleware), 400 to the routes that read a JSON body.
BODY_TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorOut, "description": "request body over the limit (16 KiB by default)"},
}
BODY_UNREADABLE: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "the body cannot be parsed (not UTF-8 text)"},
}

# service.search's own error classes, until they derive from the PlansearchError family.
_LEGACY_STATUS: dict[type[Exception], int] = {LegacyInputError: 422, LegacyNotFoundError: 404}


def error_code(exc: BaseException) -> str:
    """The code of ``exc``: that of the most specific error along its ``__cause__`` chain.

    The engine re-raises a filter's or a year's error as its own input error (``raise …
    from exc``); the cause says more than the wrapper (``invalid_year`` rather than
    ``invalid_input``), and the message is the same.
    """
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__
    found = [rank for e in chain for rank, (cls, _) in enumerate(CODES) if isinstance(e, cls)]
    return CODES[min(found)][1] if found else INTERNAL


def body(detail: str, code: str | None) -> dict[str, str | None]:
    """The JSON of an error response."""
    return {"detail": detail, "code": code}


async def plansearch_error(_: Request, exc: Exception) -> JSONResponse:
    """A PlansearchError: its message and code, with its status code."""
    status = exc.status_code if isinstance(exc, PlansearchError) else _legacy_status(exc)
    return JSONResponse(body(str(exc), error_code(exc)), status_code=status)


def _legacy_status(exc: Exception) -> int:
    return next(s for cls, s in _LEGACY_STATUS.items() if isinstance(exc, cls))


async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with one readable sentence per problem."""
    return JSONResponse(body(describe(exc), VALIDATION), status_code=422)


async def http_error(_: Request, exc: Exception) -> JSONResponse:
    """An HTTP error of one of the ``HTTP_CODES`` statuses, with its code."""
    assert isinstance(exc, HTTPException)  # registered per status, which only HTTP errors have
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    code = HTTP_CODES[exc.status_code]
    return JSONResponse(body(detail, code), status_code=exc.status_code, headers=exc.headers)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """500 without internals; the trace goes to the log."""
    log.exception("plansearch: unexpected error on %s", request.url.path, exc_info=exc)
    return JSONResponse(body("internal error; it has been logged", INTERNAL), status_code=500)


def describe(exc: RequestValidationError) -> str:
    """One readable sentence per problem, e.g. ``query top_k: Input should be ≤ 100``."""
    parts = []
    for err in exc.errors():
        where = " ".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(PlansearchError, plansearch_error)
    for legacy in _LEGACY_STATUS:
        if not issubclass(legacy, PlansearchError):
            app.add_exception_handler(legacy, plansearch_error)
    for status in HTTP_CODES:  # a status handler is asked before any per-class one
        app.add_exception_handler(status, http_error)
    app.add_exception_handler(Exception, unexpected_error)
