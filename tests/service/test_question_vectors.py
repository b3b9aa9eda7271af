"""Question vectors: clipped to a token budget, one model call per distinct question, bounded."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.embedding.hashing import HashingEmbedder
from service.question_vectors import QuestionVectors


class Counting(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def encode_query(self, text: str) -> np.ndarray:
        self.embedded.append(text)
        return super().encode_query(text)


def test_a_repeated_question_is_embedded_once():
    embedder = Counting()
    vectors = QuestionVectors(embedder, max_tokens=64, size=8)
    first = vectors.vector("子育て支援の事業は？")
    again = vectors.vector("子育て支援の事業は？")
    assert again is first and embedder.embedded == ["子育て支援の事業は？"]
    assert (vectors.hits, vectors.misses) == (1, 1)
    with pytest.raises(ValueError):
        first[0] = 1.0  # shared between requests: read-only


def test_the_cache_keeps_the_most_recent_questions_only():
    embedder = Counting()
    vectors = QuestionVectors(embedder, max_tokens=64, size=2)
    for q in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" arrives
        vectors.vector(q)
    assert len(vectors) == 2
    vectors.vector("a")
    vectors.vector("b")
    assert embedder.embedded == ["a", "b", "c", "b"]


def test_a_long_question_is_clipped_to_the_token_budget():
    # The hashing embedder counts one token per character plus two.
    embedder = Counting()
    vectors = QuestionVectors(embedder, max_tokens=16, size=8)
    long = "".join(chr(0x4E00 + i) for i in range(500))  # 500 different kanji, no repeats
    vectors.vector(long)
    assert embedder.embedded == [long[:14]]  # 14 characters + 2 = 16 tokens
    assert embedder.count_tokens(embedder.embedded[0]) == 16
    vectors.vector(long[:300])  # the same first 16 tokens: the same vector, no model call
    assert len(embedder.embedded) == 1


def test_a_repeated_run_is_cut_to_three_before_the_budget():
    # 「令和」 × 499 pasted: the run says no more than three of it do (Embedder.clip).
    embedder = Counting()
    vectors = QuestionVectors(embedder, max_tokens=16, size=8)
    vectors.vector("令和" * 499)
    assert embedder.embedded == ["令和" * 3]
    vectors.vector("令和" * 300)  # the same run: the same vector, no model call
    assert len(embedder.embedded) == 1


def test_clip_keeps_a_short_text_whole():
    embedder = HashingEmbedder()
    assert embedder.clip("子育て", 64) == "子育て"
    assert embedder.clip("子育て支援", 5) == "子育て"  # 3 characters + 2 = 5 tokens


def test_the_engine_embeds_a_repeated_question_once(hashing_engine):
    before = hashing_engine.questions.misses
    hashing_engine.search("ごみの分別の方法（繰り返し）", top_k=3)
    hashing_engine.search("ごみの分別の方法（繰り返し）", top_k=3)
    assert hashing_engine.questions.misses == before + 1
