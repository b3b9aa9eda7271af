"""第2部 施策体系: the tables that place each project under 分野, 施策 and 施策の展開."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from indexer.parsing.common import one_line
from indexer.parsing.jisshi.sections import Section, content_lines, rows_text, table_row

_SHISAKU = re.compile(r"^(\d+-\d+)-\d+ \S")
_TABLE_HEADER = re.compile(r"^(?P<title>[^\t]+)\t事業 ?番号\t事業名\tページ$")
_LISTING = re.compile(r"^(?P<torikumi>● [^\t]+)?\t(?P<id>\d+)\t(?P<name>[^\t]+)\t(?P<page>\d+)$")
_SYSTEM_SUBHEADING = re.compile(r"^(施策の展開と主な取組|まちづくりの指標[（(]成果指標[）)])$")
_SEP = " › "


@dataclass(frozen=True)
class Placement:
    """One project row of a 施策体系 table: where part 2 lists a project."""

    bunya: str | None
    shisaku: str | None
    tenkai: str | None
    torikumi: str | None
    project_id: str
    listed_name: str
    page: str

    @property
    def path(self) -> tuple[str, ...]:
        """(分野, 施策, 施策の展開), without missing levels or a repeated table title."""
        parts = [self.bunya, self.shisaku]
        if self.tenkai != self.bunya:
            parts.append(self.tenkai)
        return tuple(p for p in parts if p)

    @property
    def line(self) -> str:
        """The placement as one readable line: 分野 › 施策 › 展開 › ● 主な取組."""
        return _SEP.join(self.path + ((self.torikumi,) if self.torikumi else ()))


class _SystemReader:
    """Walks 第2部 line by line, keeping the current 分野 / 施策 / 展開 / 主な取組."""

    def __init__(self, bunya_names: list[str]) -> None:
        self.bunya_names = bunya_names
        self.prefixes: list[str] = []
        self.bunya: str | None = None
        self.shisaku: str | None = None
        self.tenkai: str | None = None
        self.torikumi: str | None = None
        self.section: Section | None = None
        self.sections: list[Section] = []
        self.placements: list[Placement] = []

    def feed(self, line: str) -> None:
        if line in self.bunya_names:
            self._set_heading(line, None)
        elif match := _SHISAKU.match(line):
            self._set_heading(self._bunya_for(match.group(1)), line)
        elif _SYSTEM_SUBHEADING.match(line):
            self._open_section(line)
        elif match := _TABLE_HEADER.match(line):
            self.tenkai, self.torikumi = match.group("title"), None
            self._add(line, match.group("title"))
        else:
            self._row(line)

    def _set_heading(self, bunya: str | None, shisaku: str | None) -> None:
        self.bunya, self.shisaku = bunya, shisaku
        self.tenkai = self.torikumi = self.section = None

    def _bunya_for(self, prefix: str) -> str | None:
        # The 分野 are printed only in the list at the top of 第2部; their order is
        # the order of the 施策 prefixes (1-1 健康・医療, 1-2 福祉, 2-1 都市基盤 …).
        if prefix not in self.prefixes:
            self.prefixes.append(prefix)
        index = self.prefixes.index(prefix)
        return self.bunya_names[index] if index < len(self.bunya_names) else None

    def _open_section(self, name: str) -> Section:
        path = tuple(p for p in (self.bunya, self.shisaku) if p)
        self.section = Section(path)
        self.section.open(name)
        self.sections.append(self.section)
        return self.section

    def _add(self, line: str, name_if_new: str) -> None:
        # The まちづくり重点プログラム table follows its heading with no sub-heading.
        section = self.section or self._open_section(name_if_new)
        section.add(rows_text([line]), table_row(line))

    def _row(self, line: str) -> None:
        match = _LISTING.match(line)
        if match:
            self.torikumi = match.group("torikumi") or self.torikumi
            self.placements.append(self._placement(match))
        elif line.startswith("● "):
            # A 主な取組 with no project of its own (empty number cells).
            self.torikumi = line.split("\t")[0].strip()
        self._add(line, "本文")

    def _placement(self, match: re.Match[str]) -> Placement:
        return Placement(
            bunya=self.bunya,
            shisaku=self.shisaku,
            tenkai=self.tenkai,
            torikumi=self.torikumi,
            project_id=match.group("id"),
            listed_name=one_line(match.group("name")),
            page=match.group("page"),
        )


def read_system(lines: Sequence[str]) -> tuple[list[Section], list[Placement]]:
    """Sections (展開 tables, indicator tables) and project placements of 第2部."""
    bunya_names = [ln[2:].strip() for ln in lines if ln.startswith("- ")]
    reader = _SystemReader(bunya_names)
    for line in content_lines(lines):
        reader.feed(line)
    return reader.sections, reader.placements


def by_project(placements: Sequence[Placement]) -> dict[str, list[Placement]]:
    """Placements keyed by project_id, each project's in printed order."""
    out: dict[str, list[Placement]] = {}
    for placement in placements:
        out.setdefault(placement.project_id, []).append(placement)
    return out
