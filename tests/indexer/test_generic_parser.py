"""The layout-independent parser (``generic``) on the real corpus, against each document's own
parser, and on a plan in a shape none of the five has; ``auto`` picks the right layout."""

from __future__ import annotations

import pytest

from eval.generic import agreement_of
from indexer.parsing import GENERIC, detect_layout, parse_document, parser_for
from indexer.records import DocumentInfo, Project
from tests.conftest import CORPUS, documents

DOC_IDS = sorted(documents())


def _generic(doc_id: str) -> dict[str, Project]:
    doc = documents()[doc_id]
    text = (CORPUS / doc.file).read_text(encoding="utf-8")
    return {r.project_key: r for r in parser_for(GENERIC)(text, doc)}


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_generic_finds_the_projects_of_each_documents_own_parser(doc_id: str):
    doc = documents()[doc_id]
    found = agreement_of((CORPUS / doc.file).read_text(encoding="utf-8"), doc)
    # The issue asks for 0.90; the parser reaches 1.0 on all five, so a drop shows here.
    assert found["recall"] >= 0.99, found["missed"]
    assert found["precision"] >= 0.99, found["extra"]
    assert found["generic"] == found["own"]


@pytest.mark.parametrize(
    ("doc_id", "key", "name", "department", "path_end"),
    [
        (
            "isesaki-jisshi-r3",
            "34",
            "放課後児童健全育成事業",
            "子育て支援課",
            "1-2-1 子ども・子育て支援の充実",
        ),
        (
            "isesaki-gyokaku-r2-r5",
            "1-(1)-③",
            "証明書コンビニ交付サービスの推進",
            "市民部市民課",
            "(1) 行政運営の効率化の推進",
        ),
        (
            "isesaki-manifesto-r6",
            "1-(1)-①",
            "誘致企業等を含め市内企業との連携を進め、新たな関係を構築します。",
            "企業誘致課",
            "(1) 企業支援",
        ),
        (
            "isehara-chuki-r3-r4",
            "1-102",
            "食育推進事業",
            "保健福祉部 健康づくり課",
            "施策 01 心と体の健康づくりの推進",
        ),
        (
            "isesaki-action-plan-r7",
            "1-1 方針2",
            "子育て環境の整備と施策の充実",
            None,
            "重点施策 1-1",
        ),
    ],
)
def test_generic_records_carry_number_name_department_and_place(
    doc_id: str, key: str, name: str, department: str | None, path_end: str
):
    record = _generic(doc_id)[key]
    assert (record.kind, record.project_id, record.project_name) == ("project", key, name)
    assert record.department == department
    assert record.section_path[-1] == path_end
    assert record.fields and all(f.text for f in record.fields)


def test_generic_reads_named_fields_per_fiscal_year():
    jisshi = _generic("isesaki-jisshi-r3")["34"]
    plans = {f.year: f.text for f in jisshi.fields if f.name == "事業計画"}
    assert set(plans) == {"令和3年度", "令和4年度", "令和5年度"}
    assert "民設民営クラブへの事業委託" in plans["令和4年度"]
    manifesto = _generic("isesaki-manifesto-r6")["1-(1)-①"]
    labels = [f.label for f in manifesto.fields]
    assert "主な取組 令和4年度" in labels and "取組予定 令和6年度" in labels
    assert manifesto.field_texts("実施状況") == ["B"]
    isehara = _generic("isehara-chuki-r3-r4")["1-102"]
    steps = [f for f in isehara.fields if f.name == "事業行程" and f.year == "令和4年度"]
    assert any(f.text.startswith("若い世代を中心とした食育の推進:") for f in steps)


def test_text_outside_projects_becomes_sections_under_their_headings():
    sections = [r for r in _generic("isesaki-gyokaku-r2-r5").values() if r.kind == "section"]
    assert sections and all(r.project_id is None for r in sections)
    # The introduction of 大項目 1, printed between the contents and the first 取組項目 page,
    # is searchable text of its own (its path is the last heading printed before it: the
    # pages do not repeat the 大項目 headings).
    intro = [r for r in sections if "合理的な組織運営づくりと効率的" in r.fields[0].text]
    assert len(intro) == 1 and intro[0].section_path[-1] == "(6) 安心安全社会の実現"
    assert all(r.section_path for r in sections[1:])


NEW_CITY = """\
第2章 分野別の取組

1 子どもと子育て

（1） 保育の充実

事業No. ①\t病児保育拡充事業\t（こども部 保育課）
目的\t病気の子どもを預かる施設を増やし、働く保護者を支えます。
事業費\t令和6年度\t令和7年度
\t12,000千円\t15,000千円

事業No. ②\t一時預かり事業\t（こども部 保育課）
目的\t短時間の預かりを全ての保育所で受け付けます。

（2） 子育て相談

事業No. ①\t子育て相談窓口運営事業\t（こども部 子育て支援課）
目的\t妊娠期から子育て期まで一つの窓口で相談を受けます。

2 健康

（1） 健診

事業No. ①\tがん検診推進事業\t（健康部 健康づくり課）
目的\t受診率を高めるため休日検診を行います。
"""


def test_a_plan_of_another_shape_reads_with_generic_and_auto_says_so():
    assert detect_layout(NEW_CITY) == GENERIC
    doc = DocumentInfo(
        "kiryu-jisshi-r6", "桐生市", "実施計画", "令和6〜7年度", "x.txt", layout="auto"
    )
    records = parse_document(NEW_CITY, doc)
    projects = {r.project_id: r for r in records if r.kind == "project"}
    assert list(projects) == ["1-(1)-①", "1-(1)-②", "1-(2)-①", "2-(1)-①"]
    first = projects["1-(1)-①"]
    assert (first.project_name, first.department) == ("病児保育拡充事業", "こども部 保育課")
    assert first.section_path == ("第2章 分野別の取組", "1 子どもと子育て", "(1) 保育の充実")
    assert first.field_texts("目的") == ["病気の子どもを預かる施設を増やし、働く保護者を支えます。"]
    assert {f.year: f.text for f in first.fields if f.name == "事業費"} == {
        "令和6年度": "12,000千円",
        "令和7年度": "15,000千円",
    }
    assert projects["2-(1)-①"].department == "健康部 健康づくり課"


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_auto_picks_each_documents_own_layout(doc_id: str):
    from indexer.parsing import DEFAULT_LAYOUTS

    text = (CORPUS / documents()[doc_id].file).read_text(encoding="utf-8")
    assert detect_layout(text) == DEFAULT_LAYOUTS[doc_id]
