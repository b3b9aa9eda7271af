"""The analyzer tags a question once for both of its views, with the lemmas a lemma pass gives.

``tokens`` leaves the lemmas of its tagging for ``lemmas`` when they are bound to agree
(``indexer.analyze``); these tests hold the result to a separate lemma-only pass (the index
time path) on real passages and every gold question, count the taggings, and check the texts
where the two taggings would differ still get the lemma pass's lemmas.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from eval.gold import GOLD_DIR
from indexer.analyze import Analyzer, normalize, normalize_with_offsets
from service.query import normalize as question_form

CORPUS_FILE = "isesaki-action-plan-r7.txt"


class _CountingTagger:
    """The analyzer's tagger, counting its calls."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.tagger, self.calls = analyzer._tagger, 0
        analyzer._tagger = self

    def __call__(self, text: str) -> object:
        self.calls += 1
        return self.tagger(text)


def _questions() -> Iterator[str]:
    for path in sorted(GOLD_DIR.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and isinstance(query := json.loads(line).get("query"), str):
                yield question_form(query)


@pytest.fixture(scope="module")
def lemma_pass() -> Analyzer:
    """A second analyzer, asked for lemmas only: what the index's BM25 tokens come from."""
    return Analyzer()


def test_a_question_is_tagged_once_and_its_lemmas_equal_a_lemma_pass(lemma_pass):
    analyzer = Analyzer()
    tagger = _CountingTagger(analyzer)
    questions = list(dict.fromkeys(_questions()))
    assert len(questions) > 500  # dev, test, plain, foreign, keywords, absent, answers
    for question in questions:
        tokens = analyzer.tokens(question)
        assert analyzer.lemmas(question) == lemma_pass.lemmas.__wrapped__(question), question
        # The query analyzer asks for both again within the request: all from the caches.
        assert analyzer.tokens(question) is tokens
        analyzer.lemmas(question)
    assert tagger.calls == len(questions)


def test_passages_get_the_lemmas_of_a_lemma_pass(corpus_dir, lemma_pass):
    analyzer = Analyzer()
    tagger = _CountingTagger(analyzer)
    lines = [s for s in (corpus_dir / CORPUS_FILE).read_text(encoding="utf-8").splitlines() if s]
    assert len(lines) > 1500
    for line in lines:
        analyzer.tokens.__wrapped__(line)
        assert analyzer.lemmas.__wrapped__(line) == lemma_pass.lemmas.__wrapped__(line), line
    # Full-width digits, 3,550-style numbers, bullets and table rows: all read off one tagging.
    assert tagger.calls == len(lines)


@pytest.mark.parametrize(
    "text",
    [
        "ΟΔΟΣ の 整備",  # lower case of a whole word ends Σ in ς, character by character in σ
        "\u1100\u1161\u11a8の施設",  # Hangul jamo: NFKC of the whole composes 각, piecewise not
    ],
)
def test_a_text_the_tokens_pass_reads_otherwise_is_tagged_again(text, lemma_pass):
    assert normalize(text) != normalize_with_offsets(text)[0]
    analyzer = Analyzer()
    tagger = _CountingTagger(analyzer)
    analyzer.tokens(text)
    assert analyzer.lemmas(text) == lemma_pass.lemmas.__wrapped__(text)
    assert tagger.calls == 2


def test_lemmas_left_by_the_tokens_pass_are_bounded():
    analyzer = Analyzer()
    for i in range(500):
        analyzer.tokens.__wrapped__(f"第{i}次総合計画の進捗")
    assert len(analyzer._tagged) == analyzer.tokens.cache_info().maxsize
