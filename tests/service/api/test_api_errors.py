"""One handler answers every PlansearchError with its status, message and code; validation and
the rest; the code is documented in the OpenAPI schema."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Query
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient

from indexer.errors import InputError, NotFoundError, PlansearchError, UnavailableError
from indexer.store import IndexMissingError
from indexer.years import YearError
from service import search
from service.api import create_app
from service.api.errors import install_error_handlers, plansearch_error
from service.filters import FilterError


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
    ("exc", "status", "code"),
    [
        (InputError("the query is empty"), 422, "invalid_input"),
        (NotFoundError("no project 9999 in isesaki-jisshi-r3"), 404, "not_found"),
        (UnavailableError("no index; run `plansearch index`"), 503, "unavailable"),
        (IndexMissingError("no index at var/index; run `plansearch index`"), 503, "index_missing"),
        (TeapotError("any subclass answers with its own status"), 418, "error"),
        (search.SearchInputError("top_k must be between 1 and 100"), 422, "invalid_input"),
        (search.NotFoundError("unknown doc_id nowhere; valid: …"), 404, "not_found"),
        (FilterError("no department matches 宇宙課"), 422, "invalid_filter"),
    ],
)
def test_each_error_kind_answers_its_status_message_and_code(exc, status, code):
    r = _client(exc).get("/boom")
    assert r.status_code == status
    assert r.json() == {"detail": str(exc), "code": code}


def _wrapped(cause: Exception) -> Exception:
    """``cause`` re-raised as the engine does (``raise SearchInputError(str(exc)) from exc``)."""
    try:
        raise search.SearchInputError(str(cause)) from cause
    except search.SearchInputError as exc:
        return exc


def test_a_wrapped_error_answers_the_code_of_its_cause():
    year = _wrapped(FilterError("cannot read the year いつか"))
    year.__cause__.__cause__ = YearError("cannot read the year いつか")  # type: ignore[union-attr]
    r = _client(year).get("/boom")
    assert r.status_code == 422
    assert r.json() == {"detail": "cannot read the year いつか", "code": "invalid_year"}
    assert _client(_wrapped(FilterError("x"))).get("/boom").json()["code"] == "invalid_filter"


def test_real_refusals_carry_their_code(hashing_settings, hashing_engine):
    client = TestClient(create_app(hashing_settings, hashing_engine))
    cases = [
        ({"q": "防災", "year": "いつか"}, "invalid_year", "いつか"),
        ({"q": "防災", "department": "宇宙開発課"}, "invalid_filter", "宇宙開発課"),
        ({"q": "防災", "doc_id": "nowhere"}, "invalid_filter", "nowhere"),
        ({"q": "防災", "top_k": "0"}, "invalid_request", "top_k"),
        ({"q": "あ" * 1001}, "invalid_request", "q"),
    ]
    for params, code, named in cases:
        r = client.get("/projects/search", params=params)
        assert r.status_code == 422, params
        assert r.json()["code"] == code, params
        assert named in r.json()["detail"], params
    r = client.get("/projects/isesaki-jisshi-r3/99999")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert client.get("/nowhere").json() == {"detail": "Not Found", "code": "not_found"}
    r = client.post(
        "/search", content=b'{"q": "\xff"}', headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["code"] == "body_unreadable" and r.json()["detail"]


def test_the_code_is_documented(hashing_settings):
    schema = create_app(hashing_settings).openapi()["components"]["schemas"]["ErrorOut"]
    assert set(schema["properties"]) == {"detail", "code"}
    assert schema["required"] == ["detail"]  # 413 is answered before the app: no code
    for code in ("invalid_year", "invalid_filter", "invalid_request", "not_found", "internal"):
        assert code in schema["properties"]["code"]["description"]


def test_validation_errors_are_one_sentence():
    r = _client(InputError("unused")).get("/boom", params={"n": 9})
    assert r.status_code == 422
    assert r.json()["detail"].startswith("query n: ")
    assert r.json()["code"] == "invalid_request"


def test_anything_else_is_500_without_internals():
    r = _client(RuntimeError("secret stack detail")).get("/boom")
    assert r.status_code == 500
    assert r.json() == {"detail": "internal error; it has been logged", "code": "internal"}


def test_the_application_has_one_handler_for_every_plansearch_error(hashing_settings):
    handlers = create_app(hashing_settings).exception_handlers
    assert handlers[PlansearchError] is plansearch_error
    ours = {cls for cls, h in handlers.items() if h is plansearch_error}
    # service.search's classes only need their own entry while they are outside the family.
    assert ours <= {PlansearchError, search.SearchInputError, search.NotFoundError}
    assert {RequestValidationError, Exception} <= set(handlers)
