"""`plansearch eval` end to end on the hashing index, and the benchmark's statistics."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from eval.bench import median_of_runs, percentiles
from eval.gold import GOLD_DIR
from service.cli import app

runner = CliRunner()


def test_eval_prints_metrics_per_style_and_writes_trec_files(hashing_env, tmp_path):
    gold = GOLD_DIR / "dev.jsonl"
    args = ["eval", "--gold", str(gold), "--mode", "lexical", "--json", "--runs-dir", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["mode"] == "lexical" and body["questions"] > 50
    assert set(body["overall"]) == {
        "hit_rate@1",
        "hit_rate@5",
        "hit_rate@10",
        "mrr@10",
        "recall@10",
        "ndcg@10",
    }
    assert set(body["by_style"]) == {"citizen", "staff", "detail", "list"}
    assert 0.0 < body["overall"]["hit_rate@10"] <= 1.0
    run_lines = (tmp_path / "dev.lexical.run").read_text().splitlines()
    assert run_lines and len(run_lines[0].split()) == 6
    assert (tmp_path / "dev.qrels").is_file()


def test_eval_rejects_unknown_mode_and_missing_file(hashing_env, tmp_path):
    assert "valid: hybrid" in runner.invoke(app, ["eval", "--mode", "bm42"]).output
    result = runner.invoke(app, ["eval", "--gold", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2 and "not found" in result.output


def test_percentiles_and_medians():
    stats = percentiles([float(x) for x in range(1, 101)])
    assert stats["p50_ms"] == pytest.approx(50.5) and stats["p99_ms"] == pytest.approx(99.01)
    assert median_of_runs([{"a": 1.0}, {"a": 5.0}, {"a": 3.0}]) == {"a": 3.0}
