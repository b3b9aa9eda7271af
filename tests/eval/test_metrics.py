"""Metrics through ranx, checked on a hand-computed toy case; TREC files; naive mapping."""

from __future__ import annotations

import pytest
from conftest import documents, parsed

from eval.gold import GoldQuestion, Label
from eval.metrics import per_question, summarize
from eval.naive import map_to_record, naive_chunks
from eval.runner import write_trec_qrels, write_trec_run
from indexer.build import ParsedDocument

Q1 = GoldQuestion("q1", "a", "list", (Label("d", "1", "x"), Label("d", "2", "y")))
Q2 = GoldQuestion("q2", "b", "citizen", (Label("d", "3", "z"),))
Q3 = GoldQuestion("q3", "c", "citizen", (Label("e", "4", "w"),))
RUN = {
    "q1": {"d::1": 1.0, "d::9": 0.5, "d::2": 1 / 3},  # relevant at ranks 1 and 3
    "q2": {"d::8": 1.0, "d::3": 0.5},  # relevant at rank 2
    "q3": {},  # nothing found
}


def test_metrics_match_hand_computation():
    scores = per_question([Q1, Q2, Q3], RUN)
    assert scores["q1"]["hit_rate@1"] == 1.0 and scores["q2"]["hit_rate@1"] == 0.0
    assert scores["q2"]["hit_rate@5"] == 1.0 and scores["q3"]["hit_rate@10"] == 0.0
    assert scores["q2"]["mrr@10"] == pytest.approx(0.5)
    assert scores["q1"]["recall@10"] == 1.0
    # DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3)
    assert scores["q1"]["ndcg@10"] == pytest.approx(1.5 / (1 + 1 / 1.584962500721156))
    summary = summarize([Q1, Q2, Q3], scores)
    assert summary["overall"]["mrr@10"] == pytest.approx((1 + 0.5 + 0) / 3, abs=1e-4)
    assert summary["by_style"]["citizen"]["n"] == 2
    assert set(summary["by_doc"]) == {"d", "e"}


def test_trec_files(tmp_path):
    write_trec_run(RUN, tmp_path / "x.run", tag="t")
    lines = (tmp_path / "x.run").read_text().splitlines()
    assert lines[0] == "q1 Q0 d::1 1 1.000000 t"
    assert lines[2].split()[2:4] == ["d::2", "3"]
    write_trec_qrels([Q1, Q2], tmp_path / "x.qrels")
    assert (tmp_path / "x.qrels").read_text().splitlines() == [
        "q1 0 d::1 1",
        "q1 0 d::2 1",
        "q2 0 d::3 1",
    ]


def test_naive_chunks_map_back_to_their_project(corpus_dir):
    doc = documents()["isesaki-jisshi-r3"]
    text = (corpus_dir / doc.file).read_text(encoding="utf-8")
    start = text.index("事業番号\t39\t")
    chunk = next(c for c in naive_chunks(text[start : start + 1200]) if "ファミリー" in c)
    pd = ParsedDocument(doc, list(parsed(doc.doc_id)))
    assert map_to_record(chunk, pd) == "39"
    assert all(len(c) <= 500 for c in naive_chunks(text[:20000]))
