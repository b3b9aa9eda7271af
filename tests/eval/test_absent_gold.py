"""The no_match questions: absent topics occur nowhere in the corpus, keyword terms do."""

from __future__ import annotations

from conftest import CORPUS

from eval.nomatch import absent_questions, keyword_questions


def test_every_absent_topic_is_absent_from_the_corpus():
    corpus = "".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))
    dev, test = absent_questions("dev"), absent_questions("test")
    rows = dev + test
    assert len(dev) >= 35 and len(test) >= 35 and len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        # A question in another language names its topic in its own words (topic_local) and
        # in Japanese (topic); both are checked against the corpus.
        named = row.get("topic_local", row["topic"])
        assert named.lower() in row["query"].lower(), row
        assert row["topic"] not in corpus and named not in corpus, row


def test_foreign_absent_questions_cover_each_language_in_both_splits():
    for split in ("dev", "test"):
        languages = {r.get("language", "ja") for r in absent_questions(split)}
        assert {"ja", "en", "pt", "vi", "zh"} <= languages, split


def test_every_keyword_query_names_a_term_the_corpus_holds():
    # The short answerable queries of the no_match evaluation (eval/gold/keywords.jsonl).
    corpus = "".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))
    rows = keyword_questions("dev") + keyword_questions("test")
    assert len(rows) >= 40 and len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert row.get("term_local", row["term"]).lower() in row["query"].lower(), row
        assert row["term"] in corpus, row
