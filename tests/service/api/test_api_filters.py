"""The filters, declared once (FilterParams): GET query parameters, POST body, CLI options."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service import cli
from service.api import create_app
from service.limits import MAX_PROJECT_PREFIX_CHARS
from service.schemas import FilterParams, SearchRequest

# The query parameters as the service published them before the filters became one model.
FILTERS = {
    "doc_id": "only these documents",
    "city": "only these cities",
    "department": "department name contains any of these",
    "section": "a section heading (分野, 施策 …) contains any",
    "year": "fiscal year: 2022, 2022年度, 令和4年度 or R4",
    "project": "project number prefix, e.g. 1-1 or 19-",
}
ROUTES = {
    "/search": ["q", "top_k", "mode", *FILTERS],
    "/projects/search": ["q", "top_k", *FILTERS],
    "/answer": ["q", "top_k", *FILTERS],
}
LIST = {"anyOf": [{"items": {"type": "string"}, "type": "array"}, {"type": "null"}]}
PREFIX = {"anyOf": [{"maxLength": MAX_PROJECT_PREFIX_CHARS, "type": "string"}, {"type": "null"}]}


@pytest.fixture(scope="module")
def client(hashing_engine, hashing_settings):
    settings = hashing_settings.model_copy(update={"reload_interval": 0})
    with TestClient(create_app(settings, hashing_engine)) as c:
        yield c


@pytest.fixture(scope="module")
def openapi(client):
    return client.get("/openapi.json").json()


@pytest.mark.parametrize("path", ROUTES)
def test_get_routes_publish_the_same_query_parameters_as_before(openapi, path):
    params = openapi["paths"][path]["get"]["parameters"]
    assert [p["name"] for p in params] == ROUTES[path]
    assert all(p["in"] == "query" for p in params)
    filters = {p["name"]: p for p in params if p["name"] in FILTERS}
    for name, description in FILTERS.items():
        p = filters[name]
        assert p["description"] == description and p["required"] is False
        expected = PREFIX if name == "project" else LIST
        assert p["schema"] == {
            **expected,
            "description": description,
            "title": name.replace("_", " ").title(),
        }


def test_the_post_body_has_the_same_filters(openapi):
    body = openapi["components"]["schemas"]["SearchRequest"]
    assert body["additionalProperties"] is False and body["required"] == ["q"]
    for name, description in FILTERS.items():
        assert body["properties"][name]["description"] == description
    assert issubclass(SearchRequest, FilterParams)


def test_filter_model_treats_empty_values_as_absent():
    empty = FilterParams(doc_id=[""], city=[" "], department=[], year=[""], project="")
    assert empty == FilterParams()
    kept = FilterParams(year=["", "2022"], project="19-")
    assert kept.year == ["2022"] and kept.project == "19-"
    body = SearchRequest(q="子育て", year=[""], project=" ")
    assert body.year is None and body.project is None


def _chunks(r):
    assert r.status_code == 200, r.text
    return [h["chunk_id"] for h in r.json()["hits"]]


def test_empty_query_parameters_are_absent(client):
    plain = {"q": "取組成果", "top_k": 20}
    empty = dict.fromkeys(FILTERS, "")
    assert _chunks(client.get("/search", params={**plain, **empty})) == _chunks(
        client.get("/search", params=plain)
    )
    assert _chunks(client.get("/search", params={**plain, "year": ["", "令和4年度"]})) == _chunks(
        client.get("/search", params={**plain, "year": "令和4年度"})
    )
    r = client.get("/projects/search", params={**plain, **empty})
    assert r.status_code == 200 and r.json()["projects"]
    r = client.post("/search", json={**plain, "year": [""], "department": [""], "project": ""})
    assert _chunks(r) == _chunks(client.get("/search", params=plain))


def test_get_and_post_read_the_filters_alike(client):
    filters = {"city": ["伊勢崎市"], "year": ["2022"], "department": ["課"], "project": "1-"}
    got = client.get("/search", params={"q": "取組成果", "top_k": 15, **filters})
    posted = client.post("/search", json={"q": "取組成果", "top_k": 15, **filters})
    assert _chunks(got) == _chunks(posted) and _chunks(got)
    too_long = "1" * (MAX_PROJECT_PREFIX_CHARS + 1)
    for r in (
        client.get("/search", params={"q": "子育て", "project": too_long}),
        client.post("/search", json={"q": "子育て", "project": too_long}),
    ):
        assert r.status_code == 422 and "project" in r.json()["detail"]


def test_cli_filter_options_take_the_model_descriptions():
    result = CliRunner().invoke(cli.app, ["search", "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    for name, description in FILTERS.items():
        line = next(x for x in result.stdout.splitlines() if f"--{name.replace('_', '-')} " in x)
        assert description in line


def test_cli_reads_filters_like_the_api(hashing_env):
    runner = CliRunner()
    args = ["search", "子育て", "--json", "-k", "5", "--year", "", "--section", "福祉分野"]
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    too_long = "1" * (MAX_PROJECT_PREFIX_CHARS + 1)
    result = runner.invoke(cli.app, ["search", "子育て", "--project", too_long])
    assert result.exit_code == 2 and "--project: " in result.output
