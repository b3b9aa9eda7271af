"""`plansearch-eval` end to end on the hashing index, its errors, and the benchmark's statistics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eval import cli
from eval.bench import median_of_runs, percentiles
from eval.cli import EXTRA_MISSING, app
from eval.gold import GOLD_DIR

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ("eval", "report", "bench", "loadtest", "answers", "synonyms")


def _first_gold_line() -> str:
    return (GOLD_DIR / "dev.jsonl").read_text(encoding="utf-8").splitlines()[0]


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


def test_eval_default_gold_is_found_from_any_directory(hashing_env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default is eval/gold/test.jsonl of the package, not of cwd
    result = runner.invoke(app, ["eval", "--mode", "lexical"])
    assert result.exit_code == 0, result.output
    assert f"lexical on {GOLD_DIR / 'test.jsonl'}" in result.stdout
    assert "overall" in result.stdout and "ndcg@10=" in result.stdout
    assert GOLD_DIR.is_relative_to(ROOT) and cli.RESULTS_DIR == ROOT / "eval" / "results"


def test_eval_rejects_unknown_mode_and_missing_file(hashing_env, tmp_path):
    unknown = runner.invoke(app, ["eval", "--mode", "bm42"])
    assert "valid: hybrid" in unknown.output
    assert unknown.exit_code == 2 and unknown.stderr.startswith("plansearch-eval: unknown mode")
    result = runner.invoke(app, ["eval", "--gold", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2 and "not found" in result.output
    assert str(tmp_path / "none.jsonl") in result.stderr


@pytest.mark.parametrize(
    ("bad_line", "says"),
    [
        ('{"id": "x-1", "query": "ごみ"', "not JSON"),
        ('{"id": "x-1", "query": "ごみ", "style": "citizen"}', "missing or bad key"),
        ('["not", "an", "object"]', "JSON object"),
        (
            '{"id": "x-1", "query": "ごみ", "style": "poem", '
            '"relevant": [{"doc": "d", "project": "1", "name": "n"}]}',
            "style must be one of",
        ),
    ],
)
def test_eval_names_the_malformed_gold_line(hashing_env, tmp_path, bad_line, says):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(f"{_first_gold_line()}\n\n{bad_line}\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "--gold", str(gold)])
    assert result.exit_code == 2, result.output
    assert f"{gold}:3:" in result.stderr and says in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""


def test_eval_rejects_duplicate_question_ids(hashing_env, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(f"{_first_gold_line()}\n{_first_gold_line()}\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "--gold", str(gold)])
    assert result.exit_code == 2 and "duplicate question ids" in result.stderr


@pytest.mark.parametrize("command", [["bench", "--repeats", "1"], ["loadtest", "--seconds", "1"]])
def test_commands_that_need_an_index_say_how_to_build_it(tmp_path, monkeypatch, command):
    monkeypatch.setenv("PLANSEARCH_EMBEDDER", "hashing")
    monkeypatch.setenv("PLANSEARCH_INDEX_DIR", str(tmp_path / "no-index"))
    result = runner.invoke(app, command)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("plansearch-eval: no index at")
    assert "plansearch index" in result.stderr


@pytest.mark.parametrize(
    ("command", "blocked"),
    [
        (["eval", "--gold", str(GOLD_DIR / "dev.jsonl")], "ranx"),
        (["report"], "ranx"),
        (["report"], "matplotlib"),
        (["bench"], "matplotlib"),
        (["synonyms"], "ranx"),
    ],
)
def test_missing_eval_extra_is_one_line_and_exit_2(monkeypatch, command, blocked):
    monkeypatch.setitem(sys.modules, blocked, None)  # import ranx → ModuleNotFoundError
    result = runner.invoke(app, command)
    assert result.exit_code == 2, result.output
    assert result.stderr == EXTRA_MISSING + "\n"
    assert EXTRA_MISSING == "plansearch-eval: needs the eval extra: pip install -e '.[eval]'"


def test_console_entry_turns_a_late_missing_extra_into_the_one_line(monkeypatch, capsys):
    def broken() -> None:
        raise ModuleNotFoundError("No module named 'matplotlib.pyplot'", name="matplotlib.pyplot")

    monkeypatch.setattr(cli, "app", broken)
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 2 and capsys.readouterr().err == EXTRA_MISSING + "\n"

    def other() -> None:
        raise ModuleNotFoundError("No module named 'nothing_of_ours'", name="nothing_of_ours")

    monkeypatch.setattr(cli, "app", other)
    with pytest.raises(ModuleNotFoundError):
        cli.main()


def test_without_the_extra_no_traceback_in_a_fresh_process():
    """The module itself imports neither ranx nor matplotlib; the command says what to install."""
    code = (
        "import sys; sys.modules['ranx'] = None; sys.modules['matplotlib'] = None\n"
        "from eval.cli import main\n"
        f"sys.argv = ['plansearch-eval', 'eval', '--gold', {str(GOLD_DIR / 'dev.jsonl')!r}]\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == EXTRA_MISSING + "\n" and done.stdout == ""


def test_console_script_is_installed_with_every_command():
    script = Path(sys.executable).parent / "plansearch-eval"
    assert script.is_file(), "pip install -e '.[eval]' installs the plansearch-eval script"
    done = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=120, env=_wide_env()
    )
    assert done.returncode == 0, done.stderr
    for command in COMMANDS:
        assert command in done.stdout
    assert "pip install -e '.[eval]'" in done.stdout  # not eaten as rich markup


def _wide_env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}


@pytest.mark.parametrize("module", [["eval.answers"], ["eval.synonyms", "measure"]])
def test_python_dash_m_entry_points_still_work(module):
    done = subprocess.run(
        [sys.executable, "-m", *module, "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "--json" in done.stdout


def test_answers_and_synonyms_reject_bad_choices_before_loading_anything():
    result = runner.invoke(app, ["answers", "--split", "train"])
    assert result.exit_code == 2 and "valid: dev, test, both" in result.stderr
    result = runner.invoke(app, ["synonyms", "--config", "nope"])
    assert result.exit_code == 2 and "unknown config 'nope'" in result.stderr
    assert "baseline" in result.stderr
    result = runner.invoke(app, ["synonyms", "--mode", "naive"])
    assert result.exit_code == 2 and "unknown mode 'naive'" in result.stderr


def test_service_cli_no_longer_has_the_evaluation_commands():
    from service.cli import app as service_app

    for command in ("eval", "eval-report", "bench", "loadtest"):
        result = runner.invoke(service_app, [command])
        assert result.exit_code == 2 and "No such command" in result.output


def test_percentiles_and_medians():
    stats = percentiles([float(x) for x in range(1, 101)])
    assert stats["p50_ms"] == pytest.approx(50.5) and stats["p99_ms"] == pytest.approx(99.01)
    assert median_of_runs([{"a": 1.0}, {"a": 5.0}, {"a": 3.0}]) == {"a": 3.0}
