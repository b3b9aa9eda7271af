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


class ChunkTable:
    """Per-chunk columns for fast filtering and facet counting."""

    def __init__(self, chunks: Sequence[Chunk], documents: dict[str, DocumentInfo]) -> None:
        self.doc = np.array([c.doc_id for c in chunks])
        self.city = np.array([documents[c.doc_id].city for c in chunks])
        self.department = [c.department or "" for c in chunks]
        self.section = [" › ".join(c.section_path) for c in chunks]
        # Close values are offered per heading: a whole path is too long to resemble a typo.
        self.headings = sorted({h for c in chunks for h in c.section_path})
        self.top_section = [_top_section(c.section_path) for c in chunks]
        self.project = [c.project_id or "" for c in chunks]
        self.years = [fiscal_years(f"{c.field}\n{c.text}") for c in chunks]
        self.documents = documents

    def _contains_any(
        self,
        column: list[str],
        needles: tuple[str, ...],
        what: str,
        vocabulary: list[str] | None = None,
    ) -> np.ndarray:
        mask = np.array([any(n in value for n in needles) for value in column])
        if not mask.any():
            known = vocabulary if vocabulary is not None else sorted({v for v in column if v})
            # Closest first (difflib's order), so the likely intended value leads the list.
            close = dict.fromkeys(
                m for n in needles for m in difflib.get_close_matches(n, known, n=5, cutoff=0.3)
            )
            hint = f"; close values: {', '.join(close)}" if close else ""
            raise FilterError(f"no {what} matches {', '.join(needles)}{hint}")
        return mask

    def _exact(self, column: np.ndarray, values: tuple[str, ...], what: str) -> np.ndarray:
        valid = sorted(set(column.tolist()) | set(self._all(what)))
        unknown = [v for v in values if v not in valid]
        if unknown:
            raise FilterError(f"unknown {what} {', '.join(unknown)}; valid: {', '.join(valid)}")
        return np.isin(column, values)

    def _all(self, what: str) -> list[str]:
        if what == "doc_id":
            return list(self.documents)
        return [d.city for d in self.documents.values()]

    def mask(self, f: SearchFilters) -> np.ndarray:
        """Boolean mask of the chunks that pass every filter."""
        mask = np.ones(len(self.doc), dtype=bool)
        if f.doc_ids:
            mask &= self._exact(self.doc, f.doc_ids, "doc_id")
        if f.cities:
            mask &= self._exact(self.city, f.cities, "city")
        if f.departments:
            mask &= self._contains_any(self.department, f.departments, "department")
        if f.sections:
            mask &= self._contains_any(self.section, f.sections, "section", self.headings)
        if f.years:
            mask &= np.array([bool(ys & set(f.years)) for ys in self.years])
        if f.project_prefix:
            mask &= np.array([p.startswith(f.project_prefix) for p in self.project])
        return mask

    def facets(self, rows: Sequence[int], limit: int = 20) -> dict[str, dict[str, int]]:
        """Counts per value over ``rows`` for doc, city, department, section and year."""
        columns = {
            "doc_id": [str(self.doc[r]) for r in rows],
            "city": [str(self.city[r]) for r in rows],
            "department": [self.department[r] for r in rows if self.department[r]],
            "section": [self.top_section[r] for r in rows if self.top_section[r]],
            "year": [str(y) for r in rows for y in sorted(self.years[r])],
        }
        out = {}
        for name, values in columns.items():
            counts: dict[str, int] = {}
            for v in values:
                counts[v] = counts.get(v, 0) + 1
            top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
            out[name] = dict(top)
        return out
