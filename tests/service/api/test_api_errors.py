"""One handler answers every PlansearchError with its status; validation and the rest."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Query
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient

from indexer.errors import InputError, NotFoundError, PlansearchError, UnavailableError
from service import search
from service.api import create_app
from service.api.errors import install_error_handlers, plansearch_error


class TeapotError(PlansearchError):
    status_code = 418


def _client(exc: Exception) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    def boom(n: int = Query(0, le=5)) -> None:
        raise exc

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (InputError("the query is empty"), 422),
        (NotFoundError("no project 9999 in isesaki-jisshi-r3"), 404),
        (UnavailableError("no index; run `plansearch index`"), 503),
        (TeapotError("any subclass answers with its own status"), 418),
        (search.SearchInputError("top_k must be between 1 and 100"), 422),
        (search.NotFoundError("unknown doc_id nowhere; valid: …"), 404),
    ],
)
def test_each_error_kind_answers_its_status_and_message(exc, status):
    r = _client(exc).get("/boom")
    assert r.status_code == status
    assert r.json() == {"detail": str(exc)}


def test_validation_errors_are_one_sentence():
    r = _client(InputError("unused")).get("/boom", params={"n": 9})
    assert r.status_code == 422
    assert r.json()["detail"].startswith("query n: ")


def test_anything_else_is_500_without_internals():
    r = _client(RuntimeError("secret stack detail")).get("/boom")
    assert r.status_code == 500
    assert r.json() == {"detail": "internal error; it has been logged"}


def test_the_application_has_one_handler_for_every_plansearch_error(hashing_settings):
    handlers = create_app(hashing_settings).exception_handlers
    assert handlers[PlansearchError] is plansearch_error
    ours = {cls for cls, h in handlers.items() if h is plansearch_error}
    # service.search's classes only need their own entry while they are outside the family.
    assert ours <= {PlansearchError, search.SearchInputError, search.NotFoundError}
    assert {RequestValidationError, Exception} <= set(handlers)
