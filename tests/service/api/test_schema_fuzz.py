"""Property-based API tests generated from the service's own OpenAPI schema.

schemathesis sends schema-shaped and deliberately malformed requests to every
route; the service must never answer 5xx and every response must match the
schema it publishes. The number of examples is bounded to keep CI short.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from service.api import create_app


@pytest.fixture(scope="module")
def api_schema(hashing_engine, hashing_settings):
    app = create_app(hashing_settings.model_copy(update={"reload_interval": 0}), hashing_engine)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


# schemathesis' own pytest plugin does not run under this pytest; drive hypothesis directly.
OPERATIONS = [
    ("GET", "/search"),
    ("POST", "/search"),
    ("GET", "/projects/search"),
    ("GET", "/answer"),
    ("GET", "/projects"),
    ("GET", "/projects/{doc_id}/{project_key}"),
    ("GET", "/health"),
]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_server_errors_and_responses_match_the_schema(api_schema, method, path):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case):
        response = case.call()
        assert response.status_code < 500, (case.path, case.query, response.text[:200])
        # Schema-shaped values can still be refused on meaning (a year like 「来年」),
        # so "valid data accepted" is not checked; shape, status codes and 5xx are.
        case.validate_response(response, excluded_checks=[positive_data_acceptance])

    check()


def test_the_fuzzed_schema_covers_every_public_route(api_schema):
    published = {(m.upper(), p) for p, ops in api_schema.raw_schema["paths"].items() for m in ops}
    assert published == set(OPERATIONS)
