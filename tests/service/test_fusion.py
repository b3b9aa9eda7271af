"""Fusion functions on hand-computed values (each number below is worked out by hand), and the
engine's weights per kind of question."""

from __future__ import annotations

import pytest

from service.fusion import prefer, ranked, rrf, weighted_scores


def test_rrf_sums_weighted_reciprocal_ranks():
    # Lists: dense [10, 20, 30], lexical [30, 10]; weights 2 and 1; k = 60.
    # 10: 2/61 + 1/62 = 0.0327869 + 0.0161290 = 0.0489159
    # 20: 2/62                                = 0.0322581
    # 30: 2/63 + 1/61 = 0.0317460 + 0.0163934 = 0.0481394
    fused = rrf([[10, 20, 30], [30, 10]], [2.0, 1.0], k=60)
    assert fused == pytest.approx({10: 0.0489159, 20: 0.0322581, 30: 0.0481394}, abs=1e-7)
    assert [item for item, _ in ranked(fused)] == [10, 30, 20]


def test_rrf_k_damps_the_first_ranks():
    # k = 1: rank 1 earns 1/2, rank 2 earns 1/3; one list, weight 1.
    assert rrf([[7, 8]], [1.0], k=1) == pytest.approx({7: 0.5, 8: 1 / 3})


def test_rrf_equal_weights_tie_is_broken_by_id():
    # 1 is first in one list and second in the other, and 2 the reverse: both 1/61 + 1/62.
    fused = rrf([[1, 2], [2, 1]], [1.0, 1.0])
    assert fused[1] == pytest.approx(fused[2])
    assert ranked(fused) == [(1, fused[1]), (2, fused[2])]


def test_weighted_scores_min_max_normalizes_each_list():
    # dense {1: 0.9, 2: 0.8, 3: 0.7} → {1: 1.0, 2: 0.5, 3: 0.0}, weight 2 → 2.0, 1.0, 0.0
    # lexical {3: 12.0, 4: 4.0}        → {3: 1.0, 4: 0.0},         weight 1 → 1.0, 0.0
    # sums: 1: 2.0, 2: 1.0, 3: 1.0, 4: 0.0
    fused = weighted_scores([{1: 0.9, 2: 0.8, 3: 0.7}, {3: 12.0, 4: 4.0}], [2.0, 1.0])
    assert fused == pytest.approx({1: 2.0, 2: 1.0, 3: 1.0, 4: 0.0})
    # 2 and 3 tie at 1.0: the lower id first, so the ranking is reproducible.
    assert [item for item, _ in ranked(fused)] == [1, 2, 3, 4]


def test_weighted_scores_weights_change_the_winner():
    # dense favours 1, lexical favours 2; 1:2 weights make lexical win.
    dense, lexical = {1: 1.0, 2: 0.0}, {1: 0.0, 2: 1.0}
    assert ranked(weighted_scores([dense, lexical], [2.0, 1.0]))[0][0] == 1
    assert ranked(weighted_scores([dense, lexical], [1.0, 2.0]))[0][0] == 2


def test_weighted_scores_single_item_and_empty_lists():
    # One candidate: span 0 is treated as 1, so it scores 0 (its own min), not a division error.
    assert weighted_scores([{5: 3.0}, {}], [2.0, 1.0]) == {5: 0.0}
    assert weighted_scores([{}, {}], [1.0, 1.0]) == {}


def test_a_question_in_everyday_words_gives_the_lexical_side_more_say(hashing_engine):
    # The reading step finds 地震 for kana じしん and the colloquial table 一時預かり for
    # あずかって: those words reach BM25 as the plans print them.
    plain = hashing_engine.parse("じしんのそなえ、子どもをあずかってもらえる？", mode="lexical")
    staff = hashing_engine.parse("防災倉庫整備事業の令和4年度の事業計画", mode="lexical")
    assert plain.dense_words and not staff.dense_words
    fusion = hashing_engine.fusion
    assert hashing_engine._weights(staff) == (fusion.dense_weight, fusion.lexical_weight)
    dense, lexical = hashing_engine._weights(plain)
    # The same ranking as dense_weight : plain_lexical_weight, at the usual highest score.
    assert lexical / dense == pytest.approx(fusion.plain_lexical_weight / fusion.dense_weight)
    assert dense + lexical == pytest.approx(fusion.dense_weight + fusion.lexical_weight)
    assert lexical / dense > fusion.lexical_weight / fusion.dense_weight


def test_prefer_demotes_the_items_it_does_not_favour():
    fused = [(1, 0.9), (2, 0.8), (3, 0.5)]
    assert prefer(fused, lambda i: i == 3, 0.5) == [(3, 0.5), (1, 0.45), (2, 0.4)]
    assert prefer(fused, lambda i: True, 0.0) == fused


@pytest.mark.parametrize(
    ("question", "city"),
    [
        ("伊勢崎市の子育て支援は？", "伊勢崎市"),
        ("いせはらで ごみの出し方", "伊勢原市"),  # いせ+はら read as 伊勢原
        ("Is there a daycare in Isehara?", "伊勢原市"),  # the glossary's 伊勢原
        ("Onde fica a creche em Isesaki?", "伊勢崎市"),
        ("伊勢崎市と伊勢原市の防災", None),  # both: no prior
        ("子育て支援の事業は？", None),
    ],
)
def test_the_city_a_question_names(hashing_engine, question, city):
    assert hashing_engine._named_city(hashing_engine.parse(question, mode="lexical")) == city


def test_a_named_city_halves_the_other_cities_scores(hashing_engine):
    from dataclasses import replace

    from service.search import SearchEngine

    question = "Is there a daycare in Isehara?"
    plain = SearchEngine(
        hashing_engine.index,
        hashing_engine.embedder,
        replace(hashing_engine.fusion, other_city_weight=None),
        hashing_engine.analyzer,
    )
    filters = hashing_engine.make_filters()
    before = dict(plain.retrieve(question, filters))
    after = hashing_engine.retrieve(question, filters)
    keep = hashing_engine.fusion.other_city_weight
    index = hashing_engine.index
    city = {c.chunk_id: index.documents[c.doc_id].city for c in index.chunks}
    assert {cid for cid, _ in after} == set(before)
    for cid, score in after:
        expected = before[cid] * (1.0 if city[cid] == "伊勢原市" else keep)
        assert score == pytest.approx(expected)
    assert city[after[0][0]] == "伊勢原市"


def test_ranked_is_the_order_of_descending_score_then_id_on_the_gold_questions(hashing_engine):
    """``ranked`` sorts in two stable passes; on every gold question's dense, lexical and fused
    scores (lexical ones tie often) it gives what the key (-score, id) gives."""
    from eval.gold import GOLD_DIR, load_gold

    def by_key(scores):
        return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))

    questions = [q.query for s in ("dev", "test") for q in load_gold(GOLD_DIR / f"{s}.jsonl")]
    ties = 0
    for q in questions:
        parsed = hashing_engine.parse(q)
        found = hashing_engine.backend.candidates(parsed, hashing_engine._all_rows, 200, "hybrid")
        fused = weighted_scores((found.dense, found.lexical), (2.0, 1.0))
        for scores in (found.dense, found.lexical, fused):
            # Inserted in reverse id order, so the id tie-break has work to do.
            scores = dict(sorted(scores.items(), reverse=True))
            ties += len(scores) - len(set(scores.values()))
            assert ranked(scores) == by_key(scores)
    assert ties > 0
    assert ranked({3: 0.0, 1: -0.0, 2: 0.5}) == [(2, 0.5), (1, -0.0), (3, 0.0)]
