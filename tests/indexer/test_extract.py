"""File formats into corpus text (indexer.extract): encodings, refusals with a message."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from indexer.extract import (
    EmptyDocumentError,
    NoTextLayerError,
    UnknownFormatError,
    extract_text,
)
from indexer.extract.errors import ExtractError
from tests.conftest import CORPUS

SAMPLE = "事業番号\t34\t担当課\t子育て支援課\n事業名\t放課後児童健全育成事業\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_text_in_utf8_or_shift_jis_reads_the_same(tmp_path: Path, encoding: str):
    path = tmp_path / "plan.txt"
    path.write_bytes(SAMPLE.replace("\n", "\r\n").encode(encoding))
    assert extract_text(path) == SAMPLE


def test_markdown_is_text_and_a_corpus_file_is_unchanged(tmp_path: Path):
    corpus_file = CORPUS / "isesaki-manifesto-r6.txt"
    md = tmp_path / "plan.md"
    md.write_bytes(corpus_file.read_bytes())
    text = extract_text(md)
    assert text.startswith("## 市長マニフェストの達成状況")
    original = corpus_file.read_text(encoding="utf-8")
    kept = "\n".join(line.rstrip(" ") for line in original.splitlines()).strip("\n")
    assert text == kept + "\n"  # only trailing blanks and blank edges go


def test_unknown_format_lists_the_known_ones(tmp_path: Path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"PK")
    known = r"unknown format '\.xlsx'; known: \.docx, \.markdown, \.md, \.pdf, \.txt"
    with pytest.raises(UnknownFormatError, match=known):
        extract_text(path)


def test_empty_and_undecodable_files_are_refused(tmp_path: Path):
    empty = tmp_path / "empty.md"
    empty.write_text(" \n\n", encoding="utf-8")
    with pytest.raises(EmptyDocumentError, match="holds no text"):
        extract_text(empty)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(128, 256)) * 4)
    with pytest.raises(ExtractError, match="neither UTF-8 nor Shift_JIS"):
        extract_text(binary)


def test_a_scanned_pdf_says_it_needs_ocr(tmp_path: Path):
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.rect(50, 50, 400, 600, fill=1)  # a page image stands in for the scan: no text at all
    pdf.showPage()
    pdf.save()
    with pytest.raises(NoTextLayerError, match=r"no text layer .* run OCR"):
        extract_text(path)


# -- round trips: real corpus text written as a PDF (ruled tables, a Japanese CID font) or a
# .docx, read back, parsed into the same projects ------------------------------------------


def _tables_and_lines(text: str) -> list[list[list[str]] | str]:
    """The text as blocks: a run of tab-separated lines is one table (rows padded to one
    width, as a table is printed), any other line stays a line."""
    blocks: list[list[list[str]] | str] = []
    for line in text.split("\n"):
        if "\t" in line:
            if not blocks or isinstance(blocks[-1], str):
                blocks.append([])
            table = blocks[-1]
            assert isinstance(table, list)
            table.append(line.split("\t"))
        else:
            blocks.append(line)
    for block in blocks:
        if isinstance(block, list):
            width = max(len(row) for row in block)
            for row in block:
                row.extend([""] * (width - len(row)))
    return blocks


def write_pdf(text: str, path: Path) -> None:
    """``text`` as a landscape A4 PDF in HeiseiKakuGo-W5: ruled tables, wrapped cells."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    style = ParagraphStyle("ja", fontName="HeiseiKakuGo-W5", fontSize=7, leading=9)
    style.wordWrap = "CJK"
    width = landscape(A4)[0] - 20 * mm
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, "black"),
            ("LEFTPADDING", (0, 0), (-1, -1), 1),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ]
    )
    story: list[object] = []
    for block in _tables_and_lines(text):
        if isinstance(block, str):
            story.append(Paragraph(escape(block), style) if block.strip() else Spacer(1, 6))
            continue
        columns = len(block[0])
        weights = [max(6, *(len(row[i]) for row in block)) for i in range(columns)]
        widths = [24 + (width - 24 * columns) * w / sum(weights) for w in weights]
        table = Table([[Paragraph(escape(c), style) for c in row] for row in block], widths)
        table.setStyle(grid)
        story.append(table)
    margins = {"leftMargin": 10 * mm, "rightMargin": 10 * mm}
    SimpleDocTemplate(str(path), pagesize=landscape(A4), **margins).build(story)


def write_docx(text: str, path: Path) -> None:
    """``text`` as a Word file: tables for the tab-separated runs, paragraphs otherwise."""
    import docx

    document = docx.Document()
    for block in _tables_and_lines(text):
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        table = document.add_table(rows=len(block), cols=len(block[0]))
        for row, cells in zip(table.rows, block, strict=True):
            for cell, value in zip(row.cells, cells, strict=True):
                cell.text = value
    document.save(str(path))


def jisshi_excerpt(last: int = 40) -> str:
    """第3部 of the 実施計画 up to 事業番号 ``last``: 40 projects of real corpus text."""
    lines = (CORPUS / "isesaki-jisshi-r3.txt").read_text(encoding="utf-8").split("\n")
    start = lines.index("第3部 実施計画事業")
    end = next(i for i, line in enumerate(lines) if line.startswith(f"事業番号\t{last + 1}\t"))
    return "\n".join(lines[start:end]) + "\n"


def projects_of(text: str, layout: str) -> list[tuple[object, ...]]:
    """Every record as (kind, number, name, department, path, fields): field texts without
    white space, which a PDF does not keep where a line wraps at a space."""
    import re

    from indexer.parsing import parser_for
    from indexer.records import DocumentInfo

    doc = DocumentInfo("x", "伊勢崎市", "実施計画", "令和3〜5年度", "x.txt")
    return [
        (
            r.kind,
            r.project_id,
            r.project_name,
            r.department,
            r.section_path,
            *((f.label, re.sub(r"\s", "", f.text)) for f in r.fields),
        )
        for r in parser_for(layout)(text, doc)
    ]


@pytest.fixture(scope="module")
def excerpt_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "jisshi.pdf"
    write_pdf(jisshi_excerpt(), path)
    return path


def test_a_pdf_of_corpus_text_parses_into_the_same_projects(excerpt_pdf: Path):
    text = jisshi_excerpt()
    extracted = extract_text(excerpt_pdf)
    assert extracted.count("\n事業番号\t") == text.count("\n事業番号\t") == 40
    generic = projects_of(text, "generic")
    assert len(generic) == 40 and projects_of(extracted, "generic") == generic
    # The document's own parser: same numbers, names, departments and fields; one plan cell
    # of 40 differs by a space lost where the PDF wrapped a line (●…の実施 ●… → ●…の実施●…),
    # so its duplicate-cell rule keeps both copies: compared without field texts.
    own, back = projects_of(text, "jisshi"), projects_of(extracted, "jisshi")
    assert [p[:5] for p in back] == [p[:5] for p in own]
    assert [[f[0] for f in p[5:]] for p in back] == [[f[0] for f in p[5:]] for p in own]
    assert sum(a != b for a, b in zip(own, back, strict=True)) <= 1


def test_a_docx_of_corpus_text_parses_into_the_same_projects(tmp_path: Path):
    text = jisshi_excerpt(20)
    path = tmp_path / "jisshi.docx"
    write_docx(text, path)
    extracted = extract_text(path)
    for layout in ("jisshi", "generic"):
        assert projects_of(extracted, layout) == projects_of(text, layout)
    assert len(projects_of(text, "jisshi")) == 20
