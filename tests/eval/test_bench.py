"""`plansearch-eval bench --quick` end to end on the hashing index: the floor and the service
measured in one run, every route answered without error, the ratios made of the figures
beside them, the targets judged, and the JSON and plot written."""

from __future__ import annotations

import json
import statistics

import pytest
from typer.testing import CliRunner

from eval.bench import (
    ADVERSARIAL,
    CLIENTS,
    FLOOR_SPREAD_LIMIT,
    ROUTES,
    TARGETS,
    spread,
    variant,
)
from eval.cli import app

runner = CliRunner()


@pytest.fixture()
def no_proxies(monkeypatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_quick_bench_measures_the_service_against_its_floor(hashing_env, tmp_path, no_proxies):
    out = tmp_path / "bench.json"
    result = runner.invoke(app, ["bench", "--quick", "--out", str(out)])
    assert result.exit_code == 0, result.output
    bench = json.loads(out.read_text(encoding="utf-8"))
    assert out.with_suffix(".png").stat().st_size > 10_000
    assert bench["embedder"] == "hashing" and bench["quick"] and bench["questions"] == 16
    (round_,) = bench["rounds"]
    # Every route and every number of clients answered every question.
    for figures in [*round_["routes"].values(), *round_["clients"].values()]:
        assert figures["n"] == 16 and figures["errors"] == 0
    assert set(round_["routes"]) == set(ROUTES) and set(round_["clients"]) == set(map(str, CLIENTS))
    floor, search = round_["floor"], round_["routes"]["search"]
    assert 0 < floor["p50_ms"] <= floor["p99_ms"] and floor["per_s"] > 0
    # The floor's batch rate is measured before the clients' runs and after each of them, and
    # the figure the ratios divide by is their median, with the spread judged against its limit.
    rates = floor["batch8_samples"]
    assert len(rates) == len(CLIENTS) + 1 and all(r > 0 for r in rates)
    assert floor["batch8_per_s"] == pytest.approx(statistics.median(rates), abs=0.01)
    assert floor["per_s"] == pytest.approx(
        max(floor["single_per_s"], floor["batch8_per_s"]), abs=0.01
    )
    assert floor["batch8_spread"] == spread(rates)
    assert floor["steady"] == (spread(rates) <= FLOOR_SPREAD_LIMIT)
    assert bench["floor_reliable"] == floor["steady"]
    assert bench["figures"]["floor_batch8_spread"] == floor["batch8_spread"]
    ratio = search["p50_ms"] / floor["p50_ms"]
    assert round_["search_p50_to_floor"] == pytest.approx(ratio, rel=0.01, abs=0.001)
    # /answer and /search timed in the same pass, on equally long questions (suffixed variants).
    ratio = round_["routes"]["answer"]["p50_ms"] / search["p50_ms"]
    assert round_["answer_to_search"] == pytest.approx(ratio, rel=0.01, abs=0.001)
    ratio = round_["clients"]["8"]["req_per_s"] / floor["per_s"]
    assert round_["throughput_to_floor"]["8"] == pytest.approx(ratio, rel=0.01, abs=0.001)
    for route in ROUTES:
        assert set(bench["adversarial"][route]["p50_ms"]) == set(ADVERSARIAL)
        assert bench["repeated_p50_ms"][route] > 0
    memory = bench["server_rss"]
    assert 50 < memory["fresh_mb"] <= memory["peak_mb"] and memory["final_mb"] <= memory["peak_mb"]
    assert bench["embedding"]["model_per_s"] > 0 and bench["embedding"]["build_per_s"] > 0
    # Each target is judged on the figure reported beside it.
    assert set(bench["targets"]) == set(TARGETS)
    for name, check in bench["targets"].items():
        op, bound = TARGETS[name]
        value = bench["figures"][name]
        assert check["value"] == value and check["met"] == (
            value <= bound if op == "<=" else value >= bound
        )
    assert json.loads(result.stdout) == bench["targets"]


def test_adversarial_questions_sit_at_the_length_limit_and_rounds_never_repeat():
    assert all(900 < len(text) <= 1000 for text in ADVERSARIAL.values())
    questions = ["ごみの分別", "空き家対策"]
    rounds = [variant(questions, k) for k in range(5)]
    assert rounds[0] == questions and len({q for r in rounds for q in r}) == 10


def test_spread_of_the_floor_is_its_range_against_its_median():
    assert spread([40.0, 45.0, 50.0]) == 0.222  # (50 - 40) / 45
    assert spread([44.0, 45.0, 46.0, 90.0]) == pytest.approx(46 / 45.5, abs=0.001)
    assert spread([45.0]) == 0.0 and spread([]) == 0.0
    # A floor that fell from 45/s to 30/s within a round is past the limit; one within 5 % is not.
    assert spread([45.0, 30.0, 44.0]) > FLOOR_SPREAD_LIMIT >= spread([45.0, 43.0, 44.5])
