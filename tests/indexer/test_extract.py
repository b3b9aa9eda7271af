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
