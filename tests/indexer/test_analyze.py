"""The analyzer tags a question once for both of its views, with the lemmas a lemma pass gives.

``tokens`` leaves the lemmas of its tagging for ``lemmas`` when they are bound to agree
(``indexer.analyze``); these tests hold the result to a separate lemma-only pass (the index
time path) on real passages and every gold question, count the taggings, and check the texts
where the two taggings would differ still get the lemma pass's lemmas.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import fugashi
import pytest

from eval.gold import GOLD_DIR
from indexer.analyze import Analyzer, _node_of, normalize, normalize_with_offsets
from service.query import normalize as question_form

CORPUS_FILE = "isesaki-action-plan-r7.txt"


class _CountingTagger:
    """The analyzer's tagger, counting its calls."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.tagger, self.calls = analyzer._tagger, 0
        analyzer._tagger = self

    def parse(self, text: str) -> str:
        # The analyzer's one call per tagging (``_nodes``: MeCab prints the nodes).
        self.calls += 1
        return str(self.tagger.parse(text))


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


def test_the_printed_nodes_are_fugashis_node_objects(corpus_dir):
    """The analyzer reads MeCab's printed nodes (one call, no node objects): field for field
    what fugashi's node objects give, on a plan's lines (quoted accent fields such as 円's,
    numbers, bullets, table rows), unknown words, a NUL (MeCab stops there) and white space."""
    analyzer, nodes = Analyzer(), fugashi.Tagger()
    lines = [s for s in (corpus_dir / CORPUS_FILE).read_text(encoding="utf-8").splitlines() if s]
    odd = ["1,000円「,」 asdf ｶﾞｽ 〆", "a\x00b", "行\t列\n次\u3000の行", ""]
    for line in [*lines, *odd]:
        assert analyzer._nodes(line) == [_node_of(n) for n in nodes(line)], line
    assert [n.surface for n in analyzer._nodes("a\x00b")] == ["a"]


def test_lemmas_left_by_the_tokens_pass_are_bounded():
    analyzer = Analyzer()
    for i in range(500):
        analyzer.tokens.__wrapped__(f"第{i}次総合計画の進捗")
    assert len(analyzer._tagged) == analyzer.tokens.cache_info().maxsize


def test_parts_read_a_word_whole_with_what_each_part_is():
    # 館 alone reads ヤカタ; as the suffix of 図書館, カン: a compound is read in one tagging.
    analyzer = Analyzer()
    assert analyzer.parts("図書館") == (("名詞", "トショ"), ("接尾辞", "カン"))
    assert analyzer.reading("館") == "ヤカタ"
    assert [pos for pos, _ in analyzer.parts("出来る者")] == ["動詞", "名詞"]
