"""The absent-topic questions: each names a topic that occurs nowhere in the corpus."""

from __future__ import annotations

from conftest import CORPUS

from eval.nomatch import absent_questions


def test_every_absent_topic_is_absent_from_the_corpus():
    corpus = "".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))
    rows = absent_questions("dev") + absent_questions("test")
    assert len(rows) >= 40 and len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert row["topic"] in row["query"], row
        assert row["topic"] not in corpus, row
