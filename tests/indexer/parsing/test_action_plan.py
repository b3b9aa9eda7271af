"""Parser of the 前期アクションプラン 重点プロジェクト (isesaki-action-plan-r7), real corpus.

Line rejoining (``rejoin_wrapped``, ``join_paragraphs``) is in test_action_plan_lines.py.
"""

from __future__ import annotations

import re
from collections import Counter

from indexer.parsing.action_plan import parse
from indexer.records import Project

from .conftest import ANY_YEAR, HTML_TAG, ParsedDocument, only_field, parse_seconds

DOC = ParsedDocument("isesaki-action-plan-r7")
# The 重点施策・方針 rows of each project's 対応 table, in printed order.
IDS = {
    "少子高齢化対策プロジェクト": [
        "1-1 方針1", "1-1 方針2", "1-1 方針3",
        "1-2 方針1", "1-2 方針2", "1-2 方針3", "1-2 方針4",
        "1-3 方針1", "1-3 方針2", "1-3 方針3", "1-6 方針2",
        "1-4 方針1", "1-4 方針2", "1-4 方針3", "1-5 方針1", "1-5 方針2",
        "1-6 方針1", "1-6 方針3", "2-1 方針1", "2-1 方針2", "2-2 方針1", "2-2 方針2",
        "2-4 方針1", "2-6 方針1", "2-6 方針2", "2-6 方針3", "4-4 方針2",
    ],
    "産業活性化プロジェクト": [
        "3-1 方針1", "3-2 方針1", "3-2 方針3", "3-3 方針1", "3-3 方針2", "3-3 方針3",
        "2-7 方針2", "3-1 方針2", "3-2 方針2", "7-1 方針2", "7-2 方針2",
        "1-7 方針2", "3-1 方針1", "3-4 方針1", "3-4 方針2", "3-5 方針1",
        "7-3 方針3", "7-4 方針2",
    ],
    "暮らしの安心実現プロジェクト": [
        "1-3 方針3", "5-1 方針1", "5-1 方針2", "5-1 方針3", "5-4 方針2",
        "4-1 方針1", "4-1 方針2", "4-2 方針1", "4-3 方針1", "4-3 方針2", "4-3 方針3",
        "4-4 方針1", "4-4 方針3", "4-5 方針1", "4-5 方針2", "4-6 方針1",
        "4-2 方針2", "5-2 方針1", "5-2 方針2", "5-3 方針1", "5-3 方針2",
    ],
    "共生社会実現プロジェクト": [
        "1-2 方針2", "1-2 方針4", "7-1 方針1", "7-1 方針2", "7-1 方針3",
        "7-1 方針1", "7-1 方針1", "7-1 方針1",
        "1-3 方針2", "2-7 方針2", "2-7 方針3", "7-2 方針1", "7-2 方針2",
    ],
    "ＤＸ推進プロジェクト": [
        "2-3 方針3", "2-6 方針2", "7-4 方針1", "7-4 方針1",
        "1-2 方針2", "3-1 方針1", "3-1 方針2", "7-4 方針1",
        "2-1 方針2", "2-4 方針3", "2-6 方針1", "4-4 方針2", "7-4 方針1", "7-4 方針1",
    ],
}  # fmt: skip
PROJECTS = tuple(IDS)  # the five 重点プロジェクト, in printed order


def _current_and_target(record: Project) -> tuple[str, str]:
    """The 現状値 and 目標値 texts of a record with one indicator (whatever their years)."""
    return only_field(record, "現状値", ANY_YEAR), only_field(record, "目標値", ANY_YEAR)


# ------------------------------------------------------------------ project records


def test_project_count_and_ids_per_project() -> None:
    projects = DOC.projects()
    assert len(projects) == 93
    by_project: dict[str, list[str]] = {}
    for r in projects:
        by_project.setdefault(r.section_path[0], []).append(r.project_id or "")
    assert list(by_project) == list(PROJECTS)
    assert by_project == IDS


def test_project_ids_use_ascii_policy_numbers() -> None:
    for r in DOC.projects():
        assert re.fullmatch(r"\d-\d 方針\d", r.project_id or ""), r.project_id


def test_keys_unique_and_repeated_numbers_suffixed() -> None:
    keys = [r.project_key for r in DOC.records()]
    assert len(keys) == len(set(keys))
    suffixed = [r.project_key for r in DOC.projects() if r.project_key != r.project_id]
    assert len(suffixed) == 93 - len({r.project_id for r in DOC.projects()})
    # 3-1 方針1 is printed twice on the 産業活性化 page (two different indicators).
    assert DOC.by_key("3-1 方針1_2").section_path[0] == "産業活性化プロジェクト"
    assert "ｅスポーツ大規模大会" in only_field(DOC.by_key("3-1 方針1_2"), "成果指標")
    # 7-4 方針1 is printed five times on the ＤＸ page, once per 取組.
    assert only_field(DOC.by_key("7-4 方針1_5"), "取組") == "電子地域通貨 （ＩＳＥＣＡ）の活用"
    assert not any(r.project_key == "7-4 方針1_6" for r in DOC.records())
    assert all(r.project_key == f"section-{i}" for i, r in enumerate(DOC.sections(), 1))


def test_block_1_1_policy_2_field_by_field() -> None:
    r = DOC.by_key("1-1 方針2")
    assert r.project_id == "1-1 方針2"
    # Titled by its 方針; the project and the 重点施策 are the section path.
    assert r.project_name == "子育て環境の整備と施策の充実"
    assert r.department is None
    assert r.section_path == (
        "少子高齢化対策プロジェクト",
        "重点施策 1-1 子どもを産み育てる環境づくりの推進",
    )
    assert r.doc_id == DOC.doc_id and r.city == "伊勢崎市"
    assert r.doc_title == DOC.info.title
    assert [(f.name, f.year) for f in r.fields] == [
        ("方針", None),
        ("成果指標", None),
        ("現状値", "令和５年度"),
        ("目標値", "令和11年度"),
        ("取組の方向性・目指す地域の姿", None),
        ("主な取組", None),
    ]
    assert only_field(r, "方針") == "子育て環境の整備と施策の充実"
    assert only_field(r, "成果指標") == "保育所等及び放課後児童クラブの待機児童数"
    assert _current_and_target(r) == ("待機児童なし", "待機児童なし")
    direction = only_field(r, "取組の方向性・目指す地域の姿")
    assert direction.split("\n")[0] == "結婚・出産・子育てに希望が持てる社会の実現"
    assert "妊娠から出産、子育てまでの切れ目ない支援を行います。" in direction
    assert only_field(r, "主な取組").startswith("電子地域通貨（ＩＳＥＣＡ）等の活用を含む")
    # The group's text is printed once above several rows: kept here, indexed on the section.
    assert [f.name for f in r.fields if f.shared] == ["取組の方向性・目指す地域の姿", "主な取組"]
    assert not any(
        f.shared
        for f in r.fields
        if f.name != "取組の方向性・目指す地域の姿" and f.name != "主な取組"
    )


def test_block_from_the_table_of_the_second_group() -> None:
    r = DOC.by_key("1-2 方針4")
    assert only_field(r, "方針") == "中等教育学校の特徴を生かした教育課程の展開"
    assert only_field(r, "成果指標") == "四ツ葉学園における特色ある教育活動の満足度"
    assert _current_and_target(r) == ("97.6％", "100％")
    assert only_field(r, "取組の方向性・目指す地域の姿").startswith("地域の未来を担う人材育成\n")


def test_torikumi_row_of_a_later_project() -> None:
    # Projects 4–5 print "方針２関係：<取組>" with a 関連事業 column.
    r = DOC.by_key("1-2 方針2_2")
    assert r.project_name == "英語コミュニケーション能力の育成"
    assert r.section_path == ("共生社会実現プロジェクト", "重点施策 1-2 幼児教育・学校教育の充実")
    assert only_field(r, "取組") == "英語コミュニケーション能力の育成"
    assert not r.field_texts("方針")
    assert only_field(r, "関連事業") == "学校教育構想推進事業"
    assert only_field(r, "指標名") == "英語の学習が楽しいと感じている児童・生徒の割合"
    assert only_field(r, "現状値", "令和５年度") == "小学校 87.1％\n中学校 72.2％"
    assert only_field(r, "目標値", "令和11年度") == "小学校 90.0％\n中学校 85.0％"
    assert only_field(r, "取組の方向性・目指す地域の姿").startswith(
        "多文化理解の促進とグローバル人材の育成"
    )


def test_row_with_two_related_businesses() -> None:
    # The second 関連事業 of 2-7 方針3 is printed without its own 重点施策 cell.
    r = DOC.by_key("2-7 方針3")
    assert r.field_texts("関連事業") == ["地域生活支援事業", "障害者センター管理運営事業"]
    assert r.field_texts("指標名") == [
        "障害者理解促進研修・啓発事業への参加者数",
        "障害者センター利用者数",
    ]
    assert r.field_texts("現状値") == ["1,435人", "12,266人"]
    assert r.field_texts("目標値") == ["2,000人", "13,000人"]


def test_indicator_name_split_by_a_stray_space_is_rejoined() -> None:
    r = DOC.by_key("3-1 方針2_2")
    assert r.section_path[0] == "ＤＸ推進プロジェクト"
    assert only_field(r, "関連事業") == "職業訓練事業"
    assert only_field(r, "指標名") == "就労支援セミナー等の講座開催数（ＤＸ人材に関する講座）"
    assert _current_and_target(r) == ("－", "10件")


def test_misprinted_row_label_is_still_a_row() -> None:
    # The PDF prints "重点施悪 1-3" (悪 for 策) for 1-3 方針3 on the 少子高齢化 page.
    assert any(ln.strip() == "重点施悪 1-3" for ln in DOC.text().split("\n"))
    r = DOC.by_key("1-3 方針3")
    assert r.section_path[0] == "少子高齢化対策プロジェクト"
    assert only_field(r, "方針") == "学校施設の整備充実"
    assert only_field(r, "成果指標") == "学校体育館の空調機設置率"


def test_half_width_policy_number() -> None:
    # "方針 1：企業誘致の促進" is the only 方針 with a half-width digit and a space.
    r = DOC.by_key("3-2 方針1")
    assert only_field(r, "方針") == "企業誘致の促進"
    assert only_field(r, "成果指標") == "奨励金等交付件数"
    assert _current_and_target(r) == ("10件", "14件")


def test_values_with_their_own_year() -> None:
    health = DOC.by_key("2-1 方針1")
    assert only_field(health, "現状値", "令和４年") == "男性 79.4歳\n女性 83.7歳"
    assert only_field(health, "目標値", "令和10年") == "男性 79.5歳\n女性 84.1歳"
    cancer = DOC.by_key("2-1 方針2")
    assert only_field(cancer, "成果指標") == "がんの 75歳未満年齢調整死亡率※"
    assert (only_field(cancer, "現状値", "令和４年"), only_field(cancer, "目標値", "令和10年")) == (
        "64.7",
        "58.4",
    )
    # "（累計）" is not a year: it stays in the text and the column's year applies.
    navi = DOC.by_key("2-1 方針2_2")
    assert only_field(navi, "現状値", "令和５年度") == "10,778人（累計）"


def test_header_label_of_the_indicator_column_is_kept() -> None:
    # The 暮らしの安心 pages switch from "成果指標" to "指標名" after the first group.
    assert only_field(DOC.by_key("5-4 方針2"), "成果指標") == "消防団員充足率"
    assert (
        only_field(DOC.by_key("4-1 方針1"), "指標名")
        == "新たに指定する地域地区などの延べ面積（累計）"
    )


def test_every_project_has_policy_indicator_values_and_group() -> None:
    for r in DOC.projects():
        names = [f.name for f in r.fields]
        assert names[0] in ("方針", "取組"), r.project_key
        assert names.count("現状値") == names.count("目標値") >= 1, r.project_key
        assert sum(n in ("成果指標", "指標名") for n in names) == names.count("現状値"), (
            r.project_key
        )
        assert "取組の方向性・目指す地域の姿" in names and "主な取組" in names, r.project_key
        assert all(f.year for f in r.fields if f.name in ("現状値", "目標値")), r.project_key
        assert r.project_name == only_field(r, names[0])
        assert r.section_path[0] in PROJECTS
        assert re.fullmatch(r"重点施策 \d-\d \S.+", r.section_path[1]), r.section_path


def test_group_heading_that_kept_its_bullet() -> None:
    # One group heading is printed "・ 多様な人材…"; the others lost their glyph.
    section = DOC.section("共生社会実現プロジェクト", "基本的方向", "取組の方向性・目指す地域の姿")
    assert [f.name for f in section.fields] == [
        "多文化理解の促進とグローバル人材の育成",
        "外国人への支援体制の構築",
        "多様な人材が活躍できる環境づくり",
    ]
    direction = only_field(DOC.by_key("7-2 方針1"), "取組の方向性・目指す地域の姿")
    assert direction.startswith("多様な人材が活躍できる環境づくり\n男女共同参画の推進や")


# ------------------------------------------------------------------ section records


def test_sections_have_no_project_fields() -> None:
    sections = DOC.sections()
    assert len(sections) == 36
    for s in sections:
        assert s.project_id is None and s.project_name is None and s.department is None
        assert s.section_path and s.fields


def test_introduction_sections() -> None:
    paths = [
        s.section_path for s in DOC.sections() if s.section_path[0] == "１ 重点プロジェクトとは"
    ]
    assert [p[1] for p in paths] == [
        "（１） 重点プロジェクトの位置付け",
        "（２） 伊勢崎市まち・ひと・しごと創生総合戦略としての位置付け",
        "（３） 重点プロジェクトの数値目標",
        "（４） ＳＤＧｓの推進",
        "（５） 重点プロジェクトの構成",
    ]
    first = DOC.section(*paths[0])
    assert only_field(first, "本文").count("\n") == 3  # four paragraphs
    assert only_field(first, "用語解説").startswith("※ＤＸ（デジタル・トランスフォーメーション）：")


def test_diagram_labels_stay_one_per_line() -> None:
    s = DOC.section(
        "１ 重点プロジェクトとは", "（２） 伊勢崎市まち・ひと・しごと創生総合戦略としての位置付け"
    )
    lines = only_field(s, "重点プロジェクトと国の総合戦略の関係").split("\n")
    assert "産業活性化プロジェクト 地方に仕事をつくる しごとの創生" in lines
    assert lines[-1] == "全ての下支え"


def test_project_indicator_tables() -> None:
    overview = DOC.section("１ 重点プロジェクトとは", "（３） 重点プロジェクトの数値目標")
    table = only_field(overview, "プロジェクト指標").split("\n")
    assert table[0] == "プロジェクト指標 | 現状値（令和５年度） | 目標値（令和11年度）"
    assert table[1:3] == [
        "少子高齢化対策プロジェクト",
        "年少人口 | 26,186人（令和５年） | 23,914人（令和11年）",
    ]
    assert "互いに認め合う多文化共生の推進に関する満足度 | 30.2％ | 31.7％" in table
    # The 産業活性化 page lost the ◼ before "プロジェクト指標".
    own = only_field(DOC.section("産業活性化プロジェクト", "プロジェクト指標"), "プロジェクト指標")
    assert own.split("\n") == [
        "指標名 | 現状値（令和５年度） | 目標値（令和11年度） | 解説・算出方法など",
        "従業者数（公務を除く） | 98,564人（令和３年） | 98,600人（令和８年） | "
        "経済センサス活動調査において公表されている市内の民営事業所の従業者数",
        "有効求人倍率 | 1.45倍 | 1.20倍 | 雇用状況を示す指標で、ハローワーク伊勢崎へ"
        "申し込まれている求職者数に対する求人数の割合 ※当該年度の平均値",
    ]


def _table(record: Project, name: str) -> tuple[tuple[str, ...], ...]:
    """The rows of the one field ``name``, checked against the ``cell | cell`` text."""
    tables = [f for f in record.fields if f.name == name]
    assert len(tables) == 1 and tables[0].rows, (record.project_key, name)
    table = tables[0]
    assert table.text.split("\n") == [" | ".join(row) for row in table.rows]
    return table.rows


def test_tables_keep_their_rows_and_columns() -> None:
    own = DOC.section("産業活性化プロジェクト", "プロジェクト指標")
    rows = _table(own, "プロジェクト指標")
    assert rows[0] == (
        "指標名",
        "現状値（令和５年度）",
        "目標値（令和11年度）",
        "解説・算出方法など",
    )
    assert rows[2][:3] == ("有効求人倍率", "1.45倍", "1.20倍")
    overview = DOC.section("１ 重点プロジェクトとは", "（３） 重点プロジェクトの数値目標")
    # A project name heads its indicators as a one-cell row.
    assert _table(overview, "プロジェクト指標")[1:3] == (
        ("少子高齢化対策プロジェクト",),
        ("年少人口", "26,186人（令和５年）", "23,914人（令和11年）"),
    )
    matrix = _table(DOC.section("３ 重点施策との対応"), "重点施策と重点プロジェクトの対応関係")
    assert len(matrix) == 37
    assert matrix[2][:3] == (
        "子育て・教育政策",
        "1-2 幼児教育・学校教育の充実",
        "少子高齢化対策プロジェクト ◎",
    )
    sdgs = DOC.section("１ 重点プロジェクトとは", "（４） ＳＤＧｓの推進")
    assert _table(sdgs, "ＳＤＧｓローカル指標")[0] == (
        "政策",
        "重点施策",
        "ＳＤＧｓ未来都市計画における関連指標",
    )
    # Prose is no table.
    assert not any(f.rows for f in own.fields if f.name != "プロジェクト指標")
    assert not any(f.rows for r in DOC.projects() for f in r.fields)


def test_sdgs_table_rejoins_a_policy_split_over_two_cells() -> None:
    table = only_field(
        DOC.section("１ 重点プロジェクトとは", "（４） ＳＤＧｓの推進"), "ＳＤＧｓローカル指標"
    )
    rows = table.split("\n")
    assert rows[0] == "政策 | 重点施策 | ＳＤＧｓ未来都市計画における関連指標"
    assert len(rows) == 9
    assert rows[-1].startswith(
        "共生・共創・行財政政策 | 7-1 互いに認め合う多文化共生の推進 | 日本語教室の受講者数、"
    )
    assert "6-1 脱炭素社会の推進 | 家庭用脱炭素化設備導入補助金交付件数、" in rows[6]


def test_each_project_has_its_own_sections() -> None:
    for name in PROJECTS:
        paths = [s.section_path[1:] for s in DOC.sections() if s.section_path[0] == name]
        assert paths == [
            ("プロジェクトのねらい",),
            ("プロジェクト指標",),
            ("基本的方向", "地域の実情・課題認識"),
            ("基本的方向", "取組の方向性・目指す地域の姿"),
            ("関連計画",),
            ("用語解説",),
        ], name


def test_project_description_text() -> None:
    aim = only_field(
        DOC.section("共生社会実現プロジェクト", "プロジェクトのねらい"), "プロジェクトのねらい"
    )
    assert aim.startswith("全ての市民が、言語や文化、性別等の違いを理解し認め合い")
    assert aim.endswith("多様な人材が分け隔てなく活躍できるまちを実現します。")
    situation = DOC.section("共生社会実現プロジェクト", "基本的方向", "地域の実情・課題認識")
    # The paragraph runs over a page break (icon label and page number "20").
    assert "取組が求められています。" in only_field(situation, "地域の実情・課題認識")
    plans = only_field(DOC.section("暮らしの安心実現プロジェクト", "関連計画"), "関連計画").split(
        "\n"
    )
    assert len(plans) == 22 and plans[0] == "学校施設長寿命化計画（個別施設計画）"
    assert plans[-1] == "第 11次交通安全計画"


def test_footnotes_are_collected_per_project() -> None:
    notes = only_field(DOC.section("産業活性化プロジェクト", "用語解説"), "用語解説").split("\n")
    assert [n.split("：")[0] for n in notes] == [
        "※関係人口",
        "※ＤＸ（デジタルトランスフォーメーション）",
        "※ｅスポーツ",
        "※デジタルコンテンツ",
    ]
    assert notes[-1].endswith("デジタル化された情報に係るコンテンツ。")
    for r in DOC.projects():
        assert not any(f.text.startswith("※") for f in r.fields), r.project_key


def test_icon_labels_page_numbers_and_placeholders_are_dropped() -> None:
    icons = {name.removesuffix("プロジェクト") for name in PROJECTS}
    for r in DOC.records():
        for f in r.fields:
            for line in f.text.split("\n"):
                assert line not in icons and not re.fullmatch(r"\d+|。", line), (
                    r.project_key,
                    line,
                )
            assert "Ｐ.○" not in f.text and "Ｐ.〇" not in f.text, r.project_key
            assert "けんいん" not in f.text


def test_correspondence_matrix_matches_the_project_rows() -> None:
    """Chapter 3 marks ○ for one 方針/取組 of a 重点施策 in a project, ◎ for more."""
    table = only_field(DOC.section("３ 重点施策との対応"), "重点施策と重点プロジェクトの対応関係")
    rows = table.split("\n")[1:]
    assert len(rows) == 36
    assert rows[1] == (
        "子育て・教育政策 | 1-2 幼児教育・学校教育の充実 | 少子高齢化対策プロジェクト ◎ | "
        "共生社会実現プロジェクト ◎ | ＤＸ推進プロジェクト ○"
    )
    counts = Counter(((r.project_id or "")[:3], r.section_path[0]) for r in DOC.projects())
    for row in rows:
        cells = row.split(" | ")
        measure = cells[1][:3]
        marks = dict(c.rsplit(" ", 1) for c in cells[2:])
        for name in PROJECTS:
            n = counts[(measure, name)]
            assert marks.get(name, "") == ("" if n == 0 else "○" if n == 1 else "◎"), (
                measure,
                name,
            )


# ------------------------------------------------------------------ whole document


def test_no_html_and_no_empty_field() -> None:
    for r in DOC.records():
        assert r.fields, r.project_key
        for f in r.fields:
            assert f.text.strip() and f.text == f.text.strip(), (r.project_key, f.name)
            assert not HTML_TAG.search(f.text), (r.project_key, f.name)
            assert "\t" not in f.text and "  " not in f.text, (r.project_key, f.name)


def test_no_printed_word_is_lost() -> None:
    """Every printed token is in some field, path or id, except known noise."""
    records = DOC.records()
    haystack = re.sub(
        r"[\s（）()]",
        "",
        "".join(
            "".join(r.section_path)
            + (r.project_id or "")
            + "".join(f.name + f.text + (f.year or "") for f in r.fields)
            for r in records
        ),
    )
    noise = {"Ｐ.○", "Ｐ.〇", "けんいん", "重点施悪", "重点プロジェクトの構成イメージ"}
    lost = []
    for line in DOC.text().split("\n"):
        for token in line.split():
            word = re.sub(r"^(?:方針[0-9０-９]+(?:関係)?：|[・◼➢])|[【】（）()]", "", token)
            if word and word not in noise and not word.startswith("1：") and word not in haystack:
                lost.append(token)
    assert lost == []


def test_parse_is_fast() -> None:
    assert parse_seconds(parse, DOC) < 1.0
