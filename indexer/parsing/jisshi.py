"""Parser for 第2次伊勢崎市総合計画 後期基本計画 実施計画（令和3年度版） (``isesaki-jisshi-r3``).

Layout of the converted PDF (tab-separated table rows, some HTML fragments):

* Cover and 目次 (table of contents, rows ``title<TAB>page``): skipped.
* ``第1部 実施計画の概要``: a short list of its chapters (``- 1 …``, skipped), then
  chapters ``1 総合計画の構成と期間`` … with prose, sub-headings such as ``基本構想`` or
  ``■ まちづくり重点プログラム``, and a two-column table of project counts per 分野.
  The legend ``夢・希望応援プログラム …… 重点1`` names the まちづくり重点プログラム.
* ``第2部 施策体系``: a list of the 分野 (``- 健康・医療分野`` …), then per 施策 a heading
  ``1-1-1 健康づくりと疾病予防の推進``, the sub-heading ``施策の展開と主な取組`` with one
  table per 施策の展開 (``① …<TAB>事業番号<TAB>事業名<TAB>ページ``) whose rows are
  ``● 主な取組<TAB>1<TAB>事業名<TAB>50`` (主な取組 left empty on continuation rows and
  主な取組 without project rows have empty number cells), and the sub-heading
  ``まちづくりの指標（成果指標）`` with an indicator table. The 分野 names are printed only
  in the list (and twice as standalone headings); the n-th distinct ``X-Y`` 施策 prefix
  belongs to the n-th listed 分野. The last table, ``まちづくり重点プログラム``, has no 施策.
* ``第3部 実施計画事業``: 343 blocks, one per project, each of four labelled rows plus
  continuation rows (first cell empty)::

      事業番号<TAB>1<TAB>担当課<TAB>健康づくり課<TAB>重点P<TAB>重点1
      事業名<TAB>健康づくりの拠点整備事業
      事業概要<TAB>実施目的<TAB><TAB>具体的方法 …   (texts on this row or the next one)
      事業計画<TAB>令和3年度<TAB><TAB>令和4年度<TAB><TAB>令和5年度
      <TAB><ul …> ●… ●… <TAB><TAB><ul …> ●… <TAB><TAB>●…

  The PDF conversion shifts cells, so texts are attributed by the label they follow and
  by column (see ``_overview_fields`` and ``_assign_years``). A back-cover colophon
  follows the last block and is skipped.

Projects get their section_path (分野, 施策, 施策の展開) from their first listing in the
施策体系 tables and a ``施策体系`` field with every listing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field

from indexer.records import DocumentInfo, Field, Project, project_record, section_record
from indexer.textclean import squeeze, strip_html_lists

# Part headings are the only "第N部 …" lines without a tab (the 目次 rows carry a page).
_PART_HEADING = re.compile(r"^第(\d)部 [^\t]+$")
_CHAPTER = re.compile(r"^\d+ [^\t]+$")
_SHISAKU = re.compile(r"^(\d+-\d+)-\d+ \S")
_TABLE_HEADER = re.compile(r"^(?P<title>[^\t]+)\t事業 ?番号\t事業名\tページ$")
_LISTING = re.compile(r"^(?P<torikumi>● [^\t]+)?\t(?P<id>\d+)\t(?P<name>[^\t]+)\t(?P<page>\d+)$")
_SYSTEM_SUBHEADING = re.compile(r"^(施策の展開と主な取組|まちづくりの指標[（(]成果指標[）)])$")
_PROGRAM_LEGEND = re.compile(r"^(?P<name>\S+プログラム) …+ (?P<tag>重点\d)$", re.MULTILINE)
_YEAR = re.compile(r"^令和\S+年度$")
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_BULLET = re.compile(r"\s*([●○])")
_SPACES = re.compile(r"\s+")
_SEP = " › "

_PURPOSE, _METHOD = "実施目的", "具体的方法"


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


@dataclass
class _Section:
    """Accumulates one non-project record: its path and named runs of lines."""

    path: tuple[str, ...]
    parts: list[tuple[str, list[str]]] = dataclass_field(default_factory=list)

    def open(self, name: str) -> None:
        self.parts.append((name, []))

    def add(self, line: str) -> None:
        if not self.parts:
            self.open("本文")
        self.parts[-1][1].append(line)

    def fields(self) -> tuple[Field, ...]:
        texts = ((name, squeeze("\n".join(lines))) for name, lines in self.parts)
        return tuple(Field(name, text) for name, text in texts if text)


# --------------------------------------------------------------------------- entry point


def parse(text: str, doc: DocumentInfo) -> list[Project]:
    """Parse the 実施計画 into section records (parts 1 and 2) and 343 project records."""
    sections: list[_Section] = []
    placements: list[Placement] = []
    blocks: list[list[list[str]]] = []
    for number, heading, lines in _split_parts(text):
        if number == "1":
            sections += _overview_sections(heading, lines)
        elif number == "2":
            system_sections, placements = _read_system(lines)
            sections += system_sections
        elif number == "3":
            blocks = _read_blocks(lines)
    kept = [s for s in sections if s.fields()]
    records = [_section_record(doc, f"section-{n}", s) for n, s in enumerate(kept, 1)]
    context = _ProjectContext(_by_project(placements), _program_legend(text), _plan_years(text))
    projects = [_project_record(doc, block, context) for block in blocks]
    return records + _with_unique_keys(projects)


def read_placements(text: str) -> dict[str, list[Placement]]:
    """Every listing of each project in the 施策体系 tables, keyed by project_id."""
    for number, _heading, lines in _split_parts(text):
        if number == "2":
            return _by_project(_read_system(lines)[1])
    return {}


def _split_parts(text: str) -> Iterator[tuple[str, str, list[str]]]:
    """(part number, heading, lines) of each 第N部; the cover and 目次 before it are dropped."""
    current: tuple[str, str, list[str]] | None = None
    for line in text.split("\n"):
        match = _PART_HEADING.match(line.strip())
        if match:
            if current:
                yield current
            current = (match.group(1), line.strip(), [])
        elif current:
            current[2].append(line)
    if current:
        yield current


def _section_record(doc: DocumentInfo, key: str, section: _Section) -> Project:
    return section_record(doc, key, section.path, section.fields())


def _with_unique_keys(projects: list[Project]) -> list[Project]:
    """Give a reused printed number the key ``<id>_2`` (``_3`` …); numbers here are unique."""
    seen: dict[str, int] = {}
    out = []
    for project in projects:
        count = seen[project.project_key] = seen.get(project.project_key, 0) + 1
        if count > 1:
            project = replace(project, project_key=f"{project.project_key}_{count}")
        out.append(project)
    return out


# --------------------------------------------------------------------------- generic text


def _rows_text(lines: Sequence[str]) -> str:
    """Table rows as lines with non-empty cells joined by `` | ``; prose lines unchanged."""
    out = []
    for line in lines:
        cells = [strip_html_lists(c) for c in line.split("\t")]
        out.append(" | ".join(c for c in cells if c))
    return squeeze("\n".join(out))


def _one_line(text: str) -> str:
    """Whitespace runs (tabs, breaks, ideographic spaces) collapsed to one space."""
    return _SPACES.sub(" ", text).strip()


def _content_lines(lines: Sequence[str]) -> list[str]:
    """Non-blank lines without the ``- …`` lists that repeat the part's contents.

    Only spaces are stripped: a leading tab marks a table row whose first cell is empty.
    """
    stripped = (ln.strip(" \u3000\r") for ln in lines)
    return [ln for ln in stripped if ln.strip() and not ln.startswith("- ")]


# --------------------------------------------------------------------------- part 1


def _overview_sections(heading: str, lines: Sequence[str]) -> list[_Section]:
    """One section per chapter of 第1部; sub-headings (基本構想, ■ …) name its fields."""
    body = _content_lines(lines)
    sections: list[_Section] = []
    for i, line in enumerate(body):
        following = body[i + 1] if i + 1 < len(body) else ""
        if _CHAPTER.match(line):
            sections.append(_Section((heading, line)))
            continue
        if not sections:
            sections.append(_Section((heading,)))
        if _is_subheading(line, following):
            sections[-1].open(line.removeprefix("■ "))
        else:
            sections[-1].add(_rows_text([line]))
    return sections


def _is_subheading(line: str, following: str) -> bool:
    """A short label line (``基本構想``, ``■ まちづくり重点プログラム``) heading prose."""
    if "\t" in line or re.search(r"[。、…]", line) or len(line) > 20:
        return False
    return line.startswith("■ ") or following.endswith("。")


def _program_legend(text: str) -> dict[str, str]:
    """``重点1`` → ``夢・希望応援プログラム``, from the legend in 第1部."""
    return {m.group("tag"): m.group("name") for m in _PROGRAM_LEGEND.finditer(text)}


# --------------------------------------------------------------------------- part 2


class _SystemReader:
    """Walks 第2部 line by line, keeping the current 分野 / 施策 / 展開 / 主な取組."""

    def __init__(self, bunya_names: list[str]) -> None:
        self.bunya_names = bunya_names
        self.prefixes: list[str] = []
        self.bunya: str | None = None
        self.shisaku: str | None = None
        self.tenkai: str | None = None
        self.torikumi: str | None = None
        self.section: _Section | None = None
        self.sections: list[_Section] = []
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

    def _open_section(self, name: str) -> _Section:
        path = tuple(p for p in (self.bunya, self.shisaku) if p)
        self.section = _Section(path)
        self.section.open(name)
        self.sections.append(self.section)
        return self.section

    def _add(self, line: str, name_if_new: str) -> None:
        # The まちづくり重点プログラム table follows its heading with no sub-heading.
        section = self.section or self._open_section(name_if_new)
        section.add(_rows_text([line]))

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
            listed_name=_one_line(match.group("name")),
            page=match.group("page"),
        )


def _read_system(lines: Sequence[str]) -> tuple[list[_Section], list[Placement]]:
    """Sections (展開 tables, indicator tables) and project placements of 第2部."""
    bunya_names = [ln[2:].strip() for ln in lines if ln.startswith("- ")]
    reader = _SystemReader(bunya_names)
    for line in _content_lines(lines):
        reader.feed(line)
    return reader.sections, reader.placements


def _by_project(placements: Sequence[Placement]) -> dict[str, list[Placement]]:
    out: dict[str, list[Placement]] = {}
    for placement in placements:
        out.setdefault(placement.project_id, []).append(placement)
    return out


# --------------------------------------------------------------------------- part 3


@dataclass(frozen=True)
class _ProjectContext:
    """What a block needs from the rest of the document."""

    placements: dict[str, list[Placement]]
    legend: dict[str, str]
    plan_years: tuple[str, ...]


def _read_blocks(lines: Sequence[str]) -> list[list[list[str]]]:
    """Project blocks as lists of rows (cells split on tabs, positions kept).

    A block is the run of tab-separated rows from a ``事業番号`` row; the only lines
    without a tab in 第3部 are the back-cover colophon, which is not project content.
    """
    blocks: list[list[list[str]]] = []
    in_block = False
    for line in lines:
        if line.startswith("事業番号\t"):
            blocks.append([])
            in_block = True
        elif line.strip() and "\t" not in line:
            in_block = False
        if in_block and line.strip():
            blocks[-1].append(line.split("\t"))
    return blocks


def _plan_years(text: str) -> tuple[str, ...]:
    """The fiscal years of the 事業計画 columns (令和3年度 … 令和5年度), in printed order."""
    years: list[str] = []
    for line in text.split("\n"):
        if line.startswith("事業計画\t"):
            years += [c.strip() for c in line.split("\t") if _YEAR.match(c.strip())]
    return tuple(dict.fromkeys(years))


def _labelled_groups(rows: list[list[str]]) -> list[tuple[str, list[list[str]]]]:
    """Rows grouped under their label (first cell); continuation rows have it empty."""
    groups: list[tuple[str, list[list[str]]]] = []
    for row in rows:
        label = row[0].strip()
        if label or not groups:
            groups.append((label, [row]))
        else:
            groups[-1][1].append(row)
    return groups


def _header_values(row: list[str]) -> dict[str, str]:
    """``事業番号 1 担当課 健康づくり課 重点P 重点1`` → label → value (value may be absent)."""
    cells = [c.strip() for c in row if c.strip()]
    labels = ("事業番号", "担当課", "重点P")
    values = {}
    for label, value in zip(cells, [*cells[1:], ""], strict=True):
        if label in labels and value and value not in labels:
            values[label] = _one_line(value)
    return values


def _project_record(doc: DocumentInfo, rows: list[list[str]], context: _ProjectContext) -> Project:
    """One project block → a ``kind="project"`` record."""
    groups = _labelled_groups(rows)
    header = _header_values(groups[0][1][0])
    project_id = header["事業番号"]
    name, fields = _block_fields(groups[1:], context)
    if "重点P" in header:
        fields.insert(0, Field("重点プログラム", _program_text(header["重点P"], context.legend)))
    placements = context.placements.get(project_id, [])
    if placements:
        fields.append(Field("施策体系", "\n".join(dict.fromkeys(p.line for p in placements))))
    return project_record(
        doc,
        project_key=project_id,
        project_id=project_id,
        name=name,
        department=header.get("担当課"),
        path=placements[0].path if placements else ("第3部 実施計画事業",),
        fields=tuple(f for f in fields if f.text),
    )


def _block_fields(
    groups: list[tuple[str, list[list[str]]]], context: _ProjectContext
) -> tuple[str, list[Field]]:
    """The 事業名 and the fields of the rows after the 事業番号 row."""
    name = ""
    fields: list[Field] = []
    for label, group in groups:
        if label == "事業名":
            name = _one_line(" ".join(c for c in group[0][1:] if c.strip()))
        elif label == "事業概要":
            fields += _overview_fields(group)
        elif label == "事業計画":
            fields += _plan_fields(group, context.plan_years)
        else:  # no other label occurs here; keep any such row searchable all the same
            fields.append(Field(label, _rows_text(["\t".join(r[1:]) for r in group]) or label))
    return name, fields


def _program_text(value: str, legend: dict[str, str]) -> str:
    """``重点1、2`` → ``重点1、2（夢・希望応援プログラム、くらし安心プログラム）``."""
    names = [legend[f"重点{n}"] for n in re.findall(r"\d", value) if f"重点{n}" in legend]
    return f"{value}（{'、'.join(names)}）" if names else value


# --------------------------------------------------------------------------- 事業概要


def _overview_fields(rows: list[list[str]]) -> list[Field]:
    """実施目的 and 具体的方法 from the label row and its continuation row.

    The conversion puts texts either on the label row, right after the label they
    belong to, or on the next row, 実施目的 first. Both happen in one block: 具体的方法 on
    the label row and a lone 実施目的 on the next (事業番号 121, 127, 202). When the
    labels are adjacent with one text after them (事業番号 19, 20 …), the text follows
    具体的方法 and reads as a method, so it is kept there and no 実施目的 is made up.
    """
    texts: dict[str, list[str]] = {_PURPOSE: [], _METHOD: []}
    current: list[str] | None = None
    for cell in (c.strip() for c in rows[0][1:]):
        if cell in texts:
            current = texts[cell]
        elif cell and current is not None:
            current.append(cell)
    for row in rows[1:]:
        cells = [c.strip() for c in row if c.strip()]
        texts[_PURPOSE] += cells[:1]
        texts[_METHOD] += cells[1:]
    _split_merged_paragraphs(texts)
    return [Field(name, _prose(parts)) for name, parts in texts.items() if _prose(parts)]


def _split_merged_paragraphs(texts: dict[str, list[str]]) -> None:
    """Undo a merged cell ``<p>実施目的</p> <p>具体的方法</p>`` (事業番号 211–213, 249 …).

    In some blocks the converter put both texts into the cell after 具体的方法, one
    ``<p>`` paragraph each; with two paragraphs and no 実施目的, the first is the 実施目的.
    """
    if texts[_PURPOSE] or len(texts[_METHOD]) != 1:
        return
    paragraphs = [p.strip() for p in _PARAGRAPH.findall(texts[_METHOD][0]) if p.strip()]
    if len(paragraphs) >= 2:
        texts[_PURPOSE], texts[_METHOD] = paragraphs[:1], paragraphs[1:]


def _prose(parts: list[str]) -> str:
    """Cell texts as plain lines (``<p>`` paragraphs become lines, spaces squeezed)."""
    return squeeze("\n".join(strip_html_lists(p) for p in parts))


# --------------------------------------------------------------------------- 事業計画


def _plan_fields(rows: list[list[str]], plan_years: tuple[str, ...]) -> list[Field]:
    """One ``事業計画`` field per fiscal year that has content, in year order."""
    per_year: dict[str, list[str]] = {}
    grid: dict[int, str] = {}
    for row in rows:
        cells = [(i, c.strip()) for i, c in enumerate(row) if i > 0 and c.strip()]
        labels = {i: c for i, c in cells if _YEAR.match(c)}
        if labels:
            # A year label on a later row means the table wrapped (事業番号 28, 124, 136).
            grid = labels
        body = [(i, c) for i, c in cells if i not in labels]
        for year, cell in _assign_years(body, grid, plan_years):
            cells_of_year = per_year.setdefault(year, [])
            if cell not in cells_of_year:  # a cell printed twice (事業番号 26, 27)
                cells_of_year.append(cell)
    order = {year: n for n, year in enumerate(plan_years)}
    years = sorted(per_year, key=lambda year: order.get(year, len(order)))
    texts = ((year, "\n".join(_plan_lines(c) for c in per_year[year])) for year in years)
    return [Field("事業計画", text, year) for year, text in texts if text]


def _assign_years(
    body: list[tuple[int, str]], grid: dict[int, str], plan_years: tuple[str, ...]
) -> list[tuple[str, str]]:
    """Year of each text cell of a 事業計画 row, from the column of the year labels.

    Texts normally sit in the columns of their labels. When a year label was lost in
    conversion (事業番号 142, 144 print only 令和3年度 and 令和4年度 above three texts),
    a row with one text per plan year is read in year order. Otherwise an off-grid text
    belongs to the nearest label on its left: a repeated cell (事業番号 26, 27) or the
    sub-list of the previous year (事業番号 201).
    """
    if not body or not grid:
        return []
    if all(i in grid for i, _ in body):
        return [(grid[i], text) for i, text in body]
    if len(body) == len(plan_years) > len(grid):
        return list(zip(plan_years, (text for _, text in body), strict=True))
    columns = sorted(grid)
    return [(grid[max([c for c in columns if c <= i] or columns[:1])], text) for i, text in body]


def _plan_lines(cell: str) -> str:
    """A plan cell as one item per line: HTML lists stripped, run-on ●/○ items split."""
    return squeeze(_BULLET.sub(r"\n\1", strip_html_lists(cell)))
