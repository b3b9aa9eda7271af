"""What a question gives the model: runs of one repeated unit are cut before clipping, so a
question at the length limit costs the model no more than a typical one; real questions pass
unchanged."""

from __future__ import annotations

from eval.bench import ADVERSARIAL, bench_queries
from indexer.embedding.base import collapse_repeats
from indexer.embedding.hashing import HashingEmbedder


def test_long_runs_of_one_unit_are_cut_to_three():
    assert collapse_repeats("令和" * 499) == "令和令和令和"
    assert collapse_repeats("0" + "1-(1)-" * 160) == "01-(1)-1-(1)-1-(1)-"
    assert collapse_repeats("ごみの出し方" + "あ" * 40 + "を教えて") == "ごみの出し方あああを教えて"
    assert collapse_repeats("子育て支援 " * 166) == "子育て支援 " * 3


def test_numbers_short_repeats_and_every_gold_question_stay_as_written():
    for text in ("予算は100000000円", "ありがとうありがとう", "はいはいはいはい", "1-(1)-1"):
        assert collapse_repeats(text) == text
    assert [q for q in bench_queries() if collapse_repeats(q) != q] == []


def test_adversarial_questions_clip_to_a_few_tokens():
    embedder = HashingEmbedder()
    for text in ADVERSARIAL.values():
        clipped = embedder.clip(text, 64)
        assert embedder.count_tokens(clipped) <= 24, clipped
