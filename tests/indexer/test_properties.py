"""Property tests: normalizing, tokenizing, year reading and chunking on arbitrary text."""

from __future__ import annotations

from conftest import trial_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.analyze import get_analyzer, normalize
from indexer.chunking import ChunkingConfig, chunk_record
from indexer.records import DocumentInfo, Field
from indexer.years import fiscal_years

JAPANESE = st.text(
    alphabet=st.sampled_from(
        list("子育て支援事業の充実を図ります。、市民高齢者令和４年度3,550人●・\n ｱｲ")
    ),
    max_size=400,
)
ANY_TEXT = st.text(max_size=200)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DOC = DocumentInfo("isesaki-jisshi-r3", "伊勢崎市", "題", "期間", "x.txt", "事業番号", "短題")


@FAST
@given(ANY_TEXT)
def test_normalize_is_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)


@FAST
@given(ANY_TEXT)
def test_tokenize_never_crashes_and_yields_clean_tokens(text):
    tokens = get_analyzer().lemmas(text)
    assert all(t and not t.isspace() for t in tokens)
    assert tokens == get_analyzer().lemmas(text)  # deterministic


@FAST
@given(ANY_TEXT)
def test_fiscal_years_are_plausible(text):
    assert all(1900 <= y <= 2100 for y in fiscal_years(text))


def _is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(JAPANESE.filter(lambda t: t.strip()), min_size=1, max_size=4))
def test_chunks_stay_in_bound_and_lose_no_text(texts):
    fields = tuple(Field(f"項目{i}", t.strip()) for i, t in enumerate(texts))
    record = trial_project(DOC, *fields)
    config = ChunkingConfig(max_tokens=96, overlap_tokens=8)
    count = len  # one token per character: a strict stand-in for the model's counter
    chunks = chunk_record(DOC, record, count, config)
    assert chunks and all(count(c.indexed_text) <= config.max_tokens for c in chunks)
    body = "".join(f"【{f.label}】{f.text}" for f in fields)
    joined = "".join(c.text for c in chunks)
    strip = lambda s: "".join(s.split())  # noqa: E731
    # Splitting may repeat text (overlap) but never drops or reorders any of it.
    assert _is_subsequence(strip(body), strip(joined))
