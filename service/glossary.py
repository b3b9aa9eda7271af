"""A bilingual administrative glossary: questions in other languages reach the Japanese index.

The index holds the lemmas of Japanese text only, so BM25 finds nothing for "daycare", "creche"
or "托儿所". The glossary (``data/glossary.tsv``, written by the plansearch team) lists the city
services these plans describe, one concept a line: the Japanese words the plans print (保育所,
保育園), then the words a resident would use in English, Portuguese, Vietnamese, Chinese, Tagalog
and Spanish. For a question that is not in Japanese, every concept whose foreign words occur in
it adds the analyzer's lemmas of its Japanese words to the BM25 tokens and highlight terms
(``service.query.QueryAnalyzer``); Japanese questions never reach this module.

Matching (``Glossary.find``), on the normalized question (NFKC, white space collapsed):

* Latin scripts: case-insensitive, whole words (no Latin letter or digit on either side), the
  longest phrase first at each position; a word may take the plural endings -s/-es (English,
  Portuguese, Spanish) or the Tagalog linker -ng/-g (dayuhan → dayuhang). English, Portuguese,
  Spanish and Tagalog match with or without accents (guardería, guarderia); Vietnamese keeps
  its marks, which tell words apart (thuế tax, thuê rent).
* Chinese: a substring match (no spaces between words), the longest first.

Every foreign column is searched whatever language the question was detected as, so a
misdetected question (Tagalog read as Spanish) still finds its words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from indexer.analyze import get_analyzer

GLOSSARY_FILE = Path(__file__).parent / "data" / "glossary.tsv"
# The columns of a glossary line after the Japanese one (ISO 639-1 codes).
LANGUAGES = ("en", "pt", "vi", "zh", "tl", "es")
COLUMNS = ("ja", *LANGUAGES)
# Endings a Latin-script word may take and still match.
_ENDINGS = {"en": "(?:s|es)?", "pt": "(?:s|es)?", "es": "(?:s|es)?", "tl": "(?:ng|g)?", "vi": ""}
# Matched without accents on either side.
_FOLDED = frozenset({"en", "pt", "es", "tl"})
# Scripts written without spaces between words: matched as substrings.
_UNSPACED = frozenset({"zh"})
_SEPARATOR = ","
# What a Latin-script word may not touch to count as whole: another letter or digit of a Latin
# script (matching is on lower case). Kanji are no part of the word: 在Isesaki市 names Isesaki.
_LATIN = r"0-9a-z\u00c0-\u024f\u1e00-\u1eff"


class GlossaryError(ValueError):
    """A glossary line cannot be read; the message names the line."""


@dataclass(frozen=True)
class Concept:
    """One line of the glossary: the Japanese words and each language's words and phrases."""

    number: int  # the line number in its file
    japanese: tuple[str, ...]
    words: Mapping[str, tuple[str, ...]]  # language → words, as written


@dataclass(frozen=True)
class Found:
    """A concept found in a question, and the word it was found by (as matched)."""

    concept: Concept
    word: str


def fold(text: str) -> str:
    """Lower case without accents (guardería → guarderia, Đà → da)."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def match_form(text: str, language: str) -> str:
    """``text`` as the words of ``language`` are matched against it."""
    text = unicodedata.normalize("NFKC", text)
    if language in _UNSPACED:
        return text
    return fold(text) if language in _FOLDED else text.casefold()


def _cells(cell: str) -> tuple[str, ...]:
    return tuple(" ".join(w.split()) for w in cell.split(_SEPARATOR) if w.strip())


def parse_line(line: str, number: int = 0) -> Concept:
    """One concept from a line of seven TAB-separated columns (``ja en pt vi zh tl es``), the
    words of a column separated by commas; GlossaryError when a column is missing or empty."""
    columns = line.rstrip("\n").split("\t")
    if len(columns) != len(COLUMNS):
        raise GlossaryError(
            f"glossary line {number}: {len(columns)} columns, expected {len(COLUMNS)} "
            f"({' '.join(COLUMNS)}) separated by TAB"
        )
    cells = [_cells(c) for c in columns]
    empty = [name for name, words in zip(COLUMNS, cells, strict=True) if not words]
    if empty:
        raise GlossaryError(f"glossary line {number}: no words in column {', '.join(empty)}")
    return Concept(number, cells[0], dict(zip(LANGUAGES, cells[1:], strict=True)))


def read_concepts(path: Path) -> tuple[Concept, ...]:
    """Concepts of a glossary file; comment lines (``#``) and blank lines are skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(
        parse_line(line, number)
        for number, line in enumerate(lines, 1)
        if line.strip() and not line.startswith("#")
    )


@cache
def japanese_tokens(words: tuple[str, ...]) -> tuple[str, ...]:
    """The analyzer's lemmas of a concept's Japanese words, each once, in order."""
    analyzer = get_analyzer()
    return tuple(dict.fromkeys(t for word in words for t in analyzer.lemmas(word)))


def _pattern(language: str, terms: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(
        re.escape(t).replace(r"\ ", r"\s+") for t in sorted(set(terms), key=lambda t: -len(t))
    )
    if language in _UNSPACED:
        return re.compile(f"(?:{alternatives})")
    return re.compile(rf"(?<![{_LATIN}])({alternatives}){_ENDINGS[language]}(?![{_LATIN}])")


class Glossary:
    """The concepts, with one pattern per language that finds their words in a question."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts = tuple(concepts)
        self._owners: dict[str, dict[str, list[Concept]]] = {lang: {} for lang in LANGUAGES}
        for concept in self.concepts:
            for language, words in concept.words.items():
                for word in words:
                    owners = self._owners[language].setdefault(match_form(word, language), [])
                    if concept not in owners:
                        owners.append(concept)
        self._patterns = {
            language: _pattern(language, owners) for language, owners in self._owners.items()
        }

    def __len__(self) -> int:
        return len(self.concepts)

    def find(self, text: str) -> list[Found]:
        """Concepts whose words occur in ``text``, in the order they occur, each once.

        Matches of every language compete for the same text: the longest at each position wins
        and a word inside it counts no more (aula de japonês is 日本語教室, not also 日本語),
        unless another language found the very same span.
        """
        hits: list[tuple[int, int, str, Concept]] = []
        for language, pattern in self._patterns.items():
            for match in pattern.finditer(match_form(text, language)):
                word = match.group(match.lastindex or 0)
                key = " ".join(word.split())
                for concept in self._owners[language][key]:
                    hits.append((match.start(), match.start() + len(word), key, concept))
        seen: set[int] = set()
        found = []
        span = (-1, -1)
        for start, end, word, concept in sorted(hits, key=lambda h: (h[0], -h[1], h[3].number)):
            if (start, end) != span and start < span[1]:
                continue  # inside a longer match
            span = (start, end)
            if concept.number not in seen:
                seen.add(concept.number)
                found.append(Found(concept, word))
        return found


@cache
def load_glossary(path: Path = GLOSSARY_FILE) -> Glossary:
    """The glossary of ``path`` (read once per process)."""
    return Glossary(read_concepts(path))
