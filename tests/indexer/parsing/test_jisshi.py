"""Parser of 伊勢崎市 実施計画（令和3年度版） (isesaki-jisshi-r3), on the real corpus file.

Records and the 第3部 project blocks; parts 1 and 2 are in test_jisshi_system.py.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from indexer.parsing.jisshi import parse

from .conftest import HTML_TAG, ParsedDocument, assert_document_info_copied, parse_seconds

DOC = ParsedDocument("isesaki-jisshi-r3")
YEARS = ("令和3年度", "令和4年度", "令和5年度")
BLOCK_LABELS = {
    "事業番号",
    "担当課",
    "重点P",
    "事業名",
    "事業概要",
    "実施目的",
    "具体的方法",
    "事業計画",
}


def _plan(project_id: str) -> dict[str, str]:
    """year → 事業計画 text of one project."""
    fields = [f for f in DOC.by_id(project_id).fields if f.name == "事業計画"]
    assert len({f.year for f in fields}) == len(fields), "one 事業計画 field per year"
    return {f.year: f.text for f in fields}


# --------------------------------------------------------------------------- whole document


def test_project_count_and_ids_in_document_order() -> None:
    ids = [p.project_id for p in DOC.projects()]
    assert ids == [str(n) for n in range(1, 344)]


def test_keys_unique_and_equal_project_ids() -> None:
    records = DOC.records()
    keys = [r.project_key for r in records]
    assert len(keys) == len(set(keys))
    assert all(p.project_key == p.project_id for p in DOC.projects())


def test_sections_precede_projects_and_are_numbered_in_order() -> None:
    kinds = [r.kind for r in DOC.records()]
    assert kinds == ["section"] * len(DOC.sections()) + ["project"] * 343
    assert [s.project_key for s in DOC.sections()] == [
        f"section-{n}" for n in range(1, len(DOC.sections()) + 1)
    ]


def test_document_info_copied_to_every_record() -> None:
    assert_document_info_copied(DOC)


def test_every_record_has_non_empty_plain_text_fields() -> None:
    for record in DOC.records():
        assert record.fields, record.project_key
        for field in record.fields:
            assert field.name and field.text.strip(), (record.project_key, field.name)
            assert not HTML_TAG.search(field.text), (record.project_key, field.name)
            assert "<" not in field.text, (record.project_key, field.name)
            assert "\t" not in field.text, (record.project_key, field.name)
            assert field.text == field.text.strip()
            assert "" not in field.text.split("\n"), (record.project_key, field.name)


def test_names_and_departments_normalized() -> None:
    for project in DOC.projects():
        assert project.project_name
        assert not re.search(r"[\t\n]| {2}", project.project_name), project.project_key
        assert project.department, project.project_key
        assert not re.search(r"\s{2}|[\t\n]", project.department), project.project_key


def test_parse_is_fast() -> None:
    assert parse_seconds(parse, DOC) < 1.0


# --------------------------------------------------------------------------- known blocks

# 事業名, 担当課 and section_path (分野 › 施策 › 施策の展開 of the first listing) of blocks.
HEADINGS = {
    "1": (
        "健康づくりの拠点整備事業",
        "健康づくり課",
        "健康・医療分野 › 1-1-1 健康づくりと疾病予防の推進 › ① 市民の主体的な健康づくりへの支援",
    ),
    "39": (
        "ファミリー・サポート・センター事業",
        "こども保育課",
        "福祉分野 › 1-2-1 子ども・子育て支援の充実 › ① 子育て環境の充実",
    ),
}


@pytest.mark.parametrize("project_id", list(HEADINGS))
def test_block_heading(project_id: str) -> None:
    name, department, path = HEADINGS[project_id]
    project = DOC.by_id(project_id)
    assert project.project_name == name
    assert project.department == department
    assert project.section_path == tuple(path.split(" › "))


def test_block_1() -> None:
    project = DOC.by_id("1")
    assert project.field_texts("重点プログラム") == ["重点1（夢・希望応援プログラム）"]
    assert "新保健センターを整備します" in project.field_texts("実施目的")[0]
    assert "設計委託等の準備を進めます" in project.field_texts("具体的方法")[0]
    plan = _plan("1")
    assert tuple(plan) == YEARS
    assert plan["令和3年度"].split("\n") == [
        "●建設検討委員会・建設推進会議の開催",
        "●新保健センター施設の検討",
        "●新保健センター設計業務委託",
    ]
    assert "●新保健センター工事業務委託" in plan["令和5年度"].split("\n")


def test_block_39() -> None:
    project = DOC.by_id("39")
    assert [f.label for f in project.fields] == [
        "重点プログラム",
        "実施目的",
        "具体的方法",
        "事業計画 令和3年度",
        "事業計画 令和4年度",
        "事業計画 令和5年度",
        "施策体系",
    ]
    assert "子育て中の家庭を支援し" in project.field_texts("実施目的")[0]
    assert "援助会員を紹介します" in project.field_texts("具体的方法")[0]
    assert "●講習会・交流会の開催" in _plan("39")["令和4年度"].split("\n")


def test_block_34_from_readme() -> None:
    project = DOC.by_id("34")
    assert project.project_name == "放課後児童健全育成事業"
    assert project.department == "子育て支援課"
    assert "放課後児童クラブの充実に努めます" in project.field_texts("実施目的")[0]


def test_department_with_bureau_prefix() -> None:
    assert DOC.by_id("22").department == "経営企画部総務課"


def test_program_field_only_when_printed() -> None:
    with_program = [p for p in DOC.projects() if p.field_texts("重点プログラム")]
    assert len(with_program) == 260  # 83 blocks leave 重点P empty
    assert DOC.by_id("26").field_texts("重点プログラム") == []
    assert DOC.by_id("342").field_texts("重点プログラム") == [
        "重点1、2、3（夢・希望応援プログラム、くらし安心プログラム、魅力向上プログラム）"
    ]
    assert DOC.by_id("243").field_texts("重点プログラム") == [
        "重点1、3（夢・希望応援プログラム、魅力向上プログラム）"
    ]


# --------------------------------------------------------------------------- 事業概要 quirks


def test_shifted_overview_cells_of_block_19() -> None:
    # 実施目的 and 具体的方法 labels are adjacent and the only text follows 具体的方法.
    project = DOC.by_id("19")
    assert project.project_name == "伊勢崎市民病院器械器具整備事業"
    assert project.department == "財務課"
    assert project.field_texts("実施目的") == []
    assert project.field_texts("具体的方法") == [
        "地域の中核病院として質の高い医療を市民に提供できるよう耐用年数が経過した医療器械を順次買い替えます。"
    ]
    assert _plan("19")["令和3年度"] == "●通常医療器械の更新\n●手術支援ロボットダヴィンチ更新"


@pytest.mark.parametrize(
    ("project_id", "purpose", "method"),
    [
        ("121", "県道境島村今泉線を結ぶ", "道路拡幅に伴う関係者の同意を得て"),
        ("127", "あずま小学校、あずま中学校", "道路整備（L=440m）を行います"),
        ("202", "消防車両を計画的に整備し", "消防用車両及び積載資機材を計画的に整備します"),
    ],
)
def test_method_on_label_row_purpose_on_next_row(
    project_id: str, purpose: str, method: str
) -> None:
    project = DOC.by_id(project_id)
    assert purpose in project.field_texts("実施目的")[0]
    assert method in project.field_texts("具体的方法")[0]
    assert method not in project.field_texts("実施目的")[0]


def test_texts_on_label_row() -> None:
    project = DOC.by_id("7")
    assert project.field_texts("実施目的")[0].startswith("全ての子どもを対象とする健康診査")
    assert project.field_texts("具体的方法")[0].startswith("4か月、1歳6か月、3歳児健康診査")


def test_merged_cell_with_two_paragraphs_is_split() -> None:
    project = DOC.by_id("212")
    assert project.field_texts("実施目的") == [
        "有害物質（化学物質、生物剤、核、放射線、爆発物）によるテロ及び事故（CBRNE）発生時に備えて、"
        "特殊災害時の対応力強化を図ります。"
    ]
    assert project.field_texts("具体的方法")[0].startswith("各有害物質ごとの危険性と初動対応要領")
    assert DOC.by_id("343").field_texts("実施目的")[0].startswith("全国的な人口減少")


def test_merged_cell_with_one_paragraph_stays_method() -> None:
    project = DOC.by_id("342")
    assert project.field_texts("実施目的") == []
    assert "移住支援金を交付します" in project.field_texts("具体的方法")[0]


def test_every_project_has_an_overview() -> None:
    for project in DOC.projects():
        assert project.field_texts("具体的方法"), project.project_key


# --------------------------------------------------------------------------- 事業計画 quirks


def test_plan_fields_are_per_year() -> None:
    counts = Counter()
    for project in DOC.projects():
        for field in project.fields:
            assert (field.name == "事業計画") == (field.year is not None), (
                project.project_key,
                field,
            )
            if field.year:
                assert field.year in YEARS
        counts[len(project.field_texts("事業計画"))] += 1
    assert counts == {3: 304, 2: 16, 1: 23}


@pytest.mark.parametrize(
    ("project_id", "years"),
    [
        ("18", ("令和3年度",)),  # completed in 令和3年度
        ("24", ("令和3年度",)),  # (令和2年度事業完了)
        ("63", ("令和4年度", "令和5年度")),  # 令和3年度 cell empty
        ("117", ("令和4年度",)),
        ("270", ("令和4年度",)),
        ("285", ("令和4年度",)),
    ],
)
def test_only_years_with_content(project_id: str, years: tuple[str, ...]) -> None:
    assert tuple(_plan(project_id)) == years


def test_completed_project_note_kept() -> None:
    assert _plan("24") == {"令和3年度": "(令和2年度事業完了)"}
    assert _plan("18")["令和3年度"].endswith("●工事監理業務委託 (事業完了)")


@pytest.mark.parametrize("project_id", ["28", "124", "136", "214"])
def test_year_label_on_a_wrapped_row(project_id: str) -> None:
    # 令和5年度 is printed on a continuation row, its text below or beside it.
    plan = _plan(project_id)
    assert tuple(plan) == YEARS
    assert plan["令和5年度"] == plan["令和4年度"]


def test_lost_year_label_read_in_year_order() -> None:
    # 事業番号 142 prints only 令和3年度 and 令和4年度 above three texts.
    plan = _plan("142")
    assert tuple(plan) == YEARS
    assert "●耐震管更新工事の設計委託及び工事" in plan["令和3年度"]
    assert "上水道相互連絡管" not in plan["令和3年度"]
    assert "●耐震管更新、上水道相互連絡管工事の設計委託及び工事" in plan["令和5年度"]
    assert tuple(_plan("144")) == YEARS


def test_repeated_cell_not_duplicated() -> None:
    # 事業番号 26 prints the same cell four times under three year labels.
    for year, text in _plan("26").items():
        assert text == "●対象世帯の調査、届出勧奨・照会文書送付\n●返戻者への実態調査の実施", year


def test_off_grid_sub_list_joins_previous_year() -> None:
    plan = _plan("201")
    assert plan["令和5年度"] == "●赤堀消防署庁舎改修工事\n○外部改修工事\n○空調設備交換工事"
    assert "○外部改修工事" not in plan["令和4年度"]


def test_nested_html_list_one_item_per_line() -> None:
    assert _plan("202")["令和3年度"].split("\n") == [
        "●車両の購入",
        "○水槽付消防ポンプ自動車（東消防署）",
        "○資機材運搬車（消防本部）",
        "●救助工作車積載資機材更新",
    ]


def test_plan_rows_spread_over_several_lines() -> None:
    plan = _plan("148")
    assert plan["令和4年度"].split("\n")[::2] == [
        "●木造住宅耐震改修補助事業",
        "●木造住宅部分耐震改修補助事業",
        "●耐震シェルター等設置補助事業",
    ]


# --------------------------------------------------------------------------- nothing lost


def _blocks(text: str) -> dict[str, str]:
    """Raw text of each project block (up to the colophon), keyed by 事業番号."""
    part = text[text.index("\n第3部 実施計画事業\n") :].split("\n第2次伊勢崎市総合計画\n")[0]
    return {b.split("\t")[1]: b for b in re.split(r"\n(?=事業番号\t)", part)[1:]}


def test_every_word_of_each_block_ends_up_in_its_record() -> None:
    blocks = _blocks(DOC.text())
    assert len(blocks) == 343
    for project in DOC.projects():
        own = "\n".join([project.project_name or "", project.department or ""])
        own += "\n".join(f.text for f in project.fields)
        raw = re.sub(r"<[^>]+>", " ", blocks[project.project_key])
        for word in re.split(r"[\s●○]+", raw):
            if (
                word
                and word not in BLOCK_LABELS
                and word not in YEARS
                and word != project.project_key
            ):
                assert word in own, (project.project_key, word)
