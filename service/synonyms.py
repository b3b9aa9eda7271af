"""Synonym tables for query expansion: the Sudachi synonym dictionary and a curated list.

Each group is a set of words that mean the same (子育て・育児); a table indexes the groups by
the normalized spelling of each word that may trigger an expansion. Words are matched at the
level the index works on: a dictionary word matches a query term only when its own lemma
sequence (from the one analyzer) equals the term's.

Sources: ``curated`` (``data/synonyms.tsv``, written here) and ``sudachi`` (built into
``var/synonyms/`` at install time by ``scripts/fetch-synonyms.sh``; see
``service/synonym_source.py``). Without the second the curated list is used alone, with a warning.

A third table, ``colloquial_table`` (``data/colloquial.tsv``, written here), is one-way: a
resident's everyday words (預かって, 補聴器, 人間ドッグ) call for the plans' administrative words
(一時預かり・保育, 補装具, 健診), never the other way round. ``data/colloquial_dense.tsv``, in
the same format, holds the lines whose words are embedded with the question but never sent to BM25.
"""

from __future__ import annotations

import logging
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate
from pathlib import Path

from indexer.analyze import get_analyzer, normalize

log = logging.getLogger("plansearch")
DATA_DIR = Path(__file__).parent / "data"
CURATED_FILE = DATA_DIR / "synonyms.tsv"
FRAME_FILE = DATA_DIR / "no_expand.txt"
COLLOQUIAL_FILE = DATA_DIR / "colloquial.tsv"
# Everyday words whose administrative words only the model reads (``QueryAnalyzer(dense_table)``).
COLLOQUIAL_DENSE_FILE = DATA_DIR / "colloquial_dense.tsv"
SOURCES = ("curated", "sudachi")

# The lemmas of a word or query term, as the analyzer yields them.
Key = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a synonym group: its spelling, lexeme number and whether it may trigger."""

    text: str
    lexeme: int
    trigger: bool = True


def parse_sudachi_line(line: str) -> tuple[Word, ...]:
    """Words of one vendored Sudachi line (``id<TAB>lexeme<TAB>…``, spellings split by ``,``)."""
    _, *lexemes = line.rstrip("\n").split("\t")
    words = []
    for number, lexeme in enumerate(lexemes):
        for spelling in lexeme.split(","):
            ambiguous = spelling.startswith("*")
            words.append(Word(spelling.removeprefix("*"), number, not ambiguous))
    return tuple(words)


def parse_curated_line(line: str) -> tuple[Word, ...]:
    """Words of one curated line: whitespace-separated synonyms, each its own lexeme."""
    return tuple(Word(text, number) for number, text in enumerate(line.split()))


def parse_colloquial_lines(line: str) -> list[tuple[Word, ...]]:
    """One group per everyday word of a ``colloquial.tsv`` line (``targets<TAB>triggers``): the
    administrative words (lexeme 0, never triggers) and that one everyday word (lexeme 1), so an
    everyday word expands to the administrative words only, not to its neighbours on the line."""
    targets, _, triggers = line.rstrip("\n").partition("\t")
    heads = tuple(Word(text, 0, trigger=False) for text in targets.split())
    return [(*heads, Word(text, 1)) for text in triggers.split()]


def iter_groups(path: Path, parse: Callable[[str], tuple[Word, ...]]) -> Iterator[tuple[Word, ...]]:
    """Groups of a data file, one at a time; comment lines (``#``) and blank lines skipped."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            group = parse(line) if line.strip() and not line.startswith("#") else ()
            if len(group) > 1:
                yield group


def read_groups(path: Path, parse: Callable[[str], tuple[Word, ...]]) -> list[tuple[Word, ...]]:
    """Groups of a data file, comment lines (``#``) and blank lines skipped."""
    return list(iter_groups(path, parse))


def _source_groups(source: str, sudachi_file: Path) -> Iterator[tuple[Word, ...]]:
    if source == "curated":
        return iter_groups(CURATED_FILE, parse_curated_line)
    if source == "sudachi":
        if not sudachi_file.is_file():
            log.warning(
                "plansearch: no Sudachi synonyms at %s; run scripts/fetch-synonyms.sh "
                "(using the curated list only)",
                sudachi_file,
            )
            return iter(())
        return iter_groups(sudachi_file, parse_sudachi_line)
    raise ValueError(f"unknown synonym source {source!r}; valid: {', '.join(SOURCES)}")


def load_groups(source: str, sudachi_file: Path) -> tuple[tuple[Word, ...], ...]:
    """The synonym groups of ``curated`` or ``sudachi`` as words (read afresh: a server holds
    them only in the compact form of ``synonym_table``)."""
    return tuple(_source_groups(source, sudachi_file))


@cache
def frame_words() -> frozenset[Key]:
    """Lemma keys of the words listed in ``data/no_expand.txt``: never expanded."""
    lines = FRAME_FILE.read_text(encoding="utf-8").splitlines()
    words = [w for ln in lines if not ln.startswith("#") for w in ln.split()]
    return frozenset(word_tokens(w).key for w in words)


@dataclass(frozen=True, slots=True)
class WordTokens:
    """A dictionary word as the index sees it."""

    key: Key  # its full lemma sequence: how it appears in a tokenized query
    content: Key  # without affixes (御, 者, 物, 第): what it adds as an expansion


# Words the tables were built from or a question reached (~6 new ones a new question): bounded,
# for a server asked new questions for months would otherwise come to hold all 69,000.
WORD_TOKENS_KEPT = 8192


@lru_cache(maxsize=WORD_TOKENS_KEPT)
def word_tokens(text: str) -> WordTokens:
    """Key and content tokens of one word (an expansion 高齢者 adds 高齢, not the ubiquitous 者)."""
    pairs = get_analyzer().lemma_pairs(text)
    return WordTokens(tuple(p[0] for p in pairs), tuple(p[0] for p in pairs if not p[1]))


class _Strings:
    """Many short strings held as one: the ``i``-th lies between two offsets. A str object
    costs ~60 bytes besides its characters, which for the Sudachi groups' 69,000 words and
    66,000 spellings was most of their size."""

    __slots__ = ("_starts", "_text")

    def __init__(self, items: Iterable[str]) -> None:
        items = list(items)
        self._text = "".join(items)
        self._starts = array("i", [0, *accumulate(map(len, items))])

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __getitem__(self, i: int) -> str:
        return self._text[self._starts[i] : self._starts[i + 1]]


class SynonymTable:
    """Synonym groups indexed by the normalized spelling of each word that may trigger them.

    Words are tagged only when a query reaches them (tagging the 66,000 words of the Sudachi
    groups up front takes seconds, which a one-shot CLI search should not pay). A server holds
    the tables for its whole life, so they are flat arrays rather than an object per word (the
    Sudachi table's memory 32 → 6 MB): the words of all groups in one string, and the spellings,
    sorted by their hash, with the words each one triggers.
    """

    def __init__(self, groups: Iterable[Sequence[Word]], by_lemma: bool = False) -> None:
        texts: list[str] = []
        self._lexemes, self._triggers = array("h"), array("b")
        self._group_starts = array("i", [0])
        index: dict[str, list[int]] = {}
        for group in groups:
            for word in group:
                for spelling in _spellings(word, by_lemma) if word.trigger else ():
                    index.setdefault(spelling, []).append(len(texts))
                texts.append(word.text)
                self._lexemes.append(word.lexeme)
                self._triggers.append(word.trigger)
            self._group_starts.append(len(texts))
        self._words = _Strings(texts)
        # Python's str hash: this process's own (the table is never stored), stable within it.
        spellings = sorted(index, key=hash)
        self._hashes = array("q", map(hash, spellings))
        # A bit per value of a hash's low bits, 16 bits a spelling (Sudachi's: 128 KB): most
        # terms of a question are in no table, and the bit says so without a search (6 % of
        # absent spellings pass it).
        self._mask = max(1024, 1 << (16 * len(spellings)).bit_length()) - 1
        self._maybe = bytearray((self._mask + 1) // 8)
        for h in self._hashes:
            self._maybe[(h & self._mask) >> 3] |= 1 << (h & 7)
        self._spellings = _Strings(spellings)
        self._posting_starts = array("i", [0, *accumulate(len(index[s]) for s in spellings)])
        self._postings = array("i", (w for s in spellings for w in index[s]))

    def __len__(self) -> int:
        return len(self._group_starts) - 1

    def group(self, g: int) -> tuple[Word, ...]:
        """The words of group ``g``, in their order."""
        return tuple(map(self._word, range(self._group_starts[g], self._group_starts[g + 1])))

    def _word(self, w: int) -> Word:
        return Word(self._words[w], self._lexemes[w], bool(self._triggers[w]))

    def _triggered(self, spelling: str, h: int) -> Sequence[int]:
        """Words (by position) that ``spelling`` (of hash ``h``) triggers, in group order."""
        k = bisect_left(self._hashes, h)
        while k < len(self._hashes) and self._hashes[k] == h:
            if self._spellings[k] == spelling:
                return self._postings[self._posting_starts[k] : self._posting_starts[k + 1]]
            k += 1
        return ()

    def held(self, spellings: Iterable[str]) -> set[str]:
        """Those of ``spellings`` this table may hold: its filter's answer, no search. A
        question's ~100 spellings are asked at once, in one loop, and only those that pass (its
        words, and ~6 % of the rest) are looked up: most runs are in no table, and a ``lookup``
        call per run and table cost more than the filter itself."""
        return _passing(self._maybe, self._mask, spellings)

    def lookup(self, spellings: Iterable[str], key: Key) -> tuple[Key, ...]:
        """Expansions of the query term ``key`` (lemmas) written as one of ``spellings``.

        A dictionary word matches when its spelling is one of them and its own lemma sequence is
        ``key``, so the match is exact at the level the index works on.
        """
        out: list[Key] = []
        seen: set[int] = set()
        maybe, mask = self._maybe, self._mask
        for spelling in spellings:
            h = hash(spelling)
            if not maybe[(h & mask) >> 3] & (1 << (h & 7)):
                continue  # the spelling of no word of this table (asked ~50 times a question)
            for w in self._triggered(spelling, h):
                if w in seen or word_tokens(self._words[w]).key != key:
                    continue
                seen.add(w)
                out += [c for c in self._candidates(w) if c not in out]
        return tuple(out)

    def _candidates(self, source: int) -> list[Key]:
        """Expansions of word ``source`` within its group, its own lexeme's spellings first;
        words that add no lemma beyond the source's own (子供達 for 子供) are skipped."""
        g = bisect_right(self._group_starts, source) - 1
        lexemes, lexeme = self._lexemes, self._lexemes[source]
        own = set(word_tokens(self._words[source]).key)
        words = range(self._group_starts[g], self._group_starts[g + 1])
        out = []
        for w in sorted(words, key=lambda w: (lexemes[w] != lexeme, lexemes[w])):
            tokens = word_tokens(self._words[w]).content
            if tokens and not set(tokens) <= own:
                out.append(tokens)
        return out


def _passing(maybe: bytearray, mask: int, spellings: Iterable[str]) -> set[str]:
    """Those of ``spellings`` whose hash's bit is set in the filter ``maybe``."""
    return {s for s in spellings if maybe[((h := hash(s)) & mask) >> 3] & (1 << (h & 7))}


class SpellingFilter:
    """The filters of several tables in one: the spellings any of them may hold. A question's
    ~70 spellings pass it once, and each table's own filter then reads the ~10 % left, not all
    of them (asking four tables for every spelling was a tenth of a parse). A table's spellings
    always pass (their hashes set its bits), so a table finds through it all it would alone."""

    __slots__ = ("_mask", "_maybe")

    def __init__(self, tables: Iterable[SynonymTable]) -> None:
        tables = list(tables)
        self._mask = max((t._mask for t in tables), default=1023)
        self._maybe = bytearray((self._mask + 1) // 8)
        for table in tables:
            for h in table._hashes:
                self._maybe[(h & self._mask) >> 3] |= 1 << (h & 7)

    def held(self, spellings: Iterable[str]) -> set[str]:
        """Those of ``spellings`` one of the tables may hold (no search)."""
        return _passing(self._maybe, self._mask, spellings)


def _spellings(word: Word, by_lemma: bool) -> set[str]:
    spellings = {normalize(word.text)}
    if by_lemma:
        spellings.add("".join(word_tokens(word.text).key))
    return spellings


def build_table(groups: Iterable[Sequence[Word]], by_lemma: bool = False) -> SynonymTable:
    """Index the groups by the spelling of every word that may trigger an expansion.

    ``by_lemma`` also indexes each word by its lemmas (ゴミ finds a curated ごみ, both 塵): this
    tags every word, which is cheap for the curated list only.
    """
    return SynonymTable(groups, by_lemma)


@cache
def synonym_table(source: str, sudachi_file: Path) -> SynonymTable:
    """The table of one source (built once per process); the curated one also by lemma."""
    # Streamed from the file: the words of one group at a time exist as objects.
    return build_table(_source_groups(source, sudachi_file), by_lemma=source == "curated")


def lookup(tables: Iterable[SynonymTable], spellings: Iterable[str], key: Key) -> tuple[Key, ...]:
    """Candidates of ``key`` from several tables, earlier tables' first."""
    out: list[Key] = []
    for table in tables:
        out += [c for c in table.lookup(spellings, key) if c not in out]
    return tuple(out)


@cache
def colloquial_table(path: Path = COLLOQUIAL_FILE) -> SynonymTable:
    """The one-way everyday → administrative table, indexed by spelling and by lemma."""
    lines = path.read_text(encoding="utf-8").splitlines()
    groups = [
        g
        for ln in lines
        if ln.strip() and not ln.startswith("#")
        for g in parse_colloquial_lines(ln)
    ]
    return build_table(groups, by_lemma=True)
