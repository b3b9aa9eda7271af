"""Exception handlers and the error responses every route documents.

Errors raised on purpose are ``indexer.errors.PlansearchError``s: one handler answers each
with its ``status_code`` and its message. Validation errors become one readable sentence;
anything else is logged and answered 500 without internals.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from indexer.errors import PlansearchError
from service.schemas import ErrorOut
from service.search import NotFoundError as LegacyNotFoundError
from service.search import SearchInputError as LegacyInputError

log = logging.getLogger("plansearch")

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


async def plansearch_error(_: Request, exc: Exception) -> JSONResponse:
    """A PlansearchError: its message, with its status code."""
    status = exc.status_code if isinstance(exc, PlansearchError) else _legacy_status(exc)
    return JSONResponse({"detail": str(exc)}, status_code=status)


def _legacy_status(exc: Exception) -> int:
    return next(s for cls, s in _LEGACY_STATUS.items() if isinstance(exc, cls))


async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with one readable sentence per problem."""
    return JSONResponse({"detail": describe(exc)}, status_code=422)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """500 without internals; the trace goes to the log."""
    log.exception("plansearch: unexpected error on %s", request.url.path, exc_info=exc)
    return JSONResponse({"detail": "internal error; it has been logged"}, status_code=500)


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
    app.add_exception_handler(Exception, unexpected_error)
