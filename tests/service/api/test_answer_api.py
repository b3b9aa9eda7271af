"""GET /answer and `plansearch answer` on the real model: a figure's row, or an honest no."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from eval.nomatch import absent_questions
from service.api import create_app
from service.cli import app


@pytest.fixture(scope="module")
def client(real_engine, real_settings):
    with TestClient(create_app(real_settings, real_engine)) as c:
        yield c


def test_detail_question_returns_the_row_with_the_figure(client):
    r = client.get("/answer", params={"q": "婚活セミナーは令和4年度に何回開催する予定ですか"})
    assert r.status_code == 200
    body = r.json()
    answer = body["answer"]
    # 予定: the schedule row of 事業行程 with its header (the 目標 table's 2 回 is a target).
    assert answer["found"] and "婚活セミナー等の開催 | 見送り | 継続 1 回実施" in answer["text"]
    assert answer["text"].startswith("【事業行程】項目 | 令和3年度 | 令和4年度")
    assert answer["kind"] == "value" and answer["citations"][0]["card"] == 1
    assert answer["citation"]["doc_id"] == "isehara-chuki-r3-r4"
    assert answer["citation"]["project_id"] == "8-103"
    assert body["projects"][0]["project_key"] == "8-103"


def test_nonsense_question_gets_the_no_answer_response_and_closest_projects(client):
    body = client.get("/answer", params={"q": "火星に移住する補助金はありますか"}).json()
    assert body["answer"]["found"] is False and body["answer"]["citation"] is None
    assert body["answer"]["text"] == "" and body["projects"]


def test_answer_refuses_bad_input(client):
    assert client.get("/answer", params={"q": "  "}).status_code == 422
    assert client.get("/answer", params={"q": "子育て", "year": "来年"}).status_code == 422


def test_answer_batch_cli(real_engine, real_settings, monkeypatch, tmp_path):
    monkeypatch.setenv("PLANSEARCH_INDEX_DIR", str(real_settings.index_dir))
    monkeypatch.setenv("PLANSEARCH_CACHE_DIR", str(real_settings.cache_dir))
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '{"id": 1, "query": "婚活セミナーは令和4年度に何回開催する予定ですか"}\n'
        '{"id": 2, "query": "火星に移住する補助金はありますか"}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["answer", "--batch", str(batch), "--top-k", "3"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in result.stdout.strip().splitlines()]
    assert [r["id"] for r in rows] == [1, 2]
    first = rows[0]["answer"]
    assert set(first) == {"text", "found", "confidence", "citation", "citations", "kind", "items"}
    assert first["found"] and first["citations"][0] == first["citation"]
    assert {"doc_id", "project_id", "project_name", "field"} <= set(first["citation"])
    assert rows[1]["answer"]["found"] is False and len(rows[1]["projects"]) == 3


def test_no_match_means_no_answer_box(client):
    # The listing says nothing is about the question: the answer box must not claim otherwise.
    queries = ["asdfghjkl", *(a["query"] for a in absent_questions("dev"))]
    flagged = 0
    for q in queries:
        body = client.get("/answer", params={"q": q}).json()
        if body["no_match"]:
            flagged += 1
            assert body["answer"]["found"] is False and body["answer"]["text"] == "", q
            assert body["answer"]["citations"] == [] and body["projects"]
    assert flagged >= 1
