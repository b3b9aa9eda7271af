"""Query understanding: normalization and BM25 query expansion.

The index holds fugashi + unidic-lite lemmas of the text as printed (``indexer.tokenize``). The
lemma already folds many spelling variants (子ども/こども/子供 → 子供, 障がい/障碍/障害 → 障害,
空家/空き家 → 空き家, ゴミ/ごみ → 塵), so the analyzer works on lemma sequences and adds what the
lemma cannot know:

* synonyms (子育て → 育児, 高齢者 → 年寄り, ごみ → 廃棄): the Sudachi synonym dictionary
  (built into ``var/synonyms/`` at install time) and a short curated list (``data/synonyms.tsv``);
* the other way of writing a fiscal year (令和4年度 → 2022, 2022年度 → 令和 4), since the
  documents print mostly 和暦 and the index keeps what is printed.

Weighting: bm25s ``get_scores`` sums one BM25 term score per query token (duplicates count
again) and takes no weights, so the levers are which expansions a term gets, how many, and how
many times the original tokens are repeated. Chosen on the dev questions (``eval/synonyms.py``):

* the query's own tokens come first, once, unchanged: with no expansion the tokens are exactly
  the index tokenizer's. Repeating them twice (expansions at half weight) scored lower;
* at most ``max_expansions`` (2) tokens per matched term, nouns only (as chikkarpy by default),
  never for words of the question's frame (心配, 関係, 全部: ``data/no_expand.txt``);
* an expansion must be a token the index holds and at least as common there as the term: BM25's
  IDF falls as a token gets more common, so an expansion weighs no more than the user's own
  word. Without the rule, rare synonyms of common terms (高齢者 → シニア, 方針 → ポリシー) pull in
  passages for the wrong reason; with the other limits in place the two settings differ on dev
  by single questions either way (``rarer`` preset), and the rule is kept because it bounds
  what an expansion can do to a ranking.

Usage, with the engine's own index statistics::

    analyzer = QueryAnalyzer(index_frequencies(engine.index.lexical))
    engine.lexical_tokens = analyzer.lexical_tokens
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from indexer.tokenize import normalize as normalize_token
from indexer.tokenize import tokenize
from indexer.years import YearError, parse_year, wareki
from service.highlight import NOT_TEXT, Token, analyze, highlight_spans, lemmas

log = logging.getLogger("plansearch")
DATA_DIR = Path(__file__).parent / "data"
# Built at install time by scripts/fetch-synonyms.sh (see service/synonym_source.py).
SUDACHI_FILE = Path(__file__).resolve().parents[1] / "var" / "synonyms" / "sudachi_synonyms.tsv"
CURATED_FILE = DATA_DIR / "synonyms.tsv"
FRAME_FILE = DATA_DIR / "no_expand.txt"
SOURCES = ("curated", "sudachi")

# The lemmas of a word or query term, as indexer.tokenize yields them.
Key = tuple[str, ...]
# The term of the fiscal-year expansion in ``QueryAnalyzer.expansions``.
YEAR_TERM: Key = ("<year>",)
# 平成 starts in 1989: earlier years have no form the documents would print.
_FIRST_HEISEI = 1989

_SPACES = re.compile(r"\s+")
# A fiscal-year mention: an era with its year number (令和4, R4), or a Western year followed by
# 年 or standing alone (2022年度, 2022 予算; not 2000人 or H2O).
_YEAR = re.compile(
    r"(?:令和|平成|(?<![A-Za-z])[RH])\s*(?:元|\d{1,2})(?![\dA-Za-z])"
    r"|(?<![\d.,])(?:19|20)\d{2}(?=\s*年|\s|$)"
)
# Tokens that only make a year form readable; the query keeps its own if it has them.
_YEAR_FILLER = frozenset({"年度", "年"})
# The most query tokens one dictionary word is matched over (長寿命化計画 is four).
_LONGEST_KEY = 4


def normalize(query: str) -> str:
    """NFKC (full-width ASCII → ASCII, half-width kana → full-width), whitespace collapsed,
    control characters and lone surrogates dropped."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", NOT_TEXT.sub("", query))).strip()


# -- synonym groups ------------------------------------------------------------------


@dataclass(frozen=True)
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


def read_groups(path: Path, parse: Callable[[str], tuple[Word, ...]]) -> list[tuple[Word, ...]]:
    """Groups of a data file, comment lines (``#``) and blank lines skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    groups = [parse(ln) for ln in lines if ln.strip() and not ln.startswith("#")]
    return [g for g in groups if len(g) > 1]


@cache
def load_groups(source: str) -> tuple[tuple[Word, ...], ...]:
    """The synonym groups of ``curated`` or ``sudachi`` (read once per process)."""
    if source == "curated":
        return tuple(read_groups(CURATED_FILE, parse_curated_line))
    if source == "sudachi":
        if not SUDACHI_FILE.is_file():
            log.warning(
                "plansearch: no Sudachi synonyms at %s; run scripts/fetch-synonyms.sh "
                "(using the curated list only)",
                SUDACHI_FILE,
            )
            return ()
        return tuple(read_groups(SUDACHI_FILE, parse_sudachi_line))
    raise ValueError(f"unknown synonym source {source!r}; valid: {', '.join(SOURCES)}")


@cache
def frame_words() -> frozenset[Key]:
    """Lemma keys of the words listed in ``data/no_expand.txt``: never expanded."""
    lines = FRAME_FILE.read_text(encoding="utf-8").splitlines()
    words = [w for ln in lines if not ln.startswith("#") for w in ln.split()]
    return frozenset(word_tokens(w).key for w in words)


# -- lemma keys ----------------------------------------------------------------------


@dataclass(frozen=True)
class WordTokens:
    """A dictionary word as the index sees it."""

    key: Key  # its full lemma sequence: how it appears in a tokenized query
    content: Key  # without affixes (御, 者, 物, 第): what it adds as an expansion


@cache
def word_tokens(text: str) -> WordTokens:
    """Key and content tokens of one word (an expansion 高齢者 adds 高齢, not the ubiquitous 者)."""
    pairs = lemmas(text)
    return WordTokens(tuple(p[0] for p in pairs), tuple(p[0] for p in pairs if not p[1]))


def _candidates(group: tuple[Word, ...], source: Word) -> list[Key]:
    """Expansions of ``source`` within its group, its own lexeme's spellings first; words that
    add no lemma beyond the source's own (子供達 for 子供) are skipped."""
    own = set(word_tokens(source.text).key)
    ordered = sorted(group, key=lambda w: (w.lexeme != source.lexeme, w.lexeme))
    out = []
    for word in ordered:
        tokens = word_tokens(word.text).content
        if tokens and not set(tokens) <= own:
            out.append(tokens)
    return out


@dataclass(frozen=True)
class SynonymTable:
    """Synonym groups indexed by the normalized spelling of each word that may trigger them.

    Words are tagged only when a query reaches them (tagging the 66,000 words of the Sudachi
    groups up front takes seconds, which a one-shot CLI search should not pay).
    """

    groups: tuple[tuple[Word, ...], ...]
    by_spelling: Mapping[str, tuple[tuple[int, int], ...]]  # → (group, word) positions

    def __len__(self) -> int:
        return len(self.groups)

    def lookup(self, spellings: Iterable[str], key: Key) -> tuple[Key, ...]:
        """Expansions of the query term ``key`` (lemmas) written as one of ``spellings``.

        A dictionary word matches when its spelling is one of them and its own lemma sequence is
        ``key``, so the match is exact at the level the index works on.
        """
        out: list[Key] = []
        seen: set[tuple[int, int]] = set()
        for spelling in spellings:
            for g, w in self.by_spelling.get(spelling, ()):
                word = self.groups[g][w]
                if (g, w) in seen or word_tokens(word.text).key != key:
                    continue
                seen.add((g, w))
                out += [c for c in _candidates(self.groups[g], word) if c not in out]
        return tuple(out)


def _spellings(word: Word, by_lemma: bool) -> set[str]:
    spellings = {normalize_token(word.text)}
    if by_lemma:
        spellings.add("".join(word_tokens(word.text).key))
    return spellings


def build_table(groups: Iterable[tuple[Word, ...]], by_lemma: bool = False) -> SynonymTable:
    """Index the groups by the spelling of every word that may trigger an expansion.

    ``by_lemma`` also indexes each word by its lemmas (ゴミ finds a curated ごみ, both 塵): this
    tags every word, which is cheap for the curated list only.
    """
    kept = tuple(groups)
    index: dict[str, list[tuple[int, int]]] = {}
    for g, group in enumerate(kept):
        for w, word in enumerate(group):
            for spelling in _spellings(word, by_lemma) if word.trigger else ():
                index.setdefault(spelling, []).append((g, w))
    return SynonymTable(kept, {k: tuple(v) for k, v in index.items()})


@cache
def synonym_table(source: str) -> SynonymTable:
    """The table of one source (built once per process); the curated one also by lemma."""
    return build_table(load_groups(source), by_lemma=source == "curated")


def lookup(tables: Iterable[SynonymTable], spellings: Iterable[str], key: Key) -> tuple[Key, ...]:
    """Candidates of ``key`` from several tables, earlier tables' first."""
    out: list[Key] = []
    for table in tables:
        out += [c for c in table.lookup(spellings, key) if c not in out]
    return tuple(out)


# -- years ---------------------------------------------------------------------------


def year_variants(query: str) -> list[str]:
    """Tokens of the other forms of each fiscal year in ``query`` (令和4 ↔ 2022).

    The documents print 令和N年度 or RN年度, rarely 2022年度; a query may use either.
    """
    query = normalize(query)
    present = set(tokenize(query))
    out: list[str] = []
    for match in _YEAR.finditer(query):
        try:
            year = parse_year(match.group(0))
        except YearError:
            continue
        if year < _FIRST_HEISEI:
            continue
        for form in (wareki(year), f"{year}年度"):
            out += [t for t in tokenize(form) if t not in present and t not in _YEAR_FILLER]
    return list(dict.fromkeys(out))


# -- the analyzer ----------------------------------------------------------------------


def _expandable(run: list[Token]) -> bool:
    """Nouns only, as chikkarpy by default: no pronouns (何処 → 何), numbers or verbs."""
    nouns = [t.pos == "名詞" and t.pos2 != "数詞" for t in run]
    return any(nouns) and all(n or t.affix for n, t in zip(nouns, run, strict=True))


@dataclass(frozen=True)
class Match:
    """A query term found in a synonym table."""

    key: Key  # its lemmas as in the query
    content: Key  # the same without affixes: what its frequency is judged by
    candidates: tuple[Key, ...]


def _matches(text: str, tables: tuple[SynonymTable, ...], frame: frozenset[Key]) -> Iterator[Match]:
    """Terms of ``text`` found in the tables: non-overlapping runs of tokens, the longest match
    first at each position; words of the question's frame (``frame``) are never terms."""
    tokens = analyze(text)
    i = 0
    while i < len(tokens):
        for size in range(min(_LONGEST_KEY, len(tokens) - i), 0, -1):
            run = tokens[i : i + size]
            key = tuple(t.lemma for t in run)
            if key in frame or not _expandable(run):
                continue
            # The words as written (空家対策) and as lemmas (子ども → 子供) both find entries.
            spellings = (normalize_token(text[run[0].start : run[-1].end]), "".join(key))
            candidates = lookup(tables, spellings, key)
            if candidates:
                content = tuple(t.lemma for t in run if not t.affix)
                yield Match(key, content, candidates)
                i += size
                break
        else:
            i += 1


@dataclass(frozen=True)
class Expansion:
    """One matched query term and the tokens added for it."""

    term: Key
    added: tuple[str, ...]


# Settings compared by ``python -m eval.synonyms measure --configs …`` (default is the service's).
PRESETS: dict[str, dict[str, Any]] = {
    "default": {},
    "curated": {"sources": ("curated",)},
    "sudachi": {"sources": ("sudachi",)},
    "years": {"sources": ()},
    "repeat2": {"original_repeat": 2},
    "max1": {"max_expansions": 1},
    "max3": {"max_expansions": 3},
    "rarer": {"rarer": True},
    "noframe": {"frame": False},
}


class QueryAnalyzer:
    """Normalizes queries and turns them into expanded BM25 tokens; holds the synonym tables.

    ``frequencies``: how many passages of the index contain each token (``index_frequencies``);
    without it nothing is filtered. With it, an expansion must be a token the index knows and,
    unless ``rarer`` is set, at least as common as the term it expands. BM25's IDF falls as a
    token gets more common, so such an expansion can never outscore the user's own word: it maps
    a word the documents rarely use (お年寄り, 持ち主) onto the one they do (高齢, 所有), and
    leaves alone words the documents already use (方針 is not widened to ポリシー).
    ``max_expansions``: tokens added per matched term at most. ``original_repeat``: how many
    times the query's own tokens are sent (2 weighs them 2:1 against expansions).
    """

    def __init__(
        self,
        frequencies: Mapping[str, int] | None = None,
        max_expansions: int = 2,
        original_repeat: int = 1,
        sources: tuple[str, ...] = SOURCES,
        years: bool = True,
        rarer: bool = False,
        frame: bool = True,
    ) -> None:
        self.frequencies = frequencies
        self.max_expansions = max_expansions
        self.original_repeat = original_repeat
        self.years = years
        self.rarer = rarer
        self.tables = tuple(synonym_table(source) for source in sources)
        self.frame = frame_words() if frame else frozenset()

    def normalize(self, query: str) -> str:
        """NFKC and width normalization, whitespace collapsed (idempotent)."""
        return normalize(query)

    def _frequency(self, token: str) -> int:
        return self.frequencies.get(token, 0) if self.frequencies is not None else 0

    def _indexed(self, token: str) -> bool:
        return self.frequencies is None or token in self.frequencies

    def _allowed(self, token: str, match: Match) -> bool:
        """Whether ``token`` may expand ``match``: a word (not a digit or a lone character, as
        in 1人暮らし → 1), known to the index, and not rarer than the term."""
        if len(token) < 2 or token.isdigit() or not self._indexed(token):
            return False
        if self.frequencies is None or self.rarer:
            return True
        return self._frequency(token) >= min(self._frequency(t) for t in match.content)

    def _pick(self, match: Match, taken: set[str]) -> tuple[str, ...]:
        """Up to ``max_expansions`` new, allowed tokens from the candidates, in order."""
        picked: list[str] = []
        for token in (t for candidate in match.candidates for t in candidate):
            if len(picked) == self.max_expansions:
                break
            if token not in taken and self._allowed(token, match):
                picked.append(token)
                taken.add(token)
        return tuple(picked)

    def expansions(self, query: str) -> list[Expansion]:
        """The synonym and year expansions of ``query``, term by term."""
        text = normalize(query)
        taken = set(tokenize(text))
        out = []
        for match in _matches(text, self.tables, self.frame):
            added = self._pick(match, taken)
            if added:
                out.append(Expansion(match.key, added))
        if self.years:
            # Another form of the same year is no synonym: exempt from the frequency rule.
            years = tuple(t for t in year_variants(text) if t not in taken and self._indexed(t))
            if years:
                out.append(Expansion(YEAR_TERM, years))
        return out

    def lexical_tokens(self, query: str) -> list[str]:
        """BM25 tokens: the query's own tokens (repeated ``original_repeat`` times), then
        each expansion once."""
        own = list(tokenize(normalize(query)))
        added = [t for e in self.expansions(query) for t in e.added]
        return own * self.original_repeat + added

    def terms(self, query: str) -> frozenset[str]:
        """Every lemma the query matches on: its own tokens and their expansions."""
        own = set(tokenize(normalize(query)))
        return frozenset(own.union(*(e.added for e in self.expansions(query))))

    def highlight(self, text: str, query: str) -> list[tuple[int, int]]:
        """[start, end) spans of ``text`` whose tokens match the query or its expansions."""
        return highlight_spans(text, self.terms(query))


def index_frequencies(lexical: Any) -> dict[str, int]:
    """Token → number of passages containing it, read from a bm25s index.

    bm25s keeps one column of scores per token id (``indptr`` delimits them), with an entry
    for each passage that contains the token; its vocabulary also has an empty token with none.
    """
    indptr = lexical.scores["indptr"]
    return {
        token: int(indptr[i + 1] - indptr[i])
        for token, i in lexical.vocab_dict.items()
        if token and i + 1 < len(indptr)
    }
