"""The HTTP API on the real corpus (hashing encoder): happy paths and bad input."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from indexer.settings import Settings
from indexer.years import fiscal_years
from service.api import create_app


@pytest.fixture(scope="module")
def client(hashing_engine, hashing_settings):
    with TestClient(create_app(hashing_settings, hashing_engine)) as c:
        yield c


def test_search_get_returns_hits_with_provenance(client):
    r = client.get("/search", params={"q": "証明書のコンビニ交付", "top_k": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == len(body["hits"]) == 5
    hit = body["hits"][0]
    assert [h["rank"] for h in body["hits"]] == [1, 2, 3, 4, 5]
    for key in (
        "score",
        "doc_id",
        "doc_title",
        "city",
        "project_id",
        "project_name",
        "department",
        "section_path",
        "field",
        "text",
        "chunk_id",
    ):
        assert key in hit
    assert any(h["project_id"] == "1-(1)-③" for h in body["hits"])


def test_search_post_with_filters(client):
    r = client.post("/search", json={"q": "子育て支援", "top_k": 20, "city": ["伊勢原市"]})
    assert r.status_code == 200
    hits = r.json()["hits"]
    assert hits and {h["doc_id"] for h in hits} == {"isehara-chuki-r3-r4"}
    r = client.get("/search", params={"q": "子育て支援", "doc_id": "isesaki-jisshi-r3"})
    assert {h["doc_id"] for h in r.json()["hits"]} == {"isesaki-jisshi-r3"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "empty"),
        ({"q": "子育て", "top_k": 0}, "top_k"),
        ({"q": "子育て", "top_k": 101}, "top_k"),
        ({"q": "子育て", "top_k": "ten"}, "top_k"),
        ({"q": "子育て", "doc_id": "nagoya-plan"}, "valid: isehara-chuki-r3-r4"),
        ({"q": "子育て", "city": "東京都"}, "valid: 伊勢原市, 伊勢崎市"),
        ({"q": "子育て", "mode": "magic"}, "mode"),
        ({"q": "あ" * 1001}, "q"),
        ({}, "q"),
    ],
)
def test_bad_search_input_gets_422_with_message(client, params, message):
    r = client.get("/search", params=params)
    assert r.status_code == 422
    assert message in r.json()["detail"]


def test_bad_post_bodies_get_422(client):
    assert client.post("/search", json={"q": "子育て", "top_k": 500}).status_code == 422
    assert client.post("/search", json={"query": "子育て"}).status_code == 422
    r = client.post("/search", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["detail"]


def test_projects_list_and_detail(client):
    r = client.get("/projects", params={"doc_id": "isesaki-jisshi-r3"})
    assert r.status_code == 200 and r.json()["total"] == 343
    all_projects = client.get("/projects").json()
    assert all_projects["total"] > 343
    r = client.get("/projects/isesaki-jisshi-r3/39")
    assert r.status_code == 200
    detail = r.json()
    assert detail["project_name"] == "ファミリー・サポート・センター事業"
    assert detail["fields"] and all(f["text"] for f in detail["fields"])
    key = quote("1-(1)-③", safe="")
    r = client.get(f"/projects/isesaki-gyokaku-r2-r5/{key}")
    assert r.status_code == 200 and r.json()["project_name"] == "証明書コンビニ交付サービスの推進"


def test_unknown_document_or_project_is_404_with_hint(client):
    r = client.get("/projects/nowhere/1")
    assert r.status_code == 404 and "valid: " in r.json()["detail"]
    r = client.get("/projects/isesaki-jisshi-r3/9999")
    assert r.status_code == 404 and "9999" in r.json()["detail"]
    assert client.get("/projects", params={"doc_id": "nowhere"}).status_code == 404


def test_health_and_openapi(client):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["chunks"] > 1000
    assert {d["doc_id"] for d in health["documents"]} == {
        "isesaki-jisshi-r3",
        "isesaki-manifesto-r6",
        "isesaki-gyokaku-r2-r5",
        "isesaki-action-plan-r7",
        "isehara-chuki-r3-r4",
    }
    schema = client.get("/openapi.json").json()
    assert {"/search", "/projects", "/projects/{doc_id}/{project_key}", "/health"} <= set(
        schema["paths"]
    )
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="ja">' in page.text


def test_service_without_index_answers_503_with_what_to_run(tmp_path):
    settings = Settings(embedder="hashing", index_dir=tmp_path / "none", cache_dir=tmp_path)
    with TestClient(create_app(settings)) as c:
        r = c.get("/search", params={"q": "子育て"})
        assert r.status_code == 503 and "plansearch index" in r.json()["detail"]
        assert c.get("/health").status_code == 503


def test_filters_by_department_year_section_and_project_prefix(client):
    r = client.get("/search", params={"q": "事業", "department": "健康づくり課", "top_k": 30})
    assert r.status_code == 200
    assert all("健康づくり課" in (h["department"] or "") for h in r.json()["hits"])
    r = client.get("/search", params={"q": "取組成果", "year": "令和4年度", "top_k": 30})
    hits = r.json()["hits"]
    assert hits and all(2022 in fiscal_years(f"{h['field']}\n{h['text']}") for h in hits)
    unfiltered = client.get("/search", params={"q": "取組成果", "top_k": 30}).json()["hits"]
    assert any(2022 not in fiscal_years(f"{h['field']}\n{h['text']}") for h in unfiltered)
    same = client.get("/search", params={"q": "取組成果", "year": "2022", "top_k": 30}).json()
    assert [h["chunk_id"] for h in same["hits"]] == [h["chunk_id"] for h in hits]
    r = client.get(
        "/search", params={"q": "事業", "project": "19-", "doc_id": "isehara-chuki-r3-r4"}
    )
    assert {h["project_id"][:3] for h in r.json()["hits"]} == {"19-"}
    r = client.get("/search", params={"q": "子育て", "section": "福祉分野", "top_k": 20})
    assert all("福祉分野" in h["section_path"] for h in r.json()["hits"])


def test_facets_count_matching_passages(client):
    body = client.get("/search", params={"q": "子育て支援", "top_k": 5}).json()
    facets = body["facets"]
    assert set(facets) == {"doc_id", "city", "department", "section", "year"}
    assert sum(facets["city"].values()) >= len(body["hits"])
    assert set(facets["city"]) <= {"伊勢崎市", "伊勢原市"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "子育て", "year": "来年"}, "令和4年度"),
        ({"q": "子育て", "department": "宇宙開発課"}, "no department matches"),
        ({"q": "子育て", "section": "zzzz"}, "no section matches"),
    ],
)
def test_bad_filters_get_422_with_message(client, params, message):
    r = client.get("/search", params=params)
    assert r.status_code == 422 and message in r.json()["detail"]


def test_projects_search_groups_passages_by_project(client):
    r = client.get("/projects/search", params={"q": "証明書 コンビニ交付", "top_k": 5})
    assert r.status_code == 200
    body = r.json()
    keys = [(p["doc_id"], p["project_key"]) for p in body["projects"]]
    assert len(keys) == len(set(keys)) == body["total"] <= 5
    assert ("isesaki-gyokaku-r2-r5", "1-(1)-③") in keys
    for p in body["projects"]:
        assert 1 <= len(p["evidence"]) <= 3
        assert all(
            (e["doc_id"], e["project_key"]) == (p["doc_id"], p["project_key"])
            for e in p["evidence"]
        )
    assert client.get("/projects/search", params={"q": " "}).status_code == 422


def test_manifesto_items_link_to_the_implementation_plan(client):
    detail = client.get("/projects/isesaki-manifesto-r6/" + quote("1-(1)-①", safe="")).json()
    assert detail["related"] == ["2-2-3①③"]
    linked = {(x["doc_id"], x["project_name"]) for x in detail["related_projects"]}
    assert ("isesaki-jisshi-r3", "企業誘致事業") in linked
    back = client.get("/projects/isesaki-jisshi-r3/169").json()["related_projects"]
    assert any(x["doc_id"] == "isesaki-manifesto-r6" and x["project_id"] == "1-(1)-①" for x in back)


def test_hits_carry_token_highlights(client):
    body = client.get("/search", params={"q": "証明書のコンビニ交付", "top_k": 3}).json()
    hit = body["hits"][0]
    marked = [hit["text"][a:b] for a, b in hit["highlights"]]
    assert marked and all(m.strip() for m in marked)
    assert any("証明書" in m or "コンビニ" in m or "交付" in m for m in marked)
    assert all(m not in {"の", "を", "、"} for m in marked)


def test_project_evidence_carries_highlights(client):
    body = client.get("/projects/search", params={"q": "証明書のコンビニ交付", "top_k": 2}).json()
    evidence = [e for p in body["projects"] for e in p["evidence"]]
    assert evidence and any(e["highlights"] for e in evidence)
