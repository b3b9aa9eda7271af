"""The bilingual glossary: every line reads, its Japanese side is index vocabulary, its words are
found whole in a question, and only a question not in Japanese gets its tokens."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from indexer.analyze import get_analyzer
from service.glossary import (
    COLUMNS,
    GLOSSARY_FILE,
    LANGUAGES,
    Glossary,
    GlossaryError,
    japanese_tokens,
    load_glossary,
    match_form,
    parse_line,
    read_concepts,
)
from service.query import QueryAnalyzer, index_frequencies
from service.search import FusionConfig, SearchEngine

PORTUGUESE = "Tem creche perto de casa? Meu filho tem dois anos."
JAPANESE = "保育園に子どもを預けたいのですが、空きはありますか"


@pytest.fixture(scope="module")
def frequencies(hashing_engine) -> dict[str, int]:
    """Passage frequencies of the real corpus (the BM25 index does not depend on the model)."""
    return index_frequencies(hashing_engine.index.lexical)


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary()


def _lines() -> list[tuple[int, str]]:
    lines = GLOSSARY_FILE.read_text(encoding="utf-8").splitlines()
    return [(n, ln) for n, ln in enumerate(lines, 1) if ln.strip() and not ln.startswith("#")]


# -- the file --------------------------------------------------------------------------


def test_the_file_names_its_source_and_licence():
    head = GLOSSARY_FILE.read_text(encoding="utf-8").split("\n\n")[0]
    assert "Written by the plansearch team" in head
    assert "licensed as the rest of this" in head


def test_every_line_parses_into_a_concept_with_every_language(glossary):
    lines = _lines()
    assert len(lines) == len(glossary) >= 60
    for number, line in lines:
        concept = parse_line(line, number)
        assert concept.japanese, number
        assert set(concept.words) == set(LANGUAGES), number
        assert all(concept.words[lang] for lang in LANGUAGES), number


def test_every_japanese_word_tokenizes_to_tokens_the_index_holds(glossary, frequencies):
    analyzer = get_analyzer()
    for concept in glossary.concepts:
        for word in concept.japanese:
            tokens = analyzer.lemmas(word)
            missing = [t for t in tokens if t not in frequencies]
            assert tokens and not missing, f"line {concept.number}: {word} → {missing}"


def test_a_foreign_word_belongs_to_one_concept(glossary):
    owner: dict[tuple[str, str], int] = {}
    for concept in glossary.concepts:
        for language, words in concept.words.items():
            for word in words:
                key = (language, match_form(word, language))
                assert owner.setdefault(key, concept.number) == concept.number, key


@pytest.mark.parametrize(
    "line",
    [
        "保育所\tdaycare\tcreche",  # three columns
        "保育所\tdaycare\tcreche\tnhà trẻ\t托儿所\tdaycare\t",  # Spanish empty
        "\tdaycare\tcreche\tnhà trẻ\t托儿所\tdaycare\tguardería",  # no Japanese
    ],
)
def test_a_malformed_line_is_refused_with_its_number(line):
    with pytest.raises(GlossaryError, match="line 7"):
        parse_line(line, 7)


def test_blank_and_comment_lines_are_skipped(tmp_path: Path):
    path = tmp_path / "g.tsv"
    row = "\t".join(
        ["保育所, 保育園", "daycare", "creche", "nhà trẻ", "托儿所", "daycare", "guardería"]
    )
    path.write_text(f"# a comment\n\n{row}\n", encoding="utf-8")
    (concept,) = read_concepts(path)
    assert concept.number == 3 and concept.japanese == ("保育所", "保育園")
    assert len(COLUMNS) == 7


# -- matching --------------------------------------------------------------------------


def _words(glossary: Glossary, text: str) -> list[str]:
    return [found.word for found in glossary.find(text)]


def _japanese(glossary: Glossary, text: str) -> list[str]:
    return [found.concept.japanese[0] for found in glossary.find(text)]


def test_latin_words_match_whole_case_insensitive_with_plural_and_accents(glossary):
    assert _japanese(glossary, "Is there a DAYCARE near the station?") == ["保育所"]
    assert _japanese(glossary, "Hay guarderias cerca?") == ["保育所"]  # no accent, plural
    assert _japanese(glossary, "I feel happy") == []  # app is not in happy
    assert _japanese(glossary, "May dayuhang guro ba?") == ["外国人"]  # Tagalog linker -ng
    assert _japanese(glossary, "我住在Isesaki市") == ["伊勢崎"]  # kanji are no part of a word


def test_the_longest_phrase_wins_at_a_position(glossary):
    assert _words(glossary, "Tem aula de japonês?") == ["aula de japones"]
    assert _japanese(glossary, "cancer screening") == ["がん検診"]


def test_vietnamese_keeps_its_tone_marks(glossary):
    # thuê (rent) and thuế (tax) differ only by a mark.
    assert _japanese(glossary, "Tôi không trả nổi tiền thuê nhà") == ["家賃"]
    assert _japanese(glossary, "Tôi muốn nộp thuế") == ["税"]


def test_chinese_words_match_inside_a_sentence(glossary):
    assert _japanese(glossary, "我想把孩子送到托儿所") == ["子供", "保育所"]


def test_a_concept_is_found_once_however_many_of_its_words_occur(glossary):
    found = glossary.find("daycare, nursery, creche and guardería")
    assert [f.concept.japanese[0] for f in found] == ["保育所"]


# -- the analyzer ----------------------------------------------------------------------


def test_a_portuguese_question_gets_the_japanese_tokens_of_its_concepts(frequencies):
    parsed = QueryAnalyzer(frequencies).parse(PORTUGUESE)
    assert parsed.language == "pt"
    added = {e.term: e.added for e in parsed.expansions}
    assert added[("creche",)] == ("保育", "所", "園")
    assert added[("filho",)] == ("子供", "児童")
    plain = QueryAnalyzer(frequencies, glossary=False).parse(PORTUGUESE)
    glossary_tokens = ("保育", "所", "園", "子供", "児童")
    assert parsed.lexical_tokens == plain.lexical_tokens + glossary_tokens
    assert set(glossary_tokens) <= parsed.highlight_terms
    assert japanese_tokens(("保育所", "保育園")) == ("保育", "所", "園")


def test_a_japanese_question_gets_nothing_from_the_glossary(frequencies):
    parsed = QueryAnalyzer(frequencies).parse(JAPANESE)
    plain = QueryAnalyzer(frequencies, glossary=False).parse(JAPANESE)
    assert parsed.language == "ja"
    assert parsed == plain


def test_a_token_is_added_once_and_only_if_the_index_holds_it(frequencies):
    parsed = QueryAnalyzer(frequencies).parse("daycare or nursery or kindergarten, please")
    added = [t for e in parsed.expansions for t in e.added]
    assert len(added) == len(set(added))
    assert all(t in frequencies for t in added)


# -- fusion ----------------------------------------------------------------------------


def _top(engine: SearchEngine, query: str) -> list[int]:
    return [h.chunk_id for h in engine.search(query, top_k=20)]


def _engine_with(base: SearchEngine, fusion: FusionConfig) -> SearchEngine:
    return SearchEngine(base.index, base.embedder, fusion, base.analyzer, base.questions)


def test_a_foreign_question_is_fused_with_the_foreign_lexical_weight(hashing_engine):
    weight = FusionConfig().foreign_lexical_weight
    assert weight is not None
    as_foreign = _engine_with(
        hashing_engine, replace(FusionConfig(), lexical_weight=weight, foreign_lexical_weight=None)
    )
    assert _top(hashing_engine, PORTUGUESE) == _top(as_foreign, PORTUGUESE)
    as_japanese = _engine_with(hashing_engine, replace(FusionConfig(), foreign_lexical_weight=None))
    assert _top(hashing_engine, PORTUGUESE) != _top(as_japanese, PORTUGUESE)


def test_a_japanese_question_is_fused_with_the_japanese_weights(hashing_engine):
    same = _engine_with(hashing_engine, replace(FusionConfig(), foreign_lexical_weight=None))
    assert _top(hashing_engine, JAPANESE) == _top(same, JAPANESE)
