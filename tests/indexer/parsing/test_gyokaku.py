"""Parser of 伊勢崎市行政改革推進計画取組結果報告書 (isesaki-gyokaku-r2-r5), real corpus."""

from __future__ import annotations

import re

import pytest

from indexer.parsing.gyokaku import parse, toc_entries

from .conftest import (
    HTML_TAG,
    ParsedDocument,
    assert_document_info_copied,
    only_field,
    parse_seconds,
)

DOC = ParsedDocument("isesaki-gyokaku-r2-r5")
YEARS = ("令和2年度", "令和3年度", "令和4年度", "令和5年度")

# Number of 取組項目 per 中項目, per 大項目, as printed in the table of contents.
ITEMS_PER_MIDDLE = {
    1: (5, 2, 1, 4, 2, 1, 2, 1, 1),
    2: (1, 3, 1, 1, 1, 1, 3, 1, 2),
    3: (2, 1, 1, 1, 1),
    4: (1, 1, 1),
    5: (2, 1, 1, 1, 1, 7),
}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


def _expected_ids() -> list[str]:
    return [
        f"{major}-({middle})-{CIRCLED[n]}"
        for major, counts in ITEMS_PER_MIDDLE.items()
        for middle, count in enumerate(counts, 1)
        for n in range(count)
    ]


# --- counts, ids, table of contents ----------------------------------------------------


def test_counts() -> None:
    assert len(DOC.projects()) == 55
    # 1 legend table + 5 大項目 introductions + 32 中項目 introductions
    assert len(DOC.sections()) == 38


def test_project_ids_in_document_order() -> None:
    assert [r.project_id for r in DOC.projects()] == _expected_ids()


def test_keys_unique_and_equal_to_ids() -> None:
    keys = [r.project_key for r in DOC.records()]
    assert len(keys) == len(set(keys))
    assert all(r.project_key == r.project_id for r in DOC.projects())
    assert [r.project_key for r in DOC.sections()] == [f"section-{n}" for n in range(1, 39)]


def test_table_of_contents_lists_exactly_the_parsed_items() -> None:
    toc = toc_entries(DOC.text())
    assert len(toc) == 55
    assert [(e.project_id, e.name) for e in toc] == [
        (r.project_id, r.project_name) for r in DOC.projects()
    ]
    # Independent check on the raw text: the contents rows ``① | name | page``.
    raw_rows = re.findall(r"^[①-⑳]\t[^\t\n]+\t(?:R\d追加 )?\d+$", DOC.text(), re.M)
    assert len(raw_rows) == 55


def test_toc_marks_items_added_later() -> None:
    notes = {e.project_id: e.note for e in toc_entries(DOC.text()) if e.note}
    assert notes == {
        "1-(1)-④": "R2追加",
        "1-(1)-⑤": "R3追加",
        "1-(5)-②": "R3追加",
        "2-(2)-③": "R4追加",
        "2-(9)-②": "R2追加",
        "5-(6)-⑦": "R3追加",
    }


def test_items_added_later_have_no_results_before_their_year() -> None:
    years = {f.year for f in DOC.by_key("1-(1)-⑤").fields if f.year}
    assert years == {"令和3年度", "令和4年度", "令和5年度"}
    years = {f.year for f in DOC.by_key("2-(2)-③").fields if f.year}
    assert years == {"令和4年度", "令和5年度"}


# --- section paths -----------------------------------------------------------------------


def test_major_headings_come_from_the_table_of_contents() -> None:
    majors = [p.section_path[0] for p in DOC.projects()]
    assert list(dict.fromkeys(majors)) == [
        "1 効率的で効果的な行政運営",
        "2 安定的な財政運営",
        "3 市民協働の推進",
        "4 人財の育成と適正な人事管理、定員管理",
        "5 市民サービスの向上",
    ]
    # The body itself never prints them.
    assert "\n1 効率的で効果的な行政運営\n" in DOC.text().split("《 目 次 》")[1][:200]
    assert DOC.text().count("1 効率的で効果的な行政運営") == 1


def test_section_path_uses_body_heading_where_toc_differs() -> None:
    # The contents say 行政コスト「削減」の推進, the body heading says 「縮減」.
    toc = {e.project_id: e for e in toc_entries(DOC.text())}
    assert toc["2-(9)-①"].middle == "(9) 行政コスト削減の推進"
    assert DOC.by_key("2-(9)-①").section_path == ("2 安定的な財政運営", "(9) 行政コスト縮減の推進")


def test_every_project_path_has_major_and_matching_middle() -> None:
    for rec in DOC.projects():
        major, middle = rec.section_path
        major_no, middle_no, _ = rec.project_id.split("-")
        assert major.startswith(f"{major_no} ")
        assert middle.startswith(f"{middle_no} ")


# --- real blocks field by field ------------------------------------------------------


def test_block_1_1_3_convenience_store_certificates() -> None:
    rec = DOC.by_key("1-(1)-③")
    assert rec.project_name == "証明書コンビニ交付サービスの推進"
    assert rec.department == "市民部市民課"
    assert rec.section_path == ("1 効率的で効果的な行政運営", "(1) 行政運営の効率化の推進")
    assert "平成28年10月から導入" in only_field(rec, "取組内容")
    assert "対象証明書のコンビニ交付率 10.0%" in only_field(rec, "5年後までの目標 (目指すべき姿)")
    assert "証明交付件数 24,156 件 交付率 10.5 %" in only_field(rec, "取組成果", "令和3年度")
    assert only_field(rec, "取組達成度", "令和2年度") == "○ ほぼ計画通り"
    assert only_field(rec, "取組達成度", "令和3年度") == "◎ 計画以上"
    # <p> paragraphs become separate lines.
    status = only_field(rec, "取組状況", "令和2年度").split("\n")
    assert status[0].startswith("① 市民課来庁者への啓発用品の配布")
    assert status[1].startswith("② 交付時来庁方式")
    for name in ("取組状況", "取組成果", "取組達成度", "取組課題と次年度以降の方針"):
        assert [f.year for f in rec.fields if f.name == name] == list(YEARS)


def test_block_1_1_1_plan_table_aligned_by_header() -> None:
    rec = DOC.by_key("1-(1)-①")
    assert rec.project_name == "管路・施設情報管理台帳の一元化"
    assert rec.department == "上下水道局総務課"
    assert only_field(rec, "取組工程").split("\n") == [
        "・管路台帳システムの構築 | 令和2年度: システム構築等 | 令和3年度: 運用開始",
        "・施設台帳システムの構築 | 令和2年度: システム構築等 | 令和4年度: 運用開始",
        "・アセットマネジメントシステムの構築 | 令和2年度: システム構築等 | 令和4年度: 運用開始",
    ]
    assert "東京都に事務所を置く委託業者" in only_field(
        rec, "取組課題と次年度以降の方針", "令和2年度"
    )
    assert only_field(rec, "取組達成度", "令和2年度") == "△ 計画以下"
    # Only dashes in the 財政効果額 rows: no financial-effect fields at all.
    assert not any(f.name.startswith("財政効果額") for f in rec.fields)


def test_block_1_1_4_financial_effect_and_unlabelled_list() -> None:
    rec = DOC.by_key("1-(1)-④")
    assert rec.department == "企画部情報政策課"
    assert only_field(rec, "財政効果額(歳出)", "令和2年度") == "104,307 (千円)"
    assert only_field(rec, "財政効果額(歳出)", "令和5年度") == "125,374 (千円)"
    # A <ul> without <li> or bullets: items split after 。
    assert only_field(rec, "5年後までの目標 (目指すべき姿)").split("\n") == [
        "標準技術の採用や共通化を進め、情報システムの費用対効果を高めます。",
        "自治体クラウドや仮想化等の効率的な調達方法を推進します。",
        "業務システムの延命化を図ります。",
        "基幹系情報システム標準化への円滑な移行を図ります。",
    ]
    # Header has three leading cells here; the 令和5年度 step must not slide a column.
    assert (
        "・最適化の推進 | 令和2年度: 調査・検討 | 令和3年度: 内部情報SYS構築 調査・検討 | "
        "令和4年度: 運用 | 令和5年度: 財務会計システム構築 | 令和6年度: 運用"
    ) in only_field(rec, "取組工程")


def test_block_5_6_7_last_item() -> None:
    rec = DOC.by_key("5-(6)-⑦")
    assert rec.project_name == "空家等対策推進事業"
    assert rec.department == "建設部住宅課"
    assert rec.section_path == ("5 市民サービスの向上", "(6) 安心安全社会の実現")
    assert (
        "移住者支援空き家改修補助金の創設 | 令和3年度: 検討・創設 | 令和4年度: 実施・検証"
    ) in only_field(rec, "取組工程")
    assert "空き家セミナーは法務局によるものが参加者152人" in only_field(
        rec, "取組成果", "令和5年度"
    )


def test_departments_as_printed() -> None:
    assert DOC.by_key("1-(5)-②").department == "議会事務局庶務課、議事調査課"
    assert DOC.by_key("3-(1)-①").department == "企画部事務管理課、企画部企画調整課"
    assert DOC.by_key("2-(7)-③").department == "経営企画部医療サービス課"
    assert all(r.department for r in DOC.projects())


# --- quirks ------------------------------------------------------------------------------


def test_glued_number_and_label_quirk() -> None:
    glued = re.findall(r"^No\.\t([①-⑳]) 取組項目\t([^\t]+)", DOC.text(), re.M)
    assert glued == [
        ("①", "指定管理者制度の適正な導入・活用の推進"),
        ("①", "情報セキュリティの適正管理"),
    ]
    rec = DOC.by_key("1-(2)-①")
    assert rec.project_name == "指定管理者制度の適正な導入・活用の推進"
    assert rec.department == "企画部事務管理課、施設所管課"
    assert "指定管理者制度の導入・活用を推進します" in only_field(rec, "取組内容")
    assert "・導入施設数 40施設" in only_field(rec, "取組状況", "令和2年度")
    rec = DOC.by_key("1-(6)-①")
    assert rec.project_name == "情報セキュリティの適正管理"
    assert rec.department == "企画部情報政策課"
    assert rec.section_path[1] == "(6) 情報セキュリティの適正管理"
    assert "・情報漏えい対策の徹底" in only_field(rec, "5年後までの目標 (目指すべき姿)").split("\n")


def test_plan_label_glued_into_step_cell() -> None:
    # ``取組工程 ・市民協働による…`` is one cell: the row label must not leak into the step.
    plan = only_field(DOC.by_key("3-(3)-①"), "取組工程")
    assert plan == (
        "・市民協働による施設管理の検討・実施 | 令和2年度: 検討 | 令和3年度: 検討 | "
        "令和4年度: 検討 | 令和5年度: 検討 | 令和6年度: 実施"
    )
    assert not any(
        "取組工程" in f.text or "取組 工程" in f.text for r in DOC.projects() for f in r.fields
    )


def test_unlabelled_second_line_rows_are_merged() -> None:
    rec = DOC.by_key("2-(2)-③")
    assert only_field(rec, "財政効果額(歳入)", "令和4年度") == "6,421 (千円)\nネーミングライツ料"
    assert only_field(rec, "財政効果額(歳入)", "令和5年度") == "19,360 (千円)\nネーミングライツ料"
    plan = only_field(DOC.by_key("2-(9)-①"), "取組工程")
    assert "令和4年度: 再選定6施設 更新11施設" in plan


def test_angle_bracket_text_is_not_taken_for_html() -> None:
    assert "<R2年度電気料>" in only_field(DOC.by_key("2-(9)-①"), "取組成果", "令和2年度")


def test_achievement_symbols_spelled_out() -> None:
    texts = [f.text for r in DOC.projects() for f in r.fields if f.name == "取組達成度"]
    assert len(texts) == 215
    assert all(re.fullmatch(r"[◎○△×] (計画以上|ほぼ計画通り|計画以下|進捗なし)", t) for t in texts)


# --- generic contract ---------------------------------------------------------------------


def test_no_html_left() -> None:
    for rec in DOC.records():
        for f in rec.fields:
            assert not HTML_TAG.search(f.text), (rec.project_key, f.label)
            assert "list-style-type" not in f.text


def test_fields_non_empty_and_plain() -> None:
    for rec in DOC.records():
        assert rec.fields, rec.project_key
        for f in rec.fields:
            assert f.name and f.text.strip(), (rec.project_key, f.label)
            assert "\t" not in f.text
            assert "\n\n" not in f.text
            assert f.text not in ("—", "-"), (rec.project_key, f.label)
            assert f.year in (None, *YEARS)


def test_names_normalized() -> None:
    for rec in DOC.projects():
        assert rec.project_name
        assert re.search(r"[\t\n]| {2}", rec.project_name) is None
        assert not rec.project_name.startswith(tuple(CIRCLED))


def test_project_fields_have_the_expected_labels() -> None:
    labels = {f.name for r in DOC.projects() for f in r.fields}
    assert labels == {
        "取組内容",
        "5年後までの目標 (目指すべき姿)",
        "取組工程",
        "財政効果額(歳入)",
        "財政効果額(歳出)",
        "取組状況",
        "取組成果",
        "取組達成度",
        "取組課題と次年度以降の方針",
    }


def test_doc_metadata() -> None:
    assert_document_info_copied(DOC)


def test_sections() -> None:
    sections = DOC.sections()
    for rec in sections:
        assert rec.project_id is None and rec.project_name is None and rec.department is None
        assert [f.name for f in rec.fields] == ["本文"]
        assert len(rec.fields[0].text) < 2000
    legend = sections[0]
    assert legend.section_path == ()
    assert "各年度に実施した取組内容を記載しています。" in legend.fields[0].text
    assert sections[1].section_path == ("1 効率的で効果的な行政運営",)
    assert sections[1].fields[0].text.startswith("社会経済情勢の変化や多様化する市民のニーズ")
    assert [s.section_path for s in sections if len(s.section_path) == 1] == [
        (m,) for m in dict.fromkeys(p.section_path[0] for p in DOC.projects())
    ]
    # Cover page and table of contents are skipped.
    everything = "\n".join(f.text for r in DOC.records() for f in r.fields)
    assert "伊 勢 崎 市" not in everything and "目 次" not in everything
    assert "取 組 項 目" not in everything and "R3追加" not in everything


def test_document_order() -> None:
    keys = [r.project_key for r in DOC.records()]
    intro = next(
        r.project_key for r in DOC.sections() if r.section_path[-1:] == ("(2) 民間活力の活用",)
    )
    assert keys.index("1-(1)-⑤") < keys.index(intro) < keys.index("1-(2)-①")


def test_no_body_word_lost() -> None:
    """Every word of the body (after the contents) ends up in some record."""
    text = DOC.text()
    body = text[text.index("\t令和2年度\t令和3年度") :]
    body = re.sub(r"<ul[^>]*>|</ul>|</?p>", " ", body)
    recs = DOC.records()
    blob = "".join(
        "".join([r.project_id or "", r.project_name or "", r.department or "", *r.section_path])
        + "".join(f.name + f.text for f in r.fields)
        for r in recs
    )
    blob = re.sub(r"\s+", "", blob)
    missing = {w for w in body.split() if w not in blob}
    # Only row labels and the dash placeholders of empty financial effects.
    assert missing <= {"No.", "取組項目", "担当部課", "具体的な取組事項", "—", "-"}


def test_parse_is_fast() -> None:
    assert parse_seconds(parse, DOC) < 1.0


@pytest.mark.parametrize("key", ["1-(1)-②", "3-(5)-①", "5-(1)-②"])
def test_every_block_has_plan_and_four_years(key: str) -> None:
    rec = DOC.by_key(key)
    assert only_field(rec, "取組工程")
    for year in YEARS:
        assert only_field(rec, "取組状況", year)
        assert only_field(rec, "取組課題と次年度以降の方針", year)


def test_the_plan_table_keeps_its_rows_under_their_years() -> None:
    # 1-(1)-④ prints 「具体的な取組事項 | 令和2年度 … 令和6年度」; 「・最適化の推進」 has a
    # cell in every year, 「・基幹系情報システム標準化」 in 令和2年度 and 令和4年度 only.
    (plan,) = [f for f in DOC.by_key("1-(1)-④").fields if f.name == "取組工程"]
    assert plan.rows[0] == (
        "具体的な取組事項",
        "令和2年度",
        "令和3年度",
        "令和4年度",
        "令和5年度",
        "令和6年度",
    )
    assert plan.rows[-1] == (
        "・基幹系情報システム標準化",
        "仕様策定・仕様調整",
        "",
        "移行準備・検討",
        "",
        "",
    )
    # The text (what is embedded) names each cell's year, as before the rows were kept.
    assert plan.text.split("\n")[-1] == (
        "・基幹系情報システム標準化 | 令和2年度: 仕様策定・仕様調整 | 令和4年度: 移行準備・検討"
    )
    plans = [f for r in DOC.projects() for f in r.fields if f.name == "取組工程"]
    assert plans and all(len(f.rows) == len(f.text.split("\n")) + 1 for f in plans)
