"""Parser for isesaki-manifesto-r6 (市長マニフェストの達成状況), on the real corpus file."""

from __future__ import annotations

import re

from indexer.records import Field
from indexer.textclean import strip_html_lists

from .conftest import ParsedDocument, only_field

DOC = ParsedDocument("isesaki-manifesto-r6")
TITLE = "市長マニフェストの達成状況（令和6年3月末時点）"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

SANGYO = "1. 産業支援 “ものづくりの復権”"
GYOSEI = "8. 行政運営"
GYOZAIKAKU = "(2) 行財政改革"


def _run(code: str, n: int) -> list[str]:
    return [f"{code}-{c}" for c in CIRCLED[:n]]


# Items per 小分野 as printed; 6-(3) skips ⑮ and 8-(2) prints ⑯ twice.
EXPECTED_IDS = [
    *_run("1-(1)", 7), *_run("1-(2)", 3), *_run("1-(3)", 3), *_run("1-(4)", 7),
    *_run("2-(1)", 6), *_run("2-(2)", 3), *_run("2-(3)", 1), *_run("2-(4)", 10),
    *_run("3-(1)", 11),
    *_run("4-(1)", 3), *_run("4-(2)", 2), *_run("4-(3)", 5), *_run("4-(4)", 3),
    *_run("4-(5)", 10), *_run("4-(6)", 3),
    *_run("5-(1)", 5), *_run("5-(2)", 5), *_run("5-(3)", 4),
    *_run("6-(1)", 2), *_run("6-(2)", 3), *_run("6-(3)", 14), "6-(3)-⑯",
    *_run("7-(1)", 5),
    *_run("8-(1)", 1), *_run("8-(2)", 16), *_run("8-(2)", 20)[15:],
]  # fmt: skip

A = "A : 達成（進捗率100%）"
B = "B : おおむね達成（進捗率75%程度）"
C = "C : 一部達成（進捗率50%程度）"
D = "D : 検討・準備中（進捗率25%程度）"
YEARS = [("主な取組", "令和3年度まで"), ("主な取組", "令和4年度"), ("主な取組", "令和5年度"),
         ("取組予定", "令和6年度")]  # fmt: skip


# --- counts, ids, keys -------------------------------------------------------------


def test_project_count_includes_both_items_numbered_16():
    assert len(EXPECTED_IDS) == 138
    assert len(DOC.projects()) == 138


def test_project_ids_in_document_order():
    assert [p.project_id for p in DOC.projects()] == EXPECTED_IDS


def test_keys_unique_and_second_16_suffixed():
    keys = [r.project_key for r in DOC.records()]
    assert len(keys) == len(set(keys))
    first, second = DOC.by_key("8-(2)-⑯"), DOC.by_key("8-(2)-⑯_2")
    assert first.project_id == second.project_id == "8-(2)-⑯"
    assert first.project_name == "女性職員の活躍推進と幹部への登用を進めます"
    assert second.project_name == "業務のデジタル化に向けて早期の対応を図ります"
    assert [p.project_key for p in DOC.projects() if p.project_key != p.project_id] == ["8-(2)-⑯_2"]


def test_6_3_skips_15_as_printed():
    ids = [p.project_id for p in DOC.projects() if p.project_id.startswith("6-(3)-")]
    assert ids[-2:] == ["6-(3)-⑭", "6-(3)-⑯"]
    assert (
        DOC.by_key("6-(3)-⑯").project_name
        == "リユース食器の活用など、プラスチックごみの削減を図ります"
    )


def test_document_info_copied():
    for r in DOC.records():
        assert (r.doc_id, r.city, r.doc_title) == (DOC.doc_id, "伊勢崎市", TITLE)


# --- real blocks -------------------------------------------------------------------


def test_first_item_field_by_field():
    p = DOC.by_key("1-(1)-①")
    assert p.project_name == "誘致企業等を含め市内企業との連携を進め、新たな関係を構築します。"
    assert p.department == "企業誘致課"
    assert p.section_path == (SANGYO, "(1) 企業支援")
    assert p.related == ("2-2-3①③",)
    assert only_field(p, "関連事業") == "2-2-3①③ 進出企業と市内企業との協業支援 企業誘致事業"
    assert [(f.name, f.year) for f in p.fields] == [("関連事業", None), *YEARS, ("実施状況", None)]
    assert (
        only_field(p, "主な取組", "令和3年度まで").splitlines()[0]
        == "・企業立地促進奨励金を助成しました。"
    )
    assert "マッチングイベントを開催しました" in only_field(p, "主な取組", "令和4年度")
    assert only_field(p, "取組予定", "令和6年度") == "・令和5年度までの取組を引き続き実施します。"
    assert only_field(p, "実施状況") == B


def test_continuation_rows_merged_into_item():
    p = DOC.by_key("1-(1)-②")
    assert p.department == "企画調整課、商工労働課、企業誘致課"
    assert p.related == ("2-2-2②②",)  # the two other rows print —
    assert only_field(p, "関連事業") == "2-2-2②② 技術開発や製品開発への支援 中小企業振興対策事業"
    r3 = only_field(p, "主な取組", "令和3年度まで")
    assert "ふるさと寄附金謝礼品募集リーフレット" in r3  # first row
    assert "伝統的工芸品や伝統工芸士" in r3  # second row
    assert "タグ化して提供しました" in r3  # third row
    assert only_field(p, "実施状況").splitlines() == [
        f"企画調整課 | {A}",
        f"商工労働課 | {B}",
        f"企業誘致課 | {A}",
    ]
    assert DOC.by_key("1-(1)-③").project_name.startswith("コロナ対策としての事業者支援")


def test_sdgs_and_multi_department_cells():
    p = DOC.by_key("2-(3)-①")
    assert p.department == "社会福祉課、子育て支援課、学校教育課（～R4年度） 学務課（R5年度以降）"
    assert only_field(p, "SDGs").splitlines()[0].startswith("1 人権について")
    assert only_field(DOC.by_key("4-(3)-⑤"), "SDGs") == "9 11"


def test_headings_recognised_by_numbering_not_marks():
    # ``## (2) 観光交流`` (a 小分野 with two #), ``(3) 労働力確保対策`` (no mark at all),
    # ``## 2. 子育て・教育環境の充実`` (a 分野 with two #).
    assert DOC.by_key("1-(2)-①").section_path == (SANGYO, "(2) 観光交流")
    assert DOC.by_key("1-(3)-①").section_path == (SANGYO, "(3) 労働力確保対策")
    assert DOC.by_key("2-(1)-①").section_path == (
        "2. 子育て・教育環境の充実",
        "(1) 時代に合わせた子育て支援",
    )
    assert DOC.by_key("8-(2)-⑳").section_path == (GYOSEI, GYOZAIKAKU)
    assert all(
        len(p.section_path) == 2 and not p.section_path[0].startswith("#") for p in DOC.projects()
    )


def test_two_codes_in_one_related_cell():
    p = DOC.by_key("8-(2)-⑯_2")
    assert p.related == ("5-2-1⑩1", "5-2-1⑩2")
    assert only_field(p, "関連事業").splitlines() == [
        "5-2-1⑩1 事務事業の見直し・効率化",
        "5-2-1⑩2 ICT（情報通信技術）の活用 ICT推進基本方針策定事業",
    ]


def test_related_codes_deduplicated_in_order():
    assert DOC.by_key("4-(5)-①").related == ("2-1-4①①", "2-1-4①③", "2-1-4①②")
    assert DOC.by_key("3-(1)-①").related == ("5-1-1②①",)  # printed on two rows
    assert DOC.by_key("2-(1)-③").related == ("1-1-1❶1",)


# --- conversion quirks -------------------------------------------------------------


def test_status_glued_to_department_is_split():
    p = DOC.by_key("6-(1)-①")  # last cells printed as ``A 管財課`` | ``""``
    assert p.department == "管財課"
    assert only_field(p, "実施状況") == A
    assert "関連事業" not in [f.name for f in p.fields]
    assert DOC.by_key("6-(2)-①").department == "文化財保護課"
    assert only_field(DOC.by_key("6-(2)-①"), "実施状況") == C


def test_rows_shifted_left_are_realigned():
    # Two continuation rows of 2-(4)-⑩ lost their leading cell:
    # ``— | "" | … | A | 学校教育課 | ""``.
    p = DOC.by_key("2-(4)-⑩")
    assert p.department == "スポーツ振興課、学校教育課、生涯学習課"
    assert only_field(p, "実施状況").splitlines()[1:] == [f"学校教育課 | {A}", f"生涯学習課 | {B}"]
    assert "市立幼稚園から「絵本大好き」" in only_field(p, "主な取組", "令和3年度まで")
    assert "公民館と地域団体が連携し" in only_field(p, "主な取組", "令和5年度")
    # Same defect in 8-(2)-⑥: its 交通政策課 row ends up with the R6 plan in the R6 column.
    p = DOC.by_key("8-(2)-⑥")
    assert only_field(p, "実施状況").splitlines() == [f"事務管理課 | {A}", f"交通政策課 | {B}"]
    assert "ダイヤ改正" in only_field(p, "取組予定", "令和6年度")
    assert "デマンド交通" in only_field(p, "主な取組", "令和4年度")


def test_row_with_surplus_cell_is_realigned():
    # ``"" | — | "" | — | — | … | D 商工労働課``: one cell too many and status glued.
    p = DOC.by_key("5-(3)-③")
    assert p.department == "障害福祉課、商工労働課"
    assert only_field(p, "実施状況").splitlines() == [f"障害福祉課 | {A}", f"商工労働課 | {D}"]
    assert "伊勢崎駅自由通路" in only_field(p, "主な取組", "令和4年度")


def test_names_displaced_one_row_up_in_8_2_are_moved_back():
    digital = DOC.by_key("8-(2)-⑯_2")
    assert digital.department == "事務管理課、情報政策課"
    r3 = only_field(digital, "主な取組", "令和3年度まで")
    assert "ぴったりサービス" in r3 and "RPAを導入しました" in r3
    p = DOC.by_key("8-(2)-⑰")
    assert p.project_name == "国庫補助事業の積極的な活用をすべての部局で推進します"
    assert p.department == "企画調整課 財政課"
    assert "国庫補助金の積極的な活用" in only_field(p, "主な取組", "令和3年度まで")
    assert "公民館を窓口とし" in only_field(DOC.by_key("8-(2)-⑱"), "主な取組", "令和4年度")
    assert "支所" in only_field(DOC.by_key("8-(2)-⑲"), "取組予定", "令和6年度")
    p = DOC.by_key("8-(2)-⑳")
    assert p.department == "行政課"
    assert only_field(p, "実施状況") == D
    assert "行政区の適正規模への見直し" in only_field(p, "取組予定", "令和6年度")
    assert all(p.project_name != "—" and "—" not in p.project_id for p in DOC.projects())


def test_ownerless_fragment_row_goes_to_next_item():
    # The row 「採用計画を策定しました」 (no related project, status or department)
    # stands just above ② 「…採用計画を策定します」.
    assert "採用計画を策定しました" in only_field(
        DOC.by_key("8-(2)-②"), "主な取組", "令和3年度まで"
    )
    assert "採用計画" not in only_field(DOC.by_key("8-(2)-①"), "主な取組", "令和3年度まで")
    assert DOC.by_key("8-(2)-①").department == "企画調整課、事務管理課"


def test_item_with_only_dashes_keeps_its_text():
    p = DOC.by_key("4-(5)-④")
    assert p.department is None
    assert p.fields == (
        Field("マニフェスト", "④苗ヶ島飯土井線の延伸に合わせ、波志江スマートIC周辺整備を図ります"),
    )


def test_dash_department_means_none():
    assert DOC.by_key("2-(4)-⑥").department is None
    assert DOC.by_key("2-(4)-⑦").department is None


def test_run_on_bullets_split_but_middle_dot_kept():
    lines = only_field(DOC.by_key("2-(4)-⑩"), "主な取組", "令和3年度まで").splitlines()
    assert (
        "・小学校・中学校においても、楽しみながら体を動かすことできる授業の充実に努めました。"
        in lines
    )
    assert "・スポーツ協会ホームページをリニューアルしました。" in lines


# --- section records ---------------------------------------------------------------


def test_legend_is_a_section():
    sections = [r for r in DOC.records() if r.kind == "section"]
    assert [s.project_key for s in sections] == ["section-1"]
    (legend,) = sections
    assert DOC.records()[0] is legend
    assert (legend.project_id, legend.project_name, legend.department) == (None, None, None)
    assert legend.section_path == (TITLE,)
    assert legend.fields == (Field("実施状況", "\n".join([A, B, C, D, "E : 未着手（進捗率0%）"])),)


# --- whole-document invariants -----------------------------------------------------


def test_every_project_has_fields_and_none_empty():
    for p in DOC.projects():
        assert p.fields, p.project_key
        assert p.project_name and p.section_path, p.project_key
        for f in p.fields:
            assert f.text.strip(), (p.project_key, f.label)
            assert "—" not in f.text.splitlines(), (p.project_key, f.label)


def test_no_html_and_clean_names():
    tag = re.compile(r"</?(?:ul|li|p)\b|style=")
    for r in DOC.records():
        for f in r.fields:
            assert not tag.search(f.text), (r.project_key, f.label)
        if r.project_name:
            assert not re.search(r"[\t\n]| {2}", r.project_name), r.project_key
            assert r.project_name[0] not in CIRCLED, r.project_key


def test_year_fields_are_labelled_per_year():
    for p in DOC.projects():
        years = [(f.name, f.year) for f in p.fields if f.year]
        assert years == [y for y in YEARS if y in years], p.project_key
    assert sum(1 for p in DOC.projects() if len([f for f in p.fields if f.year]) == 4) == 119
    # Items whose year cells are all ``—`` or empty, as printed.
    for key in ("4-(5)-④", "7-(1)-④", "8-(2)-③"):
        assert not [f for f in DOC.by_key(key).fields if f.year], key
    assert [f.year for f in DOC.by_key("6-(3)-⑦").fields if f.year] == ["令和3年度まで"]


def test_no_cell_content_lost():
    """Every word of every data cell of the corpus file ends up in some record."""
    out = "".join(
        [f.text for r in DOC.records() for f in r.fields]
        + [r.project_name or "" for r in DOC.records()]
        + [r.department or "" for r in DOC.records()]
    )
    out = re.sub(r"\s+", "", out)
    text = DOC.text()
    for line in text.splitlines():
        cells = line.split("\t")
        if len(cells) < 2 or re.sub(r"\s", "", cells[0]) == "マニフェスト":
            continue  # headings and the repeated table header
        for cell in cells:
            for word in strip_html_lists(cell).split():
                word = word.lstrip(CIRCLED)  # item numbers live in project_id
                assert word in ("", "—", "<実施状況>") or word in out, word
