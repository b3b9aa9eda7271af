"""Extractive answers (service/answer/) on the real corpus: splitting, reading, answering."""

from __future__ import annotations

import pytest

from service.answer import (
    FOUND_THRESHOLD,
    answer_question,
    read_question,
    split_label,
    split_sentences,
    split_units,
)
from service.search import SearchInputError


def _chunk_text(engine, doc_id: str, key: str, field_part: str) -> tuple[str, str]:
    """Text and field of the first chunk of a record whose field name contains ``field_part``."""
    for chunk in engine.index.chunks:
        if (chunk.doc_id, chunk.project_key) == (doc_id, key) and field_part in chunk.field:
            return chunk.text, chunk.field
    raise AssertionError(f"no chunk {doc_id} {key} {field_part}")


# -- splitting (model-free) ---------------------------------------------------------------------


def test_funding_breakdown_is_one_unit_with_its_total(hashing_engine):
    text, field = _chunk_text(hashing_engine, "isehara-chuki-r3-r4", "1-102", "財源内訳")
    units = {u.text for u in split_units(text, field)}
    assert "【事業費総額(2年間の事業費見込み)】9,155千円" in units
    assert (
        "【事業費総額(2年間の事業費見込み)】9,155千円\n【財源内訳】(一般財源) | 6,031千円\n"
        "(国県補助等) | 0千円\n(起債) | 0千円\n(その他) | 3,124千円"
    ) in units


def test_table_rows_carry_the_header_of_their_table(hashing_engine):
    text, field = _chunk_text(hashing_engine, "isehara-chuki-r3-r4", "1-102", "事業行程")
    rows = [u for u in split_units(text, field) if "食育推進に係る会議の開催" in u.body]
    assert [u.body for u in rows] == ["食育推進に係る会議の開催 | 7回以上の開催 | 7回以上の開催"]
    assert rows[0].text.startswith("【事業行程】項目 | 令和3年度 | 令和4年度\n")
    # The header alone answers nothing, so it is no unit of its own.
    assert all(not u.body.startswith("項目 |") for u in split_units(text, field))


def test_sentences_split_at_the_full_stop(hashing_engine):
    text, field = _chunk_text(hashing_engine, "isesaki-jisshi-r3", "37", "具体的方法")
    units = [u for u in split_units(text, field) if u.label == "実施目的"]
    assert units and all(u.body.endswith("。") for u in units)
    bodies = [u.body for u in split_units(text, field)]
    assert any("月額5,000円上限" in b and b.count("。") == 1 for b in bodies)


def test_short_yearly_field_is_one_unit_with_its_year(hashing_engine):
    text, field = _chunk_text(hashing_engine, "isesaki-gyokaku-r2-r5", "2-(6)-①", "財政効果額")
    units = split_units(text, field)
    r3 = [u for u in units if u.year == "令和3年度"]
    assert [u.text for u in r3] == ["【財政効果額(歳入) 令和3年度】497,952 (千円)\n土地売却額"]
    assert r3[0].name == "財政効果額(歳入)"


def test_an_indicator_table_is_one_unit_with_every_year(hashing_engine):
    text, field = _chunk_text(hashing_engine, "isehara-chuki-r3-r4", "1-105", "目標")
    units = [u for u in split_units(text, field) if "17.0%" in u.body]
    assert [u.text for u in units] == [
        "【目標】指標名: がん検診受診率\n指標の定義: 本市が実施するがん検診の受診率\n"
        "現状値 (令和2年度): 16.2%\n令和3年度: 16.6%\n令和4年度: 17.0%"
    ]
    assert units[0].kind == "table"


def test_a_full_stop_inside_brackets_does_not_end_the_sentence():
    line = "・華蔵寺公園共生『はな咲く。』プロジェクトに対し、寄附金を受領しました。次です。"
    assert split_sentences(line) == [
        "・華蔵寺公園共生『はな咲く。』プロジェクトに対し、寄附金を受領しました。",
        "次です。",
    ]


def test_labels_split_into_name_and_year():
    assert split_label("事業計画 令和4年度") == ("事業計画", "令和4年度")
    assert split_label("取組達成度 令和2年度〜令和3年度") == (
        "取組達成度",
        "令和2年度〜令和3年度",
    )
    assert split_label("目標") == ("目標", None)


def test_question_reading():
    q = read_question("ロボット関連企業の参入促進や実証実験を担当しているのはどこの課？")
    assert q.asks_department and "ロボット" in q.terms and "何処" not in q.terms
    q = read_question("がん検診の受診率は令和4年度に何％を目標にしている？")
    assert q.years == {2022} and q.asks_quantity and "target" in q.roles
    assert "令和" not in q.terms


# -- answers with the hashing engine (model-free) -------------------------------------------------


@pytest.mark.parametrize(
    "query", ["がん検診の受診率は令和4年度に何％を目標にしている？", "今日の天気", "ごみ"]
)
def test_confidence_is_within_unit_interval(hashing_engine, query):
    out = answer_question(hashing_engine, query)
    assert 0.0 <= out.confidence <= 1.0
    assert out.found == (out.confidence >= FOUND_THRESHOLD)
    assert (out.citation is not None) == out.found
    assert bool(out.text) == out.found


def test_filters_are_applied(hashing_engine):
    filters = hashing_engine.make_filters(doc_ids=["isesaki-manifesto-r6"])
    out = answer_question(hashing_engine, "道の駅の設置検討", filters, passages=3)
    assert out.citation is None or out.citation.doc_id == "isesaki-manifesto-r6"


def test_filters_that_match_nothing_give_no_answer(hashing_engine):
    filters = hashing_engine.make_filters(years=["1990"])
    out = answer_question(hashing_engine, "ごみの減量", filters)
    assert (out.found, out.text, out.citation, out.confidence) == (False, "", None, 0.0)


def test_empty_question_is_refused(hashing_engine):
    with pytest.raises(SearchInputError):
        answer_question(hashing_engine, "   ")


# -- answers with the real model -----------------------------------------------------------------

DETAIL = [
    # (dev question, text the answer must hold, doc, project key, field, year)
    (
        "がん検診の受診率は令和4年度に何％を目標にしている？",
        "令和4年度: 17.0%",
        "isehara-chuki-r3-r4",
        "1-105",
        "目標",
        None,  # the whole indicator table: every year, so no one year
    ),
    (
        "民生委員による一人暮らし高齢者の基礎調査、令和4年度は何人を対象に予定していますか",
        "5,200人",
        "isesaki-jisshi-r3",
        "61",
        "事業計画",
        "令和4年度",
    ),
    (
        "さかい聖苑の電気・機械設備更新の、令和4年度の取組達成度の評価は？",
        "△ 計画以下",
        "isesaki-gyokaku-r2-r5",
        "1-(4)-④",
        "取組達成度",
        "令和4年度",
    ),
    (
        "峰岸山を公有林にするという公約の実施状況の評価はどのランク？",
        "E : 未着手",
        "isesaki-manifesto-r6",
        "6-(3)-⑨",
        "実施状況",
        None,
    ),
    (
        "家庭で3日分以上の食料を備蓄している世帯の割合は、令和11年度に何％を目指している？",
        "78.0％",
        "isesaki-action-plan-r7",
        "5-1 方針1",
        "目標値",
        "令和11年度",
    ),
    (
        "ロボット関連企業の参入促進や実証実験を担当しているのはどこの課？",
        "経済環境部 商工観光課",
        "isehara-chuki-r3-r4",
        "21-102",
        "担当",
        None,
    ),
]


@pytest.mark.parametrize(("query", "holds", "doc_id", "key", "field", "year"), DETAIL)
def test_detail_question_gets_the_row_with_the_figure(
    real_engine, query, holds, doc_id, key, field, year
):
    out = answer_question(real_engine, query)
    assert out.found, out
    assert holds in out.text
    assert out.citation is not None
    assert (out.citation.doc_id, out.citation.project_key) == (doc_id, key)
    assert out.citation.field == field
    assert out.citation.year == year
    assert FOUND_THRESHOLD <= out.confidence <= 1.0


NONSENSE = ["量子コンピュータの株価", "今日の天気", "恐竜が絶滅した理由は？"]


@pytest.mark.parametrize("query", NONSENSE)
def test_nonsense_is_not_found(real_engine, query):
    out = answer_question(real_engine, query)
    assert not out.found
    assert out.citation is None
    assert out.text == ""
    assert 0.0 <= out.confidence < FOUND_THRESHOLD


def test_same_question_same_answer(real_engine):
    query = "介護予防教室への参加者数の令和4年度の目標は何人？"
    first = answer_question(real_engine, query)  # unit vectors embedded in a batch
    second = answer_question(real_engine, query)  # the same vectors, from the cache
    assert first == second
    assert "12,000 人" in first.text
