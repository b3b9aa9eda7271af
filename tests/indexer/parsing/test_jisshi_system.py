"""Parser of 伊勢崎市 実施計画（令和3年度版） (isesaki-jisshi-r3): parts 1 and 2.

The 施策体系 tables of 第2部 that place every project, and the section records of
第1部 and 第2部; the project blocks of 第3部 are in test_jisshi.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from indexer.parsing.jisshi import read_placements

from .conftest import ParsedDocument

DOC = ParsedDocument("isesaki-jisshi-r3")
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
    assert DOC.by_id("7").field_texts("施策体系")[0].split("\n") == [
        "健康・医療分野 › 1-1-1 健康づくりと疾病予防の推進 › ② 母子保健サービスの充実"
        " › ● 乳幼児健診の充実・強化",
        "健康・医療分野 › 1-1-1 健康づくりと疾病予防の推進 › ② 母子保健サービスの充実"
        " › ● 発達支援、就学支援、虐待予防など関係機関との連携の強化",
    ]
    assert len(DOC.by_id("11").field_texts("施策体系")[0].split("\n")) == 2
    lines_243 = DOC.by_id("243").field_texts("施策体系")[0].split("\n")
    bunya_243 = [line.split(" › ")[0] for line in lines_243]
    assert bunya_243 == ["教育分野", "教育分野", "協働・共生分野"]
    multiple = [p.project_key for p in DOC.projects() if "\n" in p.field_texts("施策体系")[0]]
    assert len(multiple) == 67


def test_continuation_rows_inherit_main_initiative() -> None:
    # Row "<TAB>4<TAB>不育症治療助成事業<TAB>51" belongs to "● 妊娠出産支援の充実".
    assert DOC.by_id("4").field_texts("施策体系")[0].endswith("› ● 妊娠出産支援の充実")
    assert DOC.by_id("4").section_path[-1] == "② 母子保健サービスの充実"


def test_priority_program_table() -> None:
    for project_id in ("342", "343"):
        assert DOC.by_id(project_id).section_path == ("まちづくり重点プログラム",)
        assert DOC.by_id(project_id).field_texts("施策体系") == ["まちづくり重点プログラム"]


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
    assert DOC.by_id("315").project_name == "議場システム更新事業"


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
    assert DOC.by_id("242").section_path[:2] == ("教育分野", "4-1-1 幼児・学校教育の充実")
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


def test_part_2_tables_keep_their_rows_and_columns() -> None:
    # 3-1-1 ② as printed: a project cell spans two 主な取組 rows that print no number.
    (measures,) = [
        f
        for s in DOC.sections()
        if s.section_path[1:] == ("3-1-1 危機管理体制の充実",)
        for f in s.fields
        if f.name == "施策の展開と主な取組"
    ]
    assert measures.rows[0] == ("① 総合的な危機管理体制の充実", "事業番号", "事業名", "ページ")
    assert ("", "180", "災害時協力協定締結推進事業", "109") in measures.rows
    assert measures.rows[-4:] == (
        ("● 自主防災組織などの強化", "182", "地域防災力向上事業", "110"),
        ("● 実践的な防災訓練の実施による地域防災力の強化", "", "", ""),
        ("● 地域防災リーダーの育成", "", "", ""),
        ("● 避難行動要支援者情報の充実", "183", "要配慮者支援対策事業", "110"),
    )
    # The text, which is embedded, is the rows' non-empty cells, as before the rows were kept.
    assert measures.text.split("\n") == [" | ".join(c for c in r if c) for r in measures.rows]


def test_every_table_of_part_2_keeps_its_rows() -> None:
    part_2 = [s for s in DOC.sections() if s.section_path[0] in BUNYA]
    tables = [f for s in part_2 for f in s.fields]
    assert tables and all(f.rows for f in tables)
    indicators = [f for f in tables if f.name.startswith("まちづくりの指標")]
    assert len(indicators) == 41  # one per 施策
    assert all(f.rows[0][:2] == ("指標名", "基準値 (H30年度)") for f in indicators)
    assert all(len(set(map(len, f.rows))) == 1 for f in tables)  # every row as wide as its header
