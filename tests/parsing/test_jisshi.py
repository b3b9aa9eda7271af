"""Parser of 伊勢崎市 実施計画（令和3年度版） (isesaki-jisshi-r3), on the real corpus file."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest

from indexer.parsing.jisshi import parse, read_placements
from indexer.records import Project

from .conftest import HTML_TAG, ParsedDocument, assert_document_info_copied, parse_seconds

DOC = ParsedDocument("isesaki-jisshi-r3")
YEARS = ("令和3年度", "令和4年度", "令和5年度")
BUNYA = (
    "健康・医療分野",
    "福祉分野",
    "都市基盤分野",
    "産業・観光分野",
    "安心安全分野",
    "環境分野",
    "教育分野",
    "生涯学習・スポーツ・文化分野",
    "協働・共生分野",
    "行財政分野",
    "まちづくり重点プログラム",
)
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


def _project(project_id: str) -> Project:
    return next(p for p in DOC.projects() if p.project_id == project_id)


def _plan(project_id: str) -> dict[str, str]:
    """year → 事業計画 text of one project."""
    fields = [f for f in _project(project_id).fields if f.name == "事業計画"]
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
    project = _project(project_id)
    assert project.project_name == name
    assert project.department == department
    assert project.section_path == tuple(path.split(" › "))


def test_block_1() -> None:
    project = _project("1")
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
    project = _project("39")
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
    project = _project("34")
    assert project.project_name == "放課後児童健全育成事業"
    assert project.department == "子育て支援課"
    assert "放課後児童クラブの充実に努めます" in project.field_texts("実施目的")[0]


def test_department_with_bureau_prefix() -> None:
    assert _project("22").department == "経営企画部総務課"


def test_program_field_only_when_printed() -> None:
    with_program = [p for p in DOC.projects() if p.field_texts("重点プログラム")]
    assert len(with_program) == 260  # 83 blocks leave 重点P empty
    assert _project("26").field_texts("重点プログラム") == []
    assert _project("342").field_texts("重点プログラム") == [
        "重点1、2、3（夢・希望応援プログラム、くらし安心プログラム、魅力向上プログラム）"
    ]
    assert _project("243").field_texts("重点プログラム") == [
        "重点1、3（夢・希望応援プログラム、魅力向上プログラム）"
    ]


# --------------------------------------------------------------------------- 事業概要 quirks


def test_shifted_overview_cells_of_block_19() -> None:
    # 実施目的 and 具体的方法 labels are adjacent and the only text follows 具体的方法.
    project = _project("19")
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
    project = _project(project_id)
    assert purpose in project.field_texts("実施目的")[0]
    assert method in project.field_texts("具体的方法")[0]
    assert method not in project.field_texts("実施目的")[0]


def test_texts_on_label_row() -> None:
    project = _project("7")
    assert project.field_texts("実施目的")[0].startswith("全ての子どもを対象とする健康診査")
    assert project.field_texts("具体的方法")[0].startswith("4か月、1歳6か月、3歳児健康診査")


def test_merged_cell_with_two_paragraphs_is_split() -> None:
    project = _project("212")
    assert project.field_texts("実施目的") == [
        "有害物質（化学物質、生物剤、核、放射線、爆発物）によるテロ及び事故（CBRNE）発生時に備えて、"
        "特殊災害時の対応力強化を図ります。"
    ]
    assert project.field_texts("具体的方法")[0].startswith("各有害物質ごとの危険性と初動対応要領")
    assert _project("343").field_texts("実施目的")[0].startswith("全国的な人口減少")


def test_merged_cell_with_one_paragraph_stays_method() -> None:
    project = _project("342")
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


# --------------------------------------------------------------------------- 施策体系


def test_every_project_placed_from_the_tables() -> None:
    placements = read_placements(DOC.text())
    assert set(placements) == {str(n) for n in range(1, 344)}
    for project in DOC.projects():
        first = placements[project.project_id][0]
        assert project.section_path == first.path, project.project_key
        assert project.section_path[0] in BUNYA
        lines = project.field_texts("施策体系")[0].split("\n")
        assert lines[0] == first.line
        assert (
            len(lines) == len(set(lines)) == len({p.line for p in placements[project.project_key]})
        )


def test_bunya_counts_match_summary_in_part_1() -> None:
    # "■ 健康・医療分野 …………… 32事業": the 分野 mapping reproduces the printed counts.
    printed = {m[0]: int(m[1]) for m in re.findall(r"■ (\S+) …+ (\d+)事業", DOC.text())}
    assert set(printed) == set(BUNYA)
    counts: Counter[str] = Counter()
    for project in DOC.projects():
        lines = project.field_texts("施策体系")[0].split("\n")
        counts.update({line.split(" › ")[0] for line in lines})
    assert counts == printed


def test_projects_listed_several_times() -> None:
    assert _project("7").field_texts("施策体系")[0].split("\n") == [
        "健康・医療分野 › 1-1-1 健康づくりと疾病予防の推進 › ② 母子保健サービスの充実"
        " › ● 乳幼児健診の充実・強化",
        "健康・医療分野 › 1-1-1 健康づくりと疾病予防の推進 › ② 母子保健サービスの充実"
        " › ● 発達支援、就学支援、虐待予防など関係機関との連携の強化",
    ]
    assert len(_project("11").field_texts("施策体系")[0].split("\n")) == 2
    lines_243 = _project("243").field_texts("施策体系")[0].split("\n")
    bunya_243 = [line.split(" › ")[0] for line in lines_243]
    assert bunya_243 == ["教育分野", "教育分野", "協働・共生分野"]
    multiple = [p.project_key for p in DOC.projects() if "\n" in p.field_texts("施策体系")[0]]
    assert len(multiple) == 67


def test_continuation_rows_inherit_main_initiative() -> None:
    # Row "<TAB>4<TAB>不育症治療助成事業<TAB>51" belongs to "● 妊娠出産支援の充実".
    assert _project("4").field_texts("施策体系")[0].endswith("› ● 妊娠出産支援の充実")
    assert _project("4").section_path[-1] == "② 母子保健サービスの充実"


def test_priority_program_table() -> None:
    for project_id in ("342", "343"):
        assert _project(project_id).section_path == ("まちづくり重点プログラム",)
        assert _project(project_id).field_texts("施策体系") == ["まちづくり重点プログラム"]


def test_listed_names_match_block_names_except_known_typos() -> None:
    def norm(name: str) -> str:
        return unicodedata.normalize("NFKC", name).replace(" ", "")

    names = {p.project_id: p.project_name for p in DOC.projects()}
    mismatched = {
        pid: {p.listed_name for p in listed if norm(p.listed_name) != norm(names[pid])}
        for pid, listed in read_placements(DOC.text()).items()
    }
    assert {pid: n for pid, n in mismatched.items() if n} == {
        "41": {"こども家庭相談支援センター事業"},
        "65": {"介護認定・給付費の適正化事業"},
        "238": {"(仮称)あすま南小学校区近隣公園整備事業"},
        "315": {"講場システム更新事業"},
        "326": {"いせさき聖苑空調設備改修工事業"},
        "335": {"第2次伊勢崎市総合計画進行管理事業"},
    }
    assert _project("315").project_name == "議場システム更新事業"


# --------------------------------------------------------------------------- sections


def test_section_records_have_no_project_data() -> None:
    sections = DOC.sections()
    assert len(sections) == 86  # 3 chapters, 41 施策 × (展開 table, 指標 table), 重点P table
    for section in sections:
        assert section.project_id is None
        assert section.project_name is None
        assert section.department is None
        assert section.section_path


def test_part_1_chapters() -> None:
    chapters = [s for s in DOC.sections() if s.section_path[0] == "第1部 実施計画の概要"]
    assert [s.section_path[1] for s in chapters] == [
        "1 総合計画の構成と期間",
        "2 実施計画の対象事業",
        "3 進行管理",
    ]
    assert [f.name for f in chapters[0].fields] == ["本文", "基本構想", "基本計画", "実施計画"]
    assert "ローリング方式" in chapters[0].field_texts("実施計画")[0]
    body = chapters[1].field_texts("本文")[0]
    assert "■ 健康・医療分野 …………… 32事業 | ■ 教育分野 …………… 11事業" in body.split("\n")
    assert "※分野間には事業の重複があります。" in body
    assert chapters[1].field_texts("まちづくり重点プログラム") == [
        "夢・希望応援プログラム …… 重点1\n"
        "くらし安心プログラム …… 重点2\n"
        "魅力向上プログラム …… 重点3"
    ]


def test_part_2_tables_per_measure() -> None:
    sections = DOC.sections()
    measures = {s.section_path[1] for s in sections if s.section_path[0] in BUNYA[:-1]}
    assert len(measures) == 41  # "後期基本計画の分野別計画の41施策"
    path = ("健康・医療分野", "1-1-1 健康づくりと疾病予防の推進")
    first = [s for s in sections if s.section_path == path]
    assert [f.name for s in first for f in s.fields] == [
        "施策の展開と主な取組",
        "まちづくりの指標（成果指標）",
    ]
    table = first[0].fields[0].text.split("\n")
    assert table[0] == "① 市民の主体的な健康づくりへの支援 | 事業番号 | 事業名 | ページ"
    assert "● 健康の日の普及と健康情報の提供" in table  # 主な取組 without a project
    assert "4 | 不育症治療助成事業 | 51" in table
    indicators = first[1].fields[0].text.split("\n")
    assert "3歳児健診受診率 | 94.3% | 94.6% | 95.0% | 3歳児健康診査を受けた幼児の割合" in indicators


def test_indicator_heading_with_half_width_parentheses_kept() -> None:
    names = Counter(f.name for s in DOC.sections() for f in s.fields)
    assert names["まちづくりの指標（成果指標）"] == 40
    assert names["まちづくりの指標(成果指標)"] == 1


def test_education_heading_does_not_break_the_bunya_mapping() -> None:
    # "教育分野" is printed as a standalone heading before 4-1-1; the list order agrees.
    section = next(
        s for s in DOC.sections() if s.section_path[1:] == ("4-1-1 幼児・学校教育の充実",)
    )
    assert section.section_path[0] == "教育分野"
    assert _project("242").section_path[:2] == ("教育分野", "4-1-1 幼児・学校教育の充実")
    # The standalone headings are headings, not rows of the table printed before them.
    for record in DOC.sections():
        for field in record.fields:
            assert not set(field.text.split("\n")) & set(BUNYA), record.project_key


def test_cover_toc_and_colophon_skipped() -> None:
    everything = "\n".join(
        " ".join(r.section_path) + "\n" + "\n".join(f.name + " " + f.text for f in r.fields)
        for r in DOC.records()
    )
    noise_words = ("目 次", "夢ふくらみ", "3月発行", "編集・発行", "0270-24-5111", "〒372-8501")
    for noise in (*noise_words, "第3部"):
        assert noise not in everything, noise


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


def test_every_word_of_parts_1_and_2_ends_up_in_a_section() -> None:
    text = DOC.text()
    start = text.index("\n第1部 実施計画の概要\n")
    end = text.index("\n第3部 実施計画事業\n")
    sections = "\n".join(
        " ".join(s.section_path) + "\n" + "\n".join(f.name + "\n" + f.text for f in s.fields)
        for s in DOC.sections()
    )
    for line in text[start:end].split("\n"):
        if line.startswith(("- ", "第1部", "第2部")):
            continue  # the part's own contents list and the part headings
        for word in re.split(r"[\s\t]+", line):
            assert word in sections, word
