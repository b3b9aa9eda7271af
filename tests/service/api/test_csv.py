"""``GET /projects/search.csv``: the projects of ``/projects/search`` as a file for Excel, on the
real corpus (hashing encoder)."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote, urlsplit

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.api.routes.projects import CSV_COLUMNS

QUESTION = {"q": "子育て支援に取り組んでいる事業は？", "top_k": "20"}


@pytest.fixture(scope="module")
def client(hashing_engine, hashing_settings):
    with TestClient(create_app(hashing_settings, hashing_engine)) as c:
        yield c


def _rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_the_csv_lists_the_same_projects_as_the_json(client):
    r = client.get("/projects/search.csv", params=QUESTION)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in r.headers["content-disposition"]
    assert b"\r\n" in r.content  # Excel's line ends
    header, *rows = _rows(r.content)
    assert header == list(CSV_COLUMNS)
    projects = client.get("/projects/search", params=QUESTION).json()["projects"]
    assert len(rows) == len(projects) == 20
    for row, p in zip(rows, projects, strict=True):
        rank, number, name, department, city, document, section, _ = row
        assert (int(rank), number, name) == (p["rank"], p["project_id"], p["project_name"] or "")
        assert (department, city, document) == (p["department"] or "", p["city"], p["doc_title"])
        assert section == " › ".join(p["section_path"])
    assert any("子育て" in row[2] or "保育" in row[2] for row in rows)


def test_each_link_opens_its_record_on_the_page(client):
    _, *rows = _rows(client.get("/projects/search.csv", params=QUESTION).content)
    for row in rows[:5]:
        link = urlsplit(row[-1])
        assert link.path == "/" and link.fragment.startswith("/p/")
        doc_id, key = (unquote(part) for part in link.fragment.removeprefix("/p/").split("/"))
        record = client.get(f"/projects/{doc_id}/{key}", params={}).json()
        assert (record["project_id"], record["project_name"] or "") == (row[1], row[2])


def test_filters_and_the_limit_apply(client):
    params = {"q": "防災", "city": "伊勢原市", "top_k": "100"}
    _, *rows = _rows(client.get("/projects/search.csv", params=params).content)
    assert 10 < len(rows) <= 100 and {row[4] for row in rows} == {"伊勢原市"}


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"q": ""}, 422, "invalid_request"),
        ({"q": "防災", "top_k": "101"}, 422, "invalid_request"),
        ({"q": "防災", "year": "いつか"}, 422, "invalid_year"),
        ({"q": "防災", "department": "宇宙開発課"}, 422, "invalid_filter"),
    ],
)
def test_bad_input_is_refused_with_json_like_the_other_routes(client, params, status, code):
    r = client.get("/projects/search.csv", params=params)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json"
    assert r.json()["code"] == code and r.json()["detail"]


def test_the_csv_route_is_documented(client):
    operation = client.get("/openapi.json").json()["paths"]["/projects/search.csv"]["get"]
    assert "text/csv" in operation["responses"]["200"]["content"]
    assert {"422", "404", "503"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} >= {"q", "top_k", "city", "year"}


def test_a_cell_that_would_be_a_formula_is_text(hashing_engine):
    from service.api.routes.projects import projects_csv
    from service.filters import SearchFilters

    found = hashing_engine.search_projects_full("防災", 1, SearchFilters()).projects
    tampered = [found[0].model_copy(update={"project_name": '=HYPERLINK("http://x")'})]
    _, row = _rows(("\ufeff" + projects_csv(tampered, "http://h/")).encode())
    assert row[2] == '\'=HYPERLINK("http://x")'
    assert row[-1].startswith("http://h/#/p/")
