"""Search filters: which passages a question may return, checked against the index."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from indexer.errors import InputError
from indexer.records import Chunk, DocumentInfo
from indexer.years import YearError, fiscal_years, parse_year


class FilterError(InputError):
    """A filter value matches nothing; the message lists valid values or close ones."""


@dataclass(frozen=True)
class SearchFilters:
    """All filters of a search; empty means no restriction."""

    doc_ids: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    project_prefix: str | None = None

    @classmethod
    def parse(
        cls,
        doc_ids: Sequence[str] | None = None,
        cities: Sequence[str] | None = None,
        departments: Sequence[str] | None = None,
        sections: Sequence[str] | None = None,
        years: Sequence[str | int] | None = None,
        project_prefix: str | None = None,
    ) -> SearchFilters:
        """Filters from user input; FilterError for a year that cannot be read."""
        try:
            parsed_years = tuple(parse_year(str(y)) for y in years or ())
        except YearError as exc:
            raise FilterError(str(exc)) from exc
        clean = lambda values: tuple(v.strip() for v in values or () if v and v.strip())  # noqa: E731
        return cls(
            clean(doc_ids),
            clean(cities),
            clean(departments),
            clean(sections),
            parsed_years,
            (project_prefix or "").strip() or None,
        )


def _top_section(path: tuple[str, ...]) -> str:
    # 「第3章 個別事業」 is a chapter of the book, not a policy area; skip chapter headings.
    return next((p for p in path if not re.match(r"第\s*\d+\s*章", p)), "")


class _Codes:
    """A column of strings as integer codes into its distinct values (first-seen order): a
    filter or a facet then works on the few distinct values and one numpy pass over codes,
    not a Python loop over every chunk."""

    def __init__(self, values: Sequence[str]) -> None:
        index: dict[str, int] = {}
        self.codes = np.fromiter(
            (index.setdefault(v, len(index)) for v in values), dtype=np.int32, count=len(values)
        )
        self.values = list(index)
        self.code = index

    def where(self, keep: Sequence[bool]) -> np.ndarray:
        """Chunks whose value is kept (``keep`` per distinct value)."""
        return np.asarray(keep, dtype=bool)[self.codes]

    def counts(self, rows: np.ndarray) -> dict[str, int]:
        """Chunks per value among ``rows``, empty values left out."""
        found = np.bincount(self.codes[rows], minlength=len(self.values))
        return _named(found, self.values)


def _named(found: np.ndarray, names: Sequence[str]) -> dict[str, int]:
    """``names[i]: found[i]`` for each non-zero count with a name, in code order (as Python
    ints: indexing numpy arrays one element at a time cost more than the counting)."""
    counts = found.tolist()
    return {names[c]: counts[c] for c in np.flatnonzero(found).tolist() if names[c]}


def _top(counts: dict[str, int], limit: int) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])


class ChunkTable:
    """Per-chunk columns for fast filtering and facet counting."""

    def __init__(self, chunks: Sequence[Chunk], documents: dict[str, DocumentInfo]) -> None:
        self.doc = _Codes([c.doc_id for c in chunks])
        self.city = _Codes([documents[c.doc_id].city for c in chunks])
        self.department = _Codes([c.department or "" for c in chunks])
        self.section = _Codes([" › ".join(c.section_path) for c in chunks])
        # Close values are offered per heading: a whole path is too long to resemble a typo.
        self.headings = sorted({h for c in chunks for h in c.section_path})
        self.top_section = _Codes([_top_section(c.section_path) for c in chunks])
        self.project = _Codes([c.project_id or "" for c in chunks])
        # Fiscal years as (chunk, year) pairs, ordered by chunk: a chunk names several or none.
        years = [sorted(fiscal_years(f"{c.field}\n{c.text}")) for c in chunks]
        self.year_chunk = np.repeat(np.arange(len(chunks)), [len(y) for y in years])
        self.year = np.array([y for ys in years for y in ys], dtype=np.int32)
        self.years, self.year_code = np.unique(self.year, return_inverse=True)
        # Chunk r's pairs are [year_start[r], year_start[r + 1]); the facet's keys as written.
        self.year_start = np.concatenate([[0], np.cumsum([len(y) for y in years])]).astype(np.intp)
        self._year_names = [str(y) for y in self.years.tolist()]
        self.size = len(chunks)
        self.documents = documents

    def _contains_any(
        self,
        column: _Codes,
        needles: tuple[str, ...],
        what: str,
        vocabulary: list[str] | None = None,
    ) -> np.ndarray:
        mask = column.where([any(n in value for n in needles) for value in column.values])
        if not mask.any():
            known = vocabulary if vocabulary is not None else sorted(v for v in column.values if v)
            # Closest first (difflib's order), so the likely intended value leads the list.
            close = dict.fromkeys(
                m for n in needles for m in difflib.get_close_matches(n, known, n=5, cutoff=0.3)
            )
            hint = f"; close values: {', '.join(close)}" if close else ""
            raise FilterError(f"no {what} matches {', '.join(needles)}{hint}")
        return mask

    def _exact(self, column: _Codes, values: tuple[str, ...], what: str) -> np.ndarray:
        valid = sorted(set(column.values) | set(self._all(what)))
        unknown = [v for v in values if v not in valid]
        if unknown:
            raise FilterError(f"unknown {what} {', '.join(unknown)}; valid: {', '.join(valid)}")
        return column.where([v in values for v in column.values])

    def _all(self, what: str) -> list[str]:
        if what == "doc_id":
            return list(self.documents)
        return [d.city for d in self.documents.values()]

    def mask(self, f: SearchFilters) -> np.ndarray:
        """Boolean mask of the chunks that pass every filter."""
        mask = np.ones(self.size, dtype=bool)
        if f.doc_ids:
            mask &= self._exact(self.doc, f.doc_ids, "doc_id")
        if f.cities:
            mask &= self._exact(self.city, f.cities, "city")
        if f.departments:
            mask &= self._contains_any(self.department, f.departments, "department")
        if f.sections:
            mask &= self._contains_any(self.section, f.sections, "section", self.headings)
        if f.years:
            named = np.zeros(self.size, dtype=bool)
            named[self.year_chunk[np.isin(self.year, f.years)]] = True
            mask &= named
        if f.project_prefix:
            prefix = f.project_prefix
            mask &= self.project.where([p.startswith(prefix) for p in self.project.values])
        return mask

    def facets(self, rows: Sequence[int], limit: int = 20) -> dict[str, dict[str, int]]:
        """Counts per value over ``rows`` for doc, city, department, section and year."""
        picked = np.asarray(rows, dtype=np.int64)
        columns = {
            "doc_id": self.doc.counts(picked),
            "city": self.city.counts(picked),
            "department": self.department.counts(picked),
            "section": self.top_section.counts(picked),
            "year": self._year_counts(picked),
        }
        return {name: _top(counts, limit) for name, counts in columns.items()}

    def _year_counts(self, rows: np.ndarray) -> dict[str, int]:
        """Chunks per fiscal year among ``rows`` (a chunk counts once for each year it names);
        read from the rows' ranges of the chunk-ordered pairs, so the cost follows ``rows``."""
        start = self.year_start[rows]
        length = self.year_start[rows + 1] - start
        ends = np.cumsum(length)
        pairs = np.arange(ends[-1] if len(ends) else 0) + np.repeat(start - ends + length, length)
        found = np.bincount(self.year_code[pairs], minlength=len(self.years))
        return _named(found, self._year_names)
