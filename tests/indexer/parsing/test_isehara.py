"""Parser of 伊勢原市 中期戦略事業プラン (isehara-chuki-r3-r4) on the real corpus file."""

from __future__ import annotations

import re

import pytest

from indexer.parsing.isehara import parse
from indexer.records import DocumentInfo
from indexer.textclean import nfkc

from .conftest import (
    HTML_TAG,
    ParsedDocument,
    assert_document_info_copied,
    identity,
    only_field,
    parse_seconds,
)

DOC = ParsedDocument("isehara-chuki-r3-r4")
CH3 = "第3章 個別事業"
TOTAL = "事業費総額(2年間の事業費見込み)"

# 主な事業 per 施策 01–40, as counted in the 施策体系 pages (121 in all).
PROJECTS_PER_MEASURE = (
    7, 2, 3, 3, 2, 5, 3, 3, 5, 1, 3, 3, 4, 2, 2, 4, 3, 4, 3, 2,
    3, 2, 5, 3, 2, 2, 1, 1, 3, 2, 2, 1, 2, 3, 6, 2, 3, 3, 5, 6,
)  # fmt: skip


def _expected_ids() -> list[str]:
    ids = [f"{m}-{101 + i}" for m, n in enumerate(PROJECTS_PER_MEASURE, 1) for i in range(n)]
    at = ids.index("19-103")
    return [*ids[: at + 1], "19-103", *ids[at + 1 :]]  # 19-103 is printed for two projects


# ---------------------------------------------------------------- counts and ids


def test_project_count_and_distinct_numbers() -> None:
    assert len(DOC.projects()) == 122
    assert len({p.project_id for p in DOC.projects()}) == 121


def test_project_ids_in_document_order() -> None:
    assert [p.project_id for p in DOC.projects()] == _expected_ids()


def test_block_numbers_equal_the_numbers_of_the_shuyo_jigyo_tables() -> None:
    listed = {
        m.group(1)
        for s in DOC.sections()
        for text in s.field_texts("主な事業")
        for m in re.finditer(r"^(\d+-\d{3}) \|", text, re.MULTILINE)
    }
    assert len(listed) == 121
    assert listed == {p.project_id for p in DOC.projects()}


def test_each_block_sits_under_the_measure_whose_table_lists_it() -> None:
    for p in DOC.projects():
        measure = int(p.project_id.split("-")[0])
        assert p.section_path[-1].startswith(f"施策 {measure:02d} "), p.project_key
        table = next(s for s in DOC.sections() if s.section_path == p.section_path)
        assert re.search(rf"^{p.project_id} \|", only_field(table, "主な事業"), re.MULTILINE)


def test_keys_are_unique_and_the_reused_number_gets_a_suffix() -> None:
    keys = [r.project_key for r in DOC.records()]
    assert len(keys) == len(set(keys))
    assert [p.project_key for p in DOC.projects() if p.project_id == "19-103"] == [
        "19-103",
        "19-103_2",
    ]
    assert all(p.project_key == p.project_id for p in DOC.projects() if p.project_id != "19-103")


def test_section_keys_count_from_one_in_document_order() -> None:
    assert [s.project_key for s in DOC.sections()] == [
        f"section-{n}" for n in range(1, len(DOC.sections()) + 1)
    ]


def test_document_fields_come_from_document_info() -> None:
    assert_document_info_copied(DOC)


# ---------------------------------------------------------------- one block, field by field


def test_block_1_102_field_by_field() -> None:
    p = DOC.by_key("1-102")
    assert identity(p) == ("1-102", "食育推進事業", "保健福祉部 健康づくり課")
    assert p.section_path == (
        CH3,
        "暮らし力",
        "1 誰もが明るく暮らせるまち",
        "1-1 健やかに生き生きと暮らせるまちづくり",
        "1-1-1 生涯にわたって健康に暮らせるまちをつくる",
        "施策 01 心と体の健康づくりの推進",
    )
    assert [f.name for f in p.fields] == [
        "事業内容",
        "事業行程",
        "目標",
        TOTAL,
        "財源内訳",
        "リーディングプロジェクト",
    ]
    assert only_field(p, "事業内容").splitlines() == [
        "食習慣の改善を推進するため、食育教育や食育相談、思春期における食育事業を実施します。",
        "食育推進に向けた連携を図るため、庁内食育推進連絡会や庁内栄養士連絡調整会議、"
        "伊勢原市食育推進連絡会議を開催します。",
        "第3次伊勢原市食育推進計画に基づき、食を通じた市民の健康づくりを支援します。",
    ]
    schedule = only_field(p, "事業行程").splitlines()
    assert schedule[0] == "項目 | 令和3年度 | 令和4年度"
    assert "食育推進に係る会議の開催 | 7回以上の開催 | 7回以上の開催" in schedule
    assert only_field(p, "目標").splitlines() == [
        "指標名: 食育教育・食育相談の 参加者数",
        "指標の定義: 食育相談や食育教育に参加した市民の延べ人数",
        "現状値(令和2年度): 800人",
        "令和3年度: 3,550人",
        "令和4年度: 3,600人",
    ]
    assert only_field(p, TOTAL) == "9,155千円"
    assert only_field(p, "財源内訳").splitlines() == [
        "(一般財源) | 6,031千円",
        "(国県補助等) | 0千円",
        "(起債) | 0千円",
        "(その他) | 3,124千円",
    ]
    assert (
        only_field(p, "リーディングプロジェクト")
        == "① 地域資源等を活用した市民の健康寿命延伸 プロジェクト"
    )


def test_every_block_has_the_five_parts_with_per_year_values() -> None:
    for p in DOC.projects():
        names = [f.name for f in p.fields if f.name != "リーディングプロジェクト"]
        goals = [n for n in names if n.startswith("目標")]
        assert names == ["事業内容", "事業行程", *goals, TOTAL, "財源内訳"], p.project_key
        assert only_field(p, "事業行程").startswith("項目 | 令和3年度 | 令和4年度\n"), p.project_key
        for goal in goals:
            lines = only_field(p, goal).splitlines()
            assert [ln.split(": ")[0] for ln in lines[3:]] == ["令和3年度", "令和4年度"], (
                p.project_key
            )
            assert re.fullmatch(r"現状値 ?[(（]令和(?:2|元)年度[)）]: .+", lines[2]), p.project_key
        assert re.fullmatch(r"[\d,]+ ?千円", only_field(p, TOTAL)), p.project_key


def test_departments_are_unparenthesised_and_collapsed() -> None:
    for p in DOC.projects():
        assert p.department and p.department.split()[0].endswith("部"), p.project_key
        assert not re.search(r"[()（）\t\n]|  ", p.department), p.project_key


def test_leading_project_column_becomes_a_field() -> None:
    assert only_field(DOC.by_key("22-101"), "リーディングプロジェクト").splitlines() == [
        "③ 新たな土地利用等による都市の活力向上 プロジェクト",
        "④ 未来につながる子育て環境づくり プロジェクト",
    ]
    assert DOC.by_key("1-106").field_texts("リーディングプロジェクト") == []  # printed "—"
    with_mark = [p.project_key for p in DOC.projects() if p.field_texts("リーディングプロジェクト")]
    assert len(with_mark) == 48  # 主な事業 rows whose column is not "—"


# ---------------------------------------------------------------- quirks of the PDF conversion


def test_19_103_is_two_projects() -> None:
    child, elderly = DOC.by_key("19-103"), DOC.by_key("19-103_2")
    assert (child.project_name, child.department) == (
        "虐待防止事業（児童）",
        "子ども部 子ども家庭相談課",
    )
    assert (elderly.project_name, elderly.department) == (
        "虐待防止事業 （高齢者・障がい者）",
        "保健福祉部 障がい福祉課、 介護高齢課 高齢者支援担当",
    )
    assert elderly.project_id == "19-103"
    assert "要保護児童対策地域協議会運営 | 運営 | 運営" in only_field(child, "事業行程")
    # the second one prints two 目標 tables (目 標 ① / 目 標 ②)
    assert "指標名: 高齢者虐待防止研修会等参加者数" in only_field(elderly, "目標 ①")
    assert "令和4年度: 120人" in only_field(elderly, "目標 ②")


def test_sample_block_of_keikaku_no_mikata_is_merged_into_1_101() -> None:
    printings = [p for p in DOC.projects() if p.project_id == "1-101"]
    assert len(printings) == 1
    p = printings[0]
    assert p.section_path[-1] == "施策 01 心と体の健康づくりの推進"
    # The sample (● bullets, half-width parentheses) says nothing the real block does not.
    assert not any("計画の見方" in f.name for f in p.fields)
    assert len(only_field(p, "事業内容").splitlines()) == 4
    assert not any("1 計画の見方" in r.section_path for r in DOC.projects())


def test_bare_jigyo_bango_line_with_number_name_department_below() -> None:
    p = DOC.by_key("1-105")
    assert (p.project_name, p.department) == ("がん検診推進事業", "保健福祉部 健康づくり課")
    assert DOC.by_key("9-105").project_name == "通級指導教室推進事業"  # blank line after 事業番号


def test_wrapped_names_and_departments_are_joined() -> None:
    assert DOC.by_key("12-103").project_name == "世界大会を契機としたスポーツ振興事業"
    assert DOC.by_key("4-103").department == "保健福祉部 介護高齢課 高齢者支援担当"
    assert DOC.by_key("23-105").department == "経済環境部 農業振興課 農林整備担当"
    # spaces printed inside a one-line name stay (collapsed)
    assert DOC.by_key("7-101").project_name == "幼児教育・保育の提供体制 確保事業"


def test_number_glued_to_a_wrapped_name() -> None:
    p = DOC.by_key("26-101")
    assert identity(p) == (
        "26-101",
        "伊勢原大山インター土地区画整理推進事業",
        "都市部 新産業拠点整備課",
    )


def test_department_glued_to_the_name_in_full_width_parentheses() -> None:
    for key, name in (
        ("3-101", "地域の支え合い・助け合い活動推進事業"),
        ("3-102", "地域福祉を支える人材育成事業"),
    ):
        p = DOC.by_key(key)
        assert (p.project_name, p.department) == (name, "保健福祉部 福祉総務課")


def test_names_with_their_own_parentheses_keep_them() -> None:
    assert DOC.by_key("1-103").project_name == "(国保) 特定健康診査等推進事業"
    assert DOC.by_key("13-103").project_name == "(仮称) 郷土資料館整備事業"


@pytest.mark.parametrize(
    ("key", "row", "indicator"),
    [
        (
            "12-103",
            "オリパラ種目（ポッチャ等）教室・講習会 | 継続実施 | 継続実施",
            "教室・講習会等の開催数",
        ),
        ("25-101", "シティプロモーションブックの発行 | 配布 | 作成検討", "マスコミへの情報提供数"),
        (
            "25-102",
            "職員グループへの活動支援 | イベント協力 | イベント協力",
            "プロモーション公認サポーター数",
        ),
    ],
    ids=["12-103", "25-101", "25-102"],
)
def test_goal_label_printed_on_a_schedule_row(key: str, row: str, indicator: str) -> None:
    p = DOC.by_key(key)
    assert only_field(p, "事業行程").splitlines()[-1] == row
    assert only_field(p, "目標").splitlines()[0] == f"指標名: {indicator}"
    assert row.split(" | ")[0] not in only_field(p, "目標")


def test_schedule_rows_without_the_leading_tab_stay_in_the_schedule() -> None:
    assert "駐車場・渋滞対策 | 行楽シーズンに臨時駐車場を設置" in only_field(
        DOC.by_key("24-101"), "事業行程"
    )
    assert (
        only_field(DOC.by_key("35-105"), "事業行程")
        .splitlines()[-1]
        .startswith("本庁舎レイアウト改善 | ")
    )


def test_finance_rows_without_the_leading_tab_stay_in_the_finance_field() -> None:
    assert (
        only_field(DOC.by_key("24-103"), "財源内訳").splitlines()[0] == "（一般財源） | 1,425千円"
    )


def test_value_printed_on_the_zaigen_uchiwake_label_row_is_kept() -> None:
    lines = only_field(DOC.by_key("30-102"), "財源内訳").splitlines()
    assert lines[:2] == ["2,902千円", "（一般財源） | 9,670千円"]


def test_current_value_of_another_year_keeps_its_label() -> None:
    assert "現状値（令和元年度）: 25%" in only_field(DOC.by_key("33-102"), "目標")
    assert "現状値(令和元年度): 653人" in only_field(DOC.by_key("40-101"), "目標")


@pytest.mark.parametrize(
    ("key", "items"),
    [("1-101", 4), ("1-103", 2), ("17-103", 3), ("12-101", 2), ("40-101", 1)],
)
def test_jigyo_naiyo_is_one_item_per_line_without_bullets(key: str, items: int) -> None:
    """・ ● • bullets, or none at all (then one sentence per line)."""
    lines = only_field(DOC.by_key(key), "事業内容").splitlines()
    assert len(lines) == items
    assert not any(ln[0] in "・●•" or not ln.endswith("。") for ln in lines)


def test_measure_heading_split_over_two_lines() -> None:
    assert DOC.by_key("11-101").section_path[-1] == "施策 11 学習成果を生かせる生涯学習の推進"


def test_letter_spaced_field_of_activity_heading() -> None:
    assert DOC.by_key("21-101").section_path[1:4] == (
        "活力",
        "3 個性豊かで活力あるまち",
        "3-6 産業の活力があふれる元気なまちづくり",
    )


# ---------------------------------------------------------------- sections


def test_sections_have_no_project_attributes() -> None:
    for s in DOC.sections():
        assert (s.project_id, s.project_name, s.department) == (None, None, None)
        assert s.section_path and s.fields


def test_chapter_one_headings_are_sections() -> None:
    paths = [s.section_path for s in DOC.sections() if s.section_path[0].startswith("第1章")]
    assert [p[1] for p in paths] == [
        "1 中期戦略事業プラン改定の趣旨",
        "2 事業プランの計画期間",
        "3 事業プランの対象",
        "4 事業プランの構成等",
        "5 施策体系",
        "6 持続可能な開発目標（SDGs）の実現",
        "7 新型コロナウイルス感染症対策等への対応",
        "8 進行管理",
        "9 計画事業費",
    ]
    cost = next(s for s in DOC.sections() if s.section_path[-1] == "9 計画事業費")
    table = only_field(cost, "総合計画の5つの力と基本政策の区分別による事業費・財源内訳")
    assert "事業費計 | 4,162,462 | 4,839,711 | 9,002,173" in table.splitlines()


def test_leading_project_chapter_sections() -> None:
    chapter2 = [s for s in DOC.sections() if s.section_path[0] == "第2章 リーディングプロジェクト"]
    assert len(chapter2) == 17  # introduction, 4 aims, 12 方針 tables
    policy = next(s for s in chapter2 if s.section_path[-1] == "健康を支える「食育」を推進します")
    assert policy.section_path[1] == "① 地域資源等を活用した市民の健康寿命延伸 プロジェクト"
    table = only_field(policy, "中期戦略事業プランにおけるプロジェクトの取組内容")
    assert "・高齢者を対象にした低栄養防止事業の実施 【食育推進事業】 | 低栄養の可能性" in table
    arrow = [s for s in chapter2 if "「新たな産業基盤」を創出します" in s.section_path[-1]]
    assert (
        arrow[0].section_path[-1] == "広域交通ネットワークを生かした「新たな産業基盤」を創出します"
    )


def test_measure_section_holds_summary_policy_table_and_related_projects() -> None:
    s = next(
        s for s in DOC.sections() if s.section_path[-1] == "施策 02 安心できる地域医療体制の充実"
    )
    assert [f.name for f in s.fields] == ["本文", "施策の方針", "主な事業", "その他の関連の事業"]
    assert only_field(s, "主な事業").splitlines()[1] == (
        "2-101 | かかりつけ医利用促進事業 | 保健福祉部 | 健康づくり課 | ①"
    )
    assert "伊勢原協同病院移転新築支援事業 | 伊勢原協同病院の移転新築" in only_field(
        s, "その他の関連の事業"
    )
    assert len([x for x in DOC.sections() if x.section_path[-1].startswith("施策 ")]) == 40


def test_field_of_activity_sections() -> None:
    s = next(s for s in DOC.sections() if s.section_path == (CH3, "自治力"))
    assert [f.name for f in s.fields] == [
        "「自治力」によりめざす将来のまちの姿",
        "自治力の施策体系",
    ]


def test_cover_toc_and_colophon_are_skipped() -> None:
    text = "\n".join(f.text for r in DOC.records() for f in r.fields)
    assert "kikaku@isehara-city.jp" not in text
    assert "目次" not in text
    assert "中期戦略事業プラン改定の趣旨 | 3" not in text


# ---------------------------------------------------------------- plain text, nothing lost


def test_no_html_and_no_empty_field() -> None:
    for r in DOC.records():
        assert r.fields, r.project_key
        for f in r.fields:
            assert f.text.strip() and f.name.strip(), (r.project_key, f.name)
            assert not HTML_TAG.search(f.text), (r.project_key, f.name)
            assert "\t" not in f.text and "\n\n" not in f.text, (r.project_key, f.name)
        for value in (r.project_name or "", r.department or "", *r.section_path):
            assert "\t" not in value and "\n" not in value and "  " not in value, r.project_key


def _key(text: str) -> str:
    """Comparison form: width, spacing, bullets, table pipes and parentheses ignored."""
    return re.sub(r"[\s・●•▶■|()\-]", "", nfkc(text))


def test_every_word_of_the_body_ends_up_in_a_record() -> None:
    parts: list[str] = []
    for r in DOC.records():
        parts += [r.project_id or "", r.project_name or "", r.department or "", *r.section_path]
        parts += [x for f in r.fields for x in (f.name, f.text)]
    found = _key("\n".join(parts))
    lines = DOC.text().splitlines()
    body = lines[
        lines.index("第1章 中期戦略事業プランについて", 20) : lines.index(
            "伊勢原市第5次総合計画後期基本計画"
        )
    ]
    plain = re.sub(r"</?(?:ul|li|p)\b[^>]*>", " ", "\n".join(body))
    words = {_key(w).removeprefix("事業番号") for w in plain.split()}
    assert sorted(w for w in words if w and w not in found) == []


# ---------------------------------------------------------------- synthetic documents

_TOC = "目次\n\n第3章 個別事業\n\n1\t計画の見方\t27\n\t暮らし力\t29\n\n"
_OUTLINE = (
    "暮らし力\n\n【まちづくり目標（基本構想）】\n\n1 誰もが明るく暮らせるまち\n\n"
    "【基本政策（基本構想）】\n\n1-1 健やかに生き生きと暮らせるまちづくり\n\n"
    "【施策展開の方向（基本構想）】\n\n1-1-1 生涯にわたって健康に暮らせるまちをつくる\n\n"
    "1-1-1\n\n施策 01 心と体の健康づくりの推進\n\n主な事業\n\n"
    "事業No.\t事業名\t担当部\t担当課\tリーディングプロジェクト\n"
    "1-101\t健康づくり推進事業\t保健福祉部\t健康づくり課\t—\n"
    "1-102\t食育推進事業\t保健福祉部\t健康づくり課\t—\n\n"
)
_SAMPLE = (
    "1 計画の見方\n\n"
    "事業番号 1-101\t健康づくり推進事業\t\t(保健福祉部 健康づくり課)\n"
    "事業内容\t<ul> ● 未病センターを運用します。 ● 見本だけの取組です。 \t\n"
    "事業行程\t項目\t令和3年度\t令和4年度\n\t未病センター\t運用\t運用\n\n"
)
_BLOCKS = (
    "事業番号 1-101\t\t健康づくり推進事業\t\t(保健福祉部 健康づくり課)\n"
    "事業内容\t・未病センターを運用します。\n"
    "事業行程\t項目\t令和3年度\t令和4年度\n\t未病センター\t運用\t運用\n\n"
    "事業番号 1-102\t\t食育推進事業\n"
    "事業内容\t・食育を推進します。\n"
)
_DOC = DocumentInfo("synthetic", "伊勢原市", "見本", "令和3〜4年度", "synthetic.txt")


def test_second_printing_adds_only_what_differs() -> None:
    records = parse(_TOC + "第3章 個別事業\n\n" + _SAMPLE + _OUTLINE + _BLOCKS, _DOC)
    p = next(r for r in records if r.project_key == "1-101")
    assert [r.project_key for r in records if r.kind == "project"] == ["1-101", "1-102"]
    assert [f.name for f in p.fields] == ["事業内容", "事業行程", "1 計画の見方 事業内容"]
    assert p.field_texts("1 計画の見方 事業内容") == [
        "未病センターを運用します。\n見本だけの取組です。"
    ]
    assert p.section_path[-1] == "施策 01 心と体の健康づくりの推進"


def test_missing_parenthesis_falls_back_to_the_table_department() -> None:
    records = parse(_TOC + "第3章 個別事業\n\n" + _OUTLINE + _BLOCKS, _DOC)
    p = next(r for r in records if r.project_key == "1-102")
    assert (p.project_name, p.department) == ("食育推進事業", "保健福祉部 健康づくり課")


def test_parsing_the_whole_document_is_fast() -> None:
    assert parse_seconds(parse, DOC) < 1.0


def test_printed_tables_keep_their_rows() -> None:
    # 1-101's 事業行程: 「項目 | 令和3年度 | 令和4年度」 and one row per step.
    (plan,) = [f for f in DOC.by_id("1-101").fields if f.name == "事業行程"]
    assert plan.rows[:2] == (
        ("項目", "令和3年度", "令和4年度"),
        ("未病センターの設置・運用", "継続運用", "運用"),
    )
    assert plan.text.split("\n") == [" | ".join(r) for r in plan.rows]
    # 主な事業 of 施策01: 「事業No. | 事業名 | 担当部 | 担当課 | リーディングプロジェクト」.
    tables = [f for s in DOC.sections() for f in s.fields if f.name == "主な事業"]
    assert len(tables) == 40 and all(f.rows for f in tables)
    first = tables[0].rows
    assert first[0] == ("事業No.", "事業名", "担当部", "担当課", "リーディングプロジェクト")
    assert first[1] == ("1-101", "健康づくり推進事業", "保健福祉部", "健康づくり課", "①")
    # 財源内訳 prints no header row: text only.
    assert not next(f for f in DOC.by_id("1-101").fields if f.name == "財源内訳").rows
