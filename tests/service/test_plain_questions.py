"""Japanese questions in everyday words find their project with the real model over the corpus.

The questions are plain-words gold questions (eval/gold/plain-*.jsonl, written from the
documents): kana for kanji (じしん, いせはら, 防さい, べんごし), misspellings of the same sound
(検針 for 検診, 予防摂取 for 接種, 補聴機), and a resident's words for the plans' ones (あずかって,
タダ). Each must bring a labeled project into the top 10 of /projects/search; without the
reading and colloquial steps (``service/query.py``) they rank far lower, which the last test
holds.
"""

from __future__ import annotations

import pytest

from eval.gold import GOLD_DIR, GoldQuestion, load_gold
from indexer.chunking import policy_of
from service.query import PLAIN_KINDS, QueryAnalyzer, index_frequencies
from service.search import SearchEngine

pytestmark = pytest.mark.slow

CHOSEN = (
    "plain-002",  # あずかって, いせさき → 一時預かり (特別保育事業), ファミリー・サポート
    "plain-006",  # じしん (tagged 自身), ためて → 地震, 備蓄 (防災倉庫整備事業)
    "plain-010",  # 防さい, いせはら → 防災, 伊勢原 (自主防災活動推進事業)
    "plain-011",  # 補聴機 → 補装具 (補装具費給付事業)
    "plain-015",  # がんの検針, タダ → 検診, 無料 (がん検診受診率向上対策事業)
    "plain-020",  # 予防摂取 → 接種 (予防接種推進事業)
    "plain-023",  # 通学ろ (tagged 通学+櫓) → 通学路 (安全な歩行空間整備事業)
    "plain-065",  # べんごし (tagged 偏+越し) → 弁護士 (人権法律行政相談の実施事業)
)
# Citizen questions that name none of their project's words (eval/gold/dev.jsonl): the
# model-only everyday table (data/colloquial_dense.tsv) adds the plans' words to what is
# embedded (財産の管理 -> 成年後見・権利擁護, 空きがない -> 待機児童, 電話で予約 -> デマンド,
# 夜中 -> 休日夜間急患・救急医療), never to the BM25 tokens.
EVERYDAY = (
    "isehara-009",  # 財産の管理や契約ごと … 手伝ってもらえる: 成年後見・権利擁護推進事業
    "action-001",  # 保育園や学童に空きがなくて: 待機児童 (子育て環境の整備と施策の充実)
    "manifesto-007",  # 電話で予約したら家の近くまで来てくれる乗り物: デマンドバス・タクシー
    "action-003",  # 日曜の夜中に子どもが急に高い熱: 医療提供・救急医療体制の充実
)
GOLD = {
    q.id: q
    for name in ("plain-dev", "plain-test", "dev")
    for q in load_gold(GOLD_DIR / f"{name}.jsonl")
}
QUESTIONS = [GOLD[i] for i in CHOSEN]
CITIZEN = [GOLD[i] for i in EVERYDAY]
# The page's own example (issue 10): it did not bring 39 ファミリー・サポート・センター事業 or
# 48 特別保育事業 (一時預かり) into the top 10.
PAGE_EXAMPLE = "子どもを少しの時間だけ預かってもらえる仕組みはありますか"
CHILDCARE = {("isesaki-jisshi-r3", "39"), ("isesaki-jisshi-r3", "48")}


def _labels(question: GoldQuestion) -> set[tuple[str, str]]:
    return {(label.doc, label.project) for label in question.relevant}


def _best_place(engine: SearchEngine, query: str, labels: set[tuple[str, str]]) -> int | None:
    projects, _ = engine.search_projects(engine.parse(query), 10, engine.make_filters())
    places = [p.rank for p in projects if (p.doc_id, p.project_key) in labels]
    return min(places, default=None)


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_a_plain_question_finds_its_project_in_the_top_10(real_engine, question):
    parsed = real_engine.parse(question.query)
    assert parsed.language == "ja"
    assert any(e.kind in PLAIN_KINDS for e in parsed.expansions), question.id
    assert _best_place(real_engine, question.query, _labels(question)) is not None, question.id


def test_the_page_example_finds_childcare(real_engine):
    # The model reads it without its request frame (…はありますか).
    stem = real_engine.parse(PAGE_EXAMPLE).embedded_text
    assert stem.startswith("子どもを少しの時間だけ預かってもらえる仕組み ")
    assert _best_place(real_engine, PAGE_EXAMPLE, CHILDCARE) is not None


def _reciprocal(place: int | None) -> float:
    return 1.0 / place if place else 0.0


def test_the_plain_steps_are_what_lifts_them(real_engine):
    # Measured: places 1 1 1 1 2 1 1 2 with the steps (MRR 0.88), 6 - - 3 4 4 3 - without (0.17).
    frequencies = index_frequencies(real_engine.index.lexical)
    bare = QueryAnalyzer(frequencies, readings=False, colloquial=False, kana_words=False)
    engine = SearchEngine(
        real_engine.index, real_engine.embedder, real_engine.fusion, bare, real_engine.questions
    )
    with_steps = [_best_place(real_engine, q.query, _labels(q)) for q in QUESTIONS]
    without = [_best_place(engine, q.query, _labels(q)) for q in QUESTIONS]
    assert all((a or 11) <= (b or 11) for a, b in zip(with_steps, without, strict=True))
    mrr = [sum(map(_reciprocal, places)) / len(QUESTIONS) for places in (with_steps, without)]
    assert mrr[0] >= 0.75 and mrr[1] <= 0.4, (with_steps, without)


def _without_dense_table(real_engine: SearchEngine) -> SearchEngine:
    frequencies = index_frequencies(real_engine.index.lexical)
    bare = QueryAnalyzer(frequencies, dense_table=False)
    return SearchEngine(
        real_engine.index, real_engine.embedder, real_engine.fusion, bare, real_engine.questions
    )


def test_everyday_citizen_questions_find_their_project_through_the_model(real_engine):
    # Measured: places 1 2 2 1 with the table, - - - 9 without it.
    bare = _without_dense_table(real_engine)
    with_table = [_best_place(real_engine, q.query, _labels(q)) for q in CITIZEN]
    without = [_best_place(bare, q.query, _labels(q)) for q in CITIZEN]
    assert all(place is not None and place <= 3 for place in with_table), with_table
    assert sum(place is None for place in without) >= 2, without
    for question in CITIZEN:
        parsed, plain = real_engine.parse(question.query), bare.parse(question.query)
        # The words reach the model only: BM25 reads the same tokens either way.
        assert len(parsed.dense_words) > len(plain.dense_words), question.id
        assert parsed.lexical_tokens == plain.lexical_tokens, question.id


# Everyday questions written from the documents for lines of data/colloquial_dense.tsv that no
# gold question asks about (written from the projects' texts, not from a missed question):
# 古紙を勝手に持っていく -> 資源物の持ち去り禁止対策事業, 母子手帳 -> 子育て世代包括支援センター,
# たらい回し -> the manifesto's ワンストップ総合窓口, 75歳以上の保険 -> 後期高齢者医療制度運営事業.
FROM_THE_DOCUMENTS = (
    (
        "ゴミの日に出した古紙を勝手に持っていく人がいる。やめさせてほしい",
        {("isesaki-jisshi-r3", "228")},
    ),
    (
        "母子手帳をもらうときに相談にのってくれる所はある？",
        {
            ("isesaki-jisshi-r3", "6"),
            ("isehara-chuki-r3-r4", "6-101"),
            ("isesaki-manifesto-r6", "2-(1)-④"),
        },
    ),
    ("市役所でたらい回しにされないようにしてほしい", {("isesaki-manifesto-r6", "8-(2)-④")}),
    ("75歳以上の保険の保険料はどこに払うの？", {("isesaki-jisshi-r3", "29")}),
)


def test_everyday_words_written_from_the_documents_reach_the_model(real_engine):
    # Measured: places 2 2 2 2 with the table, 4 8 - 4 without it.
    bare = _without_dense_table(real_engine)
    with_table = [_best_place(real_engine, q, labels) for q, labels in FROM_THE_DOCUMENTS]
    without = [_best_place(bare, q, labels) for q, labels in FROM_THE_DOCUMENTS]
    assert all(place is not None and place <= 3 for place in with_table), with_table
    assert sum(place is None or place > 3 for place in without) >= 3, without


# Questions whose project the policy in each passage's header (indexer.chunking.policy_of)
# lifts to first: 木造住宅耐震改修事業 under 良質で安全な民間住宅建築の促進, 赤堀歴史民俗資料館
# under 文化財の調査研究と情報発信. Measured: second for both without the policy, first with it.
POLICY = ("jisshi-010", "plain-053")


@pytest.mark.parametrize("question_id", POLICY)
def test_the_policy_in_the_header_brings_a_resident_question_to_its_project(
    real_engine, question_id
):
    question = GOLD[question_id]
    projects, _ = real_engine.search_projects(
        real_engine.parse(question.query), 3, real_engine.make_filters()
    )
    first, names = projects[0], [p.project_name for p in projects]
    assert (first.doc_id, first.project_key) in _labels(question), names
    chunk = next(
        c
        for c in real_engine.index.chunks
        if (c.doc_id, c.project_key) == (first.doc_id, first.project_key)
    )
    record = real_engine.index.records[(first.doc_id, first.project_key)]
    assert chunk.header.split(" | ")[2] == policy_of(record)


def test_a_city_in_kana_is_scored_as_the_city_not_as_its_pieces(real_engine):
    # 「いせはら」 is tagged イセ + 腹; together they read イセハラ (伊勢原), which is sent. The
    # pieces are not: イセ is printed only where a plan writes いせさき in kana, and it brought
    # 生涯学習推進事業 and the like first. Measured: 安全な歩行空間整備事業 third with the
    # pieces, first without; second since the model reads the question without いせはら
    # (service/query.py ``_CITY_SHARE``), behind 自転車交通安全対策事業 of the same 施策.
    question = GOLD["plain-023"]
    parsed = real_engine.parse(question.query)
    assert {"イセ", "腹"} <= set(parsed.tokens) and "イセハラ" in parsed.lexical_tokens
    assert not {"イセ", "腹"} & set(parsed.lexical_tokens), parsed.lexical_tokens
    place = _best_place(real_engine, question.query, _labels(question))
    assert place is not None and place <= 2


# Citizen questions of dev whose project was card 2-4 because the question names the thing as a
# resident does and the plans never print that word: カーブミラー is 道路反射鏡 in both plans that
# set them (a BM25 token, data/colloquial.tsv), ネット通販 … 品物が届かない a consumer trouble
# (消費生活), 避難の情報 the plans' 防災情報, 小遣い稼ぎ after retiring シルバー人材センター (the
# model-only table). Measured: card 2, 2, 2, 4 before the lines, first with them.
RESIDENT_WORDS = ("gyokaku-009", "jisshi-114", "gyokaku-110", "jisshi-105")


@pytest.mark.parametrize("question_id", RESIDENT_WORDS)
def test_a_resident_word_the_plans_never_print_brings_card_one(real_engine, question_id):
    question = GOLD[question_id]
    assert _best_place(real_engine, question.query, _labels(question)) == 1, question_id


def test_the_mirror_reaches_bm25_as_the_plans_word(real_engine):
    parsed = real_engine.parse(GOLD["gyokaku-009"].query)
    # 道路反射鏡 is 道路 + 反射 + 鏡 to the index; a lone character is never an added token.
    assert {"道路", "反射"} <= set(parsed.lexical_tokens), parsed.lexical_tokens
