"""The HTTP API on the real corpus (hashing encoder): happy paths and bad input."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from indexer.settings import Settings
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
    assert '<html lang="ja"' in page.text
    assert 'data-max-query-chars="1000"' in page.text and "{{" not in page.text  # limits filled
    assert client.get("/static/page.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/index.html").status_code == 404  # only the page's assets


def test_service_without_index_answers_503_with_what_to_run(tmp_path):
    settings = Settings(embedder="hashing", index_dir=tmp_path / "none", cache_dir=tmp_path)
    with TestClient(create_app(settings)) as c:
        r = c.get("/search", params={"q": "子育て"})
        assert r.status_code == 503 and "plansearch index" in r.json()["detail"]
        assert c.get("/health").status_code == 503


def _hits(r) -> list[dict]:
    assert r.status_code == 200, r.text
    return r.json()["hits"]


def test_department_filter_keeps_only_that_department(client):
    hits = _hits(
        client.get("/search", params={"q": "事業", "department": "健康づくり課", "top_k": 30})
    )
    assert hits
    assert all("健康づくり課" in (h["department"] or "") for h in hits)


# corpus/isesaki-gyokaku-r2-r5.txt lines 258-270, 取組項目 1-(1)-③ 証明書コンビニ交付サービスの推進:
# its 取組状況 row has one column per year, each ending in the cumulative マイナンバーカード count.
CONVENIENCE_STORE = {"doc_id": "isesaki-gyokaku-r2-r5", "project": "1-(1)-③", "top_k": 100}
ISSUED_R2 = "交付件数 53,124 枚"  # 取組状況, column 令和2年度
ISSUED_R3 = "交付件数 79,856 枚"  # 取組状況, column 令和3年度
ISSUED_R4 = "交付件数 132,714枚"  # 取組状況, column 令和4年度
RESULT_R4 = "証明交付件数 35,464件"  # line 271, 取組成果, column 令和4年度


def test_year_filter_keeps_the_passages_of_that_year(client):
    params = {"q": "マイナンバーカード 交付件数", **CONVENIENCE_STORE}
    hits = _hits(client.get("/search", params={**params, "year": "令和4年度"}))
    assert hits
    texts = "\n".join(h["text"] for h in hits)
    assert ISSUED_R4 in texts and RESULT_R4 in texts
    assert ISSUED_R3 not in texts and ISSUED_R2 not in texts
    assert "取組状況 令和4年度" in {h["field"] for h in hits}
    unfiltered = "\n".join(h["text"] for h in _hits(client.get("/search", params=params)))
    assert ISSUED_R2 in unfiltered and ISSUED_R3 in unfiltered and ISSUED_R4 in unfiltered
    for same in ("2022", "2022年度", "R4", "令和４年度"):
        again = _hits(client.get("/search", params={**params, "year": same}))
        assert [h["chunk_id"] for h in again] == [h["chunk_id"] for h in hits], same
    r = client.get("/search", params={"q": "取組成果", "year": "令和4年度", "top_k": 30})
    same = client.get("/search", params={"q": "取組成果", "year": "2022", "top_k": 30})
    assert _hits(r) and [h["chunk_id"] for h in _hits(same)] == [h["chunk_id"] for h in _hits(r)]


def test_department_and_year_filters_together(client):
    # The README's example. Fewer passages pass both filters than the retrievers' depth, so every
    # one of them is returned whatever the ranking.
    params = {"q": "取組成果", "year": "令和4年度", "department": "市民課", "top_k": 100}
    hits = _hits(client.get("/search", params=params))
    assert hits and all("市民課" in h["department"] for h in hits)
    found = {(h["doc_id"], h["project_id"]) for h in hits}
    # corpus/isesaki-gyokaku-r2-r5.txt line 259: 担当部課 市民部市民課 (取組項目 1-(1)-③).
    assert ("isesaki-gyokaku-r2-r5", "1-(1)-③") in found
    # corpus/isesaki-jisshi-r3.txt lines 1433-1438: 事業番号 33 出生祝品贈呈事業, 担当課 市民課,
    # 事業計画 令和3年度 / 令和4年度 / 令和5年度 ●出生祝品の贈呈.
    assert ("isesaki-jisshi-r3", "33") in found
    # lines 2333-2334: 事業番号 169 企業誘致事業 plans 令和4年度 too, but under 企業誘致課.
    assert ("isesaki-jisshi-r3", "169") not in found
    texts = "\n".join(h["text"] for h in hits)
    assert ISSUED_R4 in texts and ISSUED_R3 not in texts


def test_project_prefix_and_section_filters(client):
    hits = _hits(
        client.get(
            "/search", params={"q": "事業", "project": "19-", "doc_id": "isehara-chuki-r3-r4"}
        )
    )
    assert hits and {h["project_id"][:3] for h in hits} == {"19-"}
    hits = _hits(client.get("/search", params={"q": "子育て", "section": "福祉分野", "top_k": 20}))
    assert hits and all("福祉分野" in h["section_path"] for h in hits)


def test_facets_of_one_project_count_every_passage_of_it(client, hashing_engine):
    # A filter narrower than the retrievers' depth: every passage of the project matches.
    passages = sum(
        1
        for c in hashing_engine.index.chunks
        if (c.doc_id, c.project_key) == ("isesaki-gyokaku-r2-r5", "1-(1)-③")
    )
    body = client.get("/search", params={"q": "マイナンバーカード", **CONVENIENCE_STORE}).json()
    assert passages > 1 and body["total"] == passages
    facets = body["facets"]
    assert facets["doc_id"] == {"isesaki-gyokaku-r2-r5": passages}
    assert facets["city"] == {"伊勢崎市": passages}  # corpus/documents.json: its city
    assert facets["department"] == {"市民部市民課": passages}  # line 259: 担当部課
    # line 17: the heading 「1 効率的で効果的な行政運営」 the item sits under.
    assert facets["section"] == {"1 効率的で効果的な行政運営": passages}
    r4 = client.get(
        "/search", params={"q": "マイナンバーカード", "year": "令和4年度", **CONVENIENCE_STORE}
    ).json()
    assert 0 < facets["year"]["2022"] == r4["total"] < passages


# corpus/documents.json: the city of each document.
CITY_OF = {
    "isesaki-jisshi-r3": "伊勢崎市",
    "isesaki-manifesto-r6": "伊勢崎市",
    "isesaki-gyokaku-r2-r5": "伊勢崎市",
    "isesaki-action-plan-r7": "伊勢崎市",
    "isehara-chuki-r3-r4": "伊勢原市",
}


def test_facets_count_matching_passages(client):
    body = client.get("/search", params={"q": "子育て支援", "top_k": 5}).json()
    facets = body["facets"]
    assert set(facets) == {"doc_id", "city", "department", "section", "year"}
    assert set(facets["city"]) <= {"伊勢崎市", "伊勢原市"}
    per_city: dict[str, int] = {}
    for doc_id, n in facets["doc_id"].items():
        per_city[CITY_OF[doc_id]] = per_city.get(CITY_OF[doc_id], 0) + n
    assert facets["city"] == per_city and set(per_city) == {"伊勢崎市", "伊勢原市"}
    assert sum(facets["city"].values()) > len(body["hits"]) == 5
    isehara = client.get("/search", params={"q": "子育て支援", "city": "伊勢原市"}).json()["facets"]
    assert set(isehara["doc_id"]) == {"isehara-chuki-r3-r4"}  # 伊勢原市's only document
    assert isehara["city"] == {"伊勢原市": isehara["doc_id"]["isehara-chuki-r3-r4"]}


@pytest.mark.parametrize(
    ("department", "close"),
    [
        # corpus/isesaki-jisshi-r3.txt line 1440: 担当課 子育て支援課;
        # corpus/isehara-chuki-r3-r4.txt line 1098: (子ども部 子育て支援課).
        ("子育て支援科", {"子育て支援課", "子ども部 子育て支援課"}),
        # corpus/isesaki-jisshi-r3.txt line 1433: 担当課 市民課;
        # corpus/isesaki-gyokaku-r2-r5.txt line 259: 担当部課 市民部市民課.
        ("市民家", {"市民課", "市民部市民課"}),
    ],
)
def test_misspelled_department_gets_close_values(client, department, close):
    r = client.get("/search", params={"q": "子育て", "department": department})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail.startswith(f"no department matches {department}; close values: ")
    offered = set(detail.split("close values: ", 1)[1].split(", "))
    assert close <= offered


def test_misspelled_section_gets_close_values(client):
    # corpus/isesaki-jisshi-r3.txt line 26: the section heading 「安心安全分野」.
    r = client.get("/search", params={"q": "防災", "section": "安心安全分や"})
    assert r.status_code == 422
    assert "close values: 安心安全分野" in r.json()["detail"]


def test_misspelled_short_section_gets_the_heading_it_resembles(client):
    # corpus/isesaki-jisshi-r3.txt line 23: the section heading 「福祉分野」.
    r = client.get("/search", params={"q": "子育て", "section": "福祉分や"})
    assert r.status_code == 422 and "福祉分野" in r.json()["detail"]


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


# corpus/isesaki-manifesto-r6.txt line 18: item 1-(1)-① cites
# 「2-2-3①③ 進出企業と市内企業との協業支援 企業誘致事業」, and line 34: item 1-(2)-① cites
# 「2-2-3① 立地支援策のPR 企業誘致事業」; corpus/isesaki-jisshi-r3.txt lines 556-560: 施策 2-2-3 ①
# lists 立地支援策のPR … 進出企業と市内企業との協業支援 under 169 企業誘致事業.
# No other item cites it.
CITING_169 = {
    (
        "isesaki-manifesto-r6",
        "1-(1)-①",
        "誘致企業等を含め市内企業との連携を進め、新たな関係を構築します。",
    ),
    (
        "isesaki-manifesto-r6",
        "1-(2)-①",
        "工業団地内への集客機能など、産業観光のあり方について研究します",
    ),
}


def test_hits_of_a_cited_project_carry_the_items_citing_it(client):
    params = {"q": "企業誘致", "doc_id": "isesaki-jisshi-r3", "project": "169", "top_k": 10}
    hits = _hits(client.get("/search", params=params))
    assert hits and {h["project_id"] for h in hits} == {"169"}
    for h in hits:
        assert h["project_name"] == "企業誘致事業"  # line 2334: 事業名 企業誘致事業
        assert {(x["doc_id"], x["project_id"], x["project_name"]) for x in h["related"]} == (
            CITING_169
        )
    projects = client.get("/projects/search", params=params).json()["projects"]
    assert projects and projects[0]["project_id"] == "169"
    assert {(x["doc_id"], x["project_id"], x["project_name"]) for x in projects[0]["related"]} == (
        CITING_169
    )
    params = {"q": "企業", "doc_id": "isesaki-manifesto-r6", "project": "1-(1)-①", "top_k": 10}
    hits = _hits(client.get("/search", params=params))
    assert hits
    for h in hits:
        assert [(x["doc_id"], x["project_id"]) for x in h["related"]] == [
            ("isesaki-jisshi-r3", "169")
        ]


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


def test_project_fields_carry_their_table_rows(client):
    # 伊勢原 1-101 prints its 事業行程 as a table: items by row, fiscal years by column.
    detail = client.get("/projects/isehara-chuki-r3-r4/1-101").json()
    assert detail["project_name"] == "健康づくり推進事業"
    table = next(f for f in detail["fields"] if f["name"] == "事業行程")
    assert table["rows"][0] == ["項目", "令和3年度", "令和4年度"]
    assert ["未病センターの設置・運用", "継続運用", "運用"] in table["rows"]
    assert all(len(row) == 3 for row in table["rows"])
    prose = [f for f in detail["fields"] if not f["rows"]]
    assert prose and all(f["text"] for f in prose)
