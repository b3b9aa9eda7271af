"""Parser for ``isesaki-action-plan-r7``.

第3次伊勢崎市総合計画 前期アクションプラン, chapter 重点プロジェクト (令和7〜11年度).

The PDF was converted one printed line per text line, with hard line breaks inside
sentences and table cells and (mostly) a blank line between printed lines. The one
reliable signal is the trailing space: the converter ends every text block (a
paragraph, a heading, a table cell) with a space, while a line wrapped by the PDF
layout has none. Layout, top to bottom:

* ``１ 重点プロジェクトとは`` with subsections ``（１）`` … ``（５）``: prose, a diagram
  (``【重点プロジェクトと国の総合戦略の関係】``), the project-indicator table, the
  ``【ＳＤＧｓローカル指標】`` table (政策 | 重点施策 | ・指標 …) and the call-outs that
  explain how to read the project pages.
* ``２ 重点プロジェクト``: five projects (``少子高齢化対策プロジェクト`` …), each with

  - ``◼ プロジェクトのねらい`` (prose), ``◼ プロジェクト指標`` (table
    指標名 | 現状値 | 目標値 | 解説・算出方法など; the ◼ is missing once),
  - ``◼ 基本的方向`` with ``➢ 地域の実情・課題認識`` (prose) and
    ``➢ 取組の方向性・目指す地域の姿``: three groups of title, description and
    ``主な取組：…``,
  - ``◼ 「取組の方向性・目指す地域の姿」と対応する施策の展開方針``: per group, rows
    ``重点施策 1-1`` / ``方針２：<title>`` / indicator / 現状値 / 目標値 / ``Ｐ.○``;
    projects 4–5 print ``…施策ごとの取組`` instead, with rows
    ``方針２関係：<取組>`` / 関連事業 / 指標名 / values,
  - ``◼ 関連計画`` (plan names separated by two spaces) and ``※term：…`` footnotes at
    the bottom of the pages, wherever the page break falls.

* ``３ 重点施策との対応``: the 36 重点施策 (by 政策) against the five projects, a
  matrix of ◎/○ printed as one line of space-separated cells per 重点施策.

Records: one ``project`` record per 重点施策・方針 row (``1-1 方針2``, named after its
重点プロジェクト); a number printed twice gets the keys ``<id>_2``, ``<id>_3`` …
Everything else becomes ``section`` records; a project's own text (ねらい, 指標,
基本的方向, 関連計画, 用語解説) goes into sections whose path starts with the project.
The document names no responsible department, so ``department`` is always None.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from indexer.records import DocumentInfo, Field, Project, project_record, section_record
from indexer.textclean import nfkc, squeeze

_T = TypeVar("_T")

# --------------------------------------------------------------------------- lines

# Lines that always begin a new text block, even when the previous line was wrapped:
# chapter and subsection headings, ◼/➢ headings, figure titles, footnotes, table rows.
_BLOCK_START = re.compile(
    r"^(?:[０-９]\s|（[０-９]）|◼|➢|【|※|重点施\S\s*\d|方針\s*[0-9０-９]+(?:関係)?：|主な取組：)"
)
_PAGE_NUMBER = re.compile(r"\s*\d{1,3}\s*")
_LONE_PUNCT = re.compile(r"\s*[。、]\s*")
_RUBY = re.compile(r"[ぁ-ゖ]{2,8}")
_KANJI_END = re.compile(r"[\u4e00-\u9fff々]$")


@dataclass(frozen=True)
class _Line:
    """One text block after rejoining: its text and the raw lines it came from.

    ``closed`` is False when the block never saw a trailing space (diagram labels,
    which the converter left without the end-of-block marker).
    """

    text: str
    raw: tuple[str, ...]
    closed: bool = True

    @property
    def parts(self) -> list[str]:
        """The printed lines of the block, stripped."""
        return [r.strip() for r in self.raw]


def _is_noise(raw: str, pending: Sequence[str]) -> bool:
    """Blank lines, page numbers, a stray ``。`` and furigana lines carry no text.

    The ruby (reading) of a word is printed on its own line right after the wrapped
    line ending in that word: ``デジタル化を牽引`` / ``けんいん`` / ``する人材…``.
    """
    if not raw.strip() or _PAGE_NUMBER.fullmatch(raw) or _LONE_PUNCT.fullmatch(raw):
        return True
    return bool(pending and _RUBY.fullmatch(raw) and _KANJI_END.search(pending[-1].rstrip()))


def _block(raw: list[str], closed: bool) -> _Line:
    return _Line(squeeze("".join(r.strip() for r in raw)), tuple(raw), closed)


def logical_lines(raw_lines: Iterable[str]) -> list[_Line]:
    """Rejoin PDF-wrapped lines into text blocks (paragraph lines, headings, cells).

    A line without trailing whitespace was wrapped by the layout and continues on
    the next non-blank line; a line ending in whitespace ends its block. A line
    that starts a heading, a footnote or a table row is never glued to the previous
    one, so two cells or two headings never merge.
    """
    out: list[_Line] = []
    pending: list[str] = []
    for raw in raw_lines:
        if _is_noise(raw, pending):
            continue
        if pending and _BLOCK_START.match(raw.strip()):
            out.append(_block(pending, closed=False))
            pending = []
        pending.append(raw)
        if raw != raw.rstrip():
            out.append(_block(pending, closed=True))
            pending = []
    if pending:
        out.append(_block(pending, closed=False))
    return out


def rejoin_wrapped(raw_lines: Iterable[str]) -> list[str]:
    """Texts of :func:`logical_lines`: one string per paragraph line, heading or cell."""
    return [line.text for line in logical_lines(raw_lines)]


def _is_prose_stop(text: str) -> bool:
    return text.startswith(("【", "※"))


def join_paragraphs(lines: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split leading prose from what follows it (a table, a figure, footnotes).

    Paragraphs end with ``。``. A few paragraph lines end in a real space although
    the sentence goes on (``「えがお咲く未来へ `` / ``持続可能な…目指します。``), so a
    line that does not end a sentence is joined to the next one when that one does.
    Returns the paragraphs and the remaining lines.
    """
    paragraphs: list[str] = []
    carried = ""  # a line whose sentence ends on the next one
    for i, text in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if _is_prose_stop(text):
            return paragraphs, list(lines[i:])
        if text.endswith("。"):
            paragraphs.append(carried + text)
            carried = ""
        elif following.endswith("。") and not _is_prose_stop(following):
            carried = text
        else:
            return paragraphs, list(lines[i:])
    return paragraphs, []


# ------------------------------------------------------------------ shared helpers

_FOOTNOTE = re.compile(r"^※[^：。]{1,40}：")
_FIGURE_TITLE = re.compile(r"^【(.+)】$")
_YEAR_PAREN = re.compile(r"^[（(]\s*(令和[^）)]*?)\s*[）)]$")
_PAREN = r"[（(][^（()）]*[）)]"
_NUM = r"[0-9０-９][0-9０-９,，.．]*"
_UNIT = r"(?:万人|事業所|事業|人|％|件|倍|歳|日|校|店|名|基|部|枚|回|ｈａ|ｋｍ2|ｍ2)?"
# One printed value: ``95.2％``, ``5,000人以上``, ``－``, ``待機児童なし``,
# ``男性 79.4歳``, ``26,186人 （令和５年）``, ``10,778人 （累計）``.
_VALUE = (
    rf"(?:(?:男性|女性|小学校|中学校)\s*)?"
    rf"(?:{_NUM}{_UNIT}(?:以上|以下)?|－|待機児童なし)(?:\s*{_PAREN})*"
)
_VALUE_RE = re.compile(_VALUE)
_VALUES_ONLY = re.compile(rf"{_VALUE}(?:\s+{_VALUE})*")
_NAME_VALUES = re.compile(rf"(?P<name>.*?\S)\s+(?P<vals>{_VALUE}(?:\s+{_VALUE})*)")
_PAGE_REF = re.compile(r"\s*Ｐ\.[○〇]$")
_REIWA_YEAR = re.compile(r"[（(]\s*(令和\s*[0-9０-９]+\s*年度?)\s*[）)]")


def _group_under(
    items: Iterable[_T], heading: Callable[[_T], str | None]
) -> list[tuple[str, list[_T]]]:
    """Items grouped under the items for which ``heading`` returns a title.

    Items before the first heading (a cover, a table of contents) are dropped.
    """
    groups: list[tuple[str, list[_T]]] = []
    for item in items:
        title = heading(item)
        if title is not None:
            groups.append((title, []))
        elif groups:
            groups[-1][1].append(item)
    return groups


def _is_footnote(text: str) -> bool:
    """``※term：explanation`` at a page bottom (not ``※当該年度の平均値`` in a cell)."""
    return bool(_FOOTNOTE.match(text))


def _year_label(text: str) -> str:
    """``（令和 11年度 ）`` → ``令和11年度`` (spaces are PDF artefacts)."""
    inner = _YEAR_PAREN.match(text)
    return re.sub(r"\s+", "", inner.group(1) if inner else text)


def _value_split(cell: str) -> tuple[str, str] | None:
    """``(name, values)`` when the cell ends with printed values, else None."""
    if _VALUES_ONLY.fullmatch(cell):
        return "", cell
    m = _NAME_VALUES.fullmatch(cell)
    return (m["name"], m["vals"]) if m else None


def _merge_parens(cells: Iterable[str]) -> list[str]:
    """Attach a lone ``（令和５年）`` / ``（累計）`` cell to the value printed above it."""
    out: list[str] = []
    for cell in cells:
        if out and re.fullmatch(_PAREN, cell) and _value_split(out[-1]):
            out[-1] = f"{out[-1]} {cell}"
        else:
            out.append(cell)
    return out


def _value_text(token: str) -> str:
    """``26,186人 （令和 11年）`` → ``26,186人（令和11年）``."""
    return re.sub(r"\s+(?=[（(])|(?<=令和)\s+", "", squeeze(token))


def _current_and_target(values: str) -> tuple[list[str], list[str]]:
    """Split the printed values of one indicator into 現状値 and 目標値 halves."""
    tokens = [_value_text(m.group(0)) for m in _VALUE_RE.finditer(values)]
    half = (len(tokens) + 1) // 2
    return tokens[:half], tokens[half:]


def _with_year(tokens: list[str], default: str | None) -> tuple[str, str | None]:
    """Text of a value and its year: the value's own ``（令和５年）`` or the column's."""
    text = "\n".join(tokens)
    m = _REIWA_YEAR.search(text)
    if not m:
        return text, default
    return _REIWA_YEAR.sub("", text).strip(), re.sub(r"\s+", "", m.group(1))


# --------------------------------------------------------------------- drafts


@dataclass(frozen=True)
class _Draft:
    """A record before keys are assigned."""

    path: tuple[str, ...]
    fields: tuple[Field, ...]
    project_id: str | None = None
    project_name: str | None = None


def _section(path: tuple[str, ...], fields: Iterable[tuple[str, str]]) -> _Draft | None:
    """A section draft from (name, text) pairs; empty texts are dropped."""
    kept = tuple(Field(name, text) for name, text in fields if text.strip())
    return _Draft(path, kept) if kept else None


def _finalize(drafts: Iterable[_Draft | None], doc: DocumentInfo) -> list[Project]:
    """Assign keys (``<id>``, ``<id>_2`` …, ``section-<n>``) and build the records."""
    seen: Counter[str] = Counter()
    sections = 0
    out: list[Project] = []
    for d in drafts:
        if d is None:
            continue
        if d.project_id is None:
            sections += 1
            key = f"section-{sections}"
        else:
            seen[d.project_id] += 1
            n = seen[d.project_id]
            key = d.project_id if n == 1 else f"{d.project_id}_{n}"
        out.append(_record(d, key, doc))
    return out


def _record(d: _Draft, key: str, doc: DocumentInfo) -> Project:
    if d.project_id is None:
        return section_record(doc, key, d.path, d.fields)
    return project_record(
        doc,
        project_key=key,
        project_id=d.project_id,
        name=d.project_name,
        department=None,  # the document names no 担当部/所管 for any 施策
        path=d.path,
        fields=d.fields,
    )


# ------------------------------------------------------------------ chapters

_CHAPTER = re.compile(r"^\s*[０-９]\s+\S+\s*$")


class _Chapter(NamedTuple):
    """A numbered chapter: heading, raw lines and rejoined lines."""

    heading: str
    raw: list[str]
    lines: list[_Line]


def _split_chapters(raw_lines: Sequence[str]) -> dict[str, _Chapter]:
    """Chapters by ASCII number (``"1"`` for ``１ 重点プロジェクトとは`` …)."""
    groups = _group_under(raw_lines, lambda r: squeeze(r) if _CHAPTER.match(r) else None)
    return {nfkc(h[0]): _Chapter(h, raw, logical_lines(raw)) for h, raw in groups}


# ----------------------------------------------------- chapter 1: introduction

_SUBSECTION = re.compile(r"^（[０-９]）\s*\S")
_INDICATOR_HEAD = {"指標名", "プロジェクト指標", "現状値", "目標値", "解説・算出方法など"}


def _intro_drafts(chapter: str, lines: list[_Line], projects: set[str]) -> list[_Draft | None]:
    """One section per ``（n）`` subsection: 本文, its figure/table and footnotes."""
    drafts: list[_Draft | None] = []
    subsections = _group_under(lines, lambda ln: ln.text if _SUBSECTION.match(ln.text) else None)
    for heading, body in subsections:
        notes = [ln.text for ln in body if _is_footnote(ln.text)]
        body = [ln for ln in body if not _is_footnote(ln.text)]
        paragraphs, rest = join_paragraphs([ln.text for ln in body])
        fields = [("本文", "\n".join(paragraphs))]
        fields += _segment_fields(body[len(body) - len(rest) :], projects)
        fields.append(("用語解説", "\n".join(notes)))
        drafts.append(_section((chapter, heading), fields))
    return drafts


def _segment_fields(lines: list[_Line], projects: set[str]) -> list[tuple[str, str]]:
    """Fields for the figures and tables after the prose, split at ``【title】``."""
    segments: list[tuple[str | None, list[_Line]]] = [(None, [])]
    for line in lines:
        title = _FIGURE_TITLE.match(line.text)
        if title:
            segments.append((title.group(1), []))
        else:
            segments[-1][1].append(line)
    return [_segment_field(title, body, projects) for title, body in segments if body]


def _segment_field(title: str | None, body: list[_Line], projects: set[str]) -> tuple[str, str]:
    texts = [ln.text for ln in body]
    if texts[0] in _INDICATOR_HEAD:
        return title or texts[0], "\n".join(_indicator_table(texts, projects))
    if texts[0].startswith("政策 重点施策"):
        return title or "表", "\n".join(_sdgs_table(texts))
    # Diagram labels lack the end-of-block space and were glued: keep printed lines.
    lines = [p for ln in body for p in (ln.parts if not ln.closed else [ln.text])]
    return title or "本文", "\n".join(squeeze(p) for p in lines if p.strip())


def _sdgs_table(cells: list[str]) -> list[str]:
    """``政策 | 重点施策 | 指標、指標…`` rows of the ＳＤＧｓローカル指標 table.

    A 政策 name may be split over two cells (``共生・共創・`` / ``行財政政策``).
    """
    rows: list[list[str]] = []
    policy, previous_was_policy = "", False
    for cell in cells[1:]:
        if re.match(r"^\d-\d", cell):
            rows.append([policy, cell, ""])
        elif cell.startswith("・") and rows:
            rows[-1][2] += ("、" if rows[-1][2] else "") + cell[1:].strip()
        else:
            policy = policy + cell if previous_was_policy else cell
        previous_was_policy = not re.match(r"^(\d-\d|・)", cell)
    return [" | ".join(cells[0].split())] + [" | ".join(r) for r in rows]


def _table_header(cells: list[str]) -> tuple[list[str], list[str]]:
    """Header columns (``現状値（令和５年度）`` …) and the remaining cells."""
    columns: list[str] = []
    i = 0
    while i < len(cells) and (cells[i] in _INDICATOR_HEAD or _YEAR_PAREN.match(cells[i])):
        if _YEAR_PAREN.match(cells[i]) and columns:
            columns[-1] += f"（{_year_label(cells[i])}）"
        else:
            columns.append(cells[i])
        i += 1
    return columns, cells[i:]


def _indicator_table(cells: list[str], groups: set[str]) -> list[str]:
    """A プロジェクト指標 table as ``指標 | 現状値 | 目標値 [| 解説]`` lines.

    Each indicator is its name, then its values (inline or on the next cells),
    then its explanation; a cell equal to a project name starts a group.
    """
    header, body = _table_header(cells)
    rows: list[list[str]] = []  # [name, values] or [name, values, explanation] or [group]
    pending: list[str] = []
    for cell in _merge_parens(body):
        split = None if cell in groups else _value_split(cell)
        if split is None:
            pending.append(cell)
        elif not split[0] and not pending and rows and len(rows[-1]) == 2:
            rows[-1][1] += f" {split[1]}"  # values continued on the next printed line
        else:
            name = split[0] or (pending.pop() if pending else "")
            _flush_explanation(rows, pending, groups)
            rows.append([name, split[1]])
    _flush_explanation(rows, pending, groups)
    return [" | ".join(header)] + [" | ".join(_indicator_cells(r)) for r in rows]


def _indicator_cells(row: list[str]) -> list[str]:
    if len(row) < 2:
        return row
    current, target = _current_and_target(row[1])
    return [row[0], " ".join(current), " ".join(target), *row[2:]]


def _flush_explanation(rows: list[list[str]], pending: list[str], groups: set[str]) -> None:
    """Text cells after a row's values: its explanation, or a group heading row."""
    explanation = [c for c in pending if c not in groups]
    if explanation and rows:
        rows[-1].append(" ".join(explanation))
    rows.extend([c] for c in pending if c in groups)
    pending.clear()


# --------------------------------------------------------- chapter 2: projects

_PROJECT = re.compile(r"^(\S+プロジェクト)$")
_BLOCK = re.compile(
    r"^◼\s*(?P<a>.+)$|^(?P<b>プロジェクトのねらい|プロジェクト指標|基本的方向|関連計画)$"
)
_SUBBLOCK = re.compile(r"^➢\s*(.+)$")
_ROW_START = re.compile(r"^重点施\S\s*(\d+)\s*[-－]\s*(\d+)$")
_POLICY = re.compile(r"^方針\s*([0-9０-９]+)\s*(関係)?\s*：\s*(.+)$")
_TABLE_HEADER = re.compile(r"^(?:施策の展開方針|取組\s+関連事業)\s+(\S+)$")
_DIRECTION = "取組の方向性・目指す地域の姿"
_VALUE_COLUMNS = ("現状値", "目標値")


@dataclass
class _Group:
    """A 取組の方向性・目指す地域の姿 group: title, description and 主な取組."""

    title: str
    description: str = ""
    actions: str = ""


@dataclass
class _Row:
    """One 重点施策・方針 row of a project's table, as printed."""

    measure: str
    group: _Group | None
    label: str
    years: tuple[str | None, str | None]
    number: str = ""
    kind: str = "方針"
    title: str = ""
    cells: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Indicator:
    business: str | None
    name: str
    current: tuple[str, str | None]
    target: tuple[str, str | None]


def _split_projects(lines: list[_Line]) -> list[tuple[str, list[_Line]]]:
    """Lines per 重点プロジェクト: a ``…プロジェクト`` line followed by a ◼ heading."""
    projects: list[tuple[str, list[_Line]]] = []
    for i, line in enumerate(lines):
        following = lines[i + 1].text if i + 1 < len(lines) else ""
        if _PROJECT.match(line.text) and following.startswith("◼"):
            projects.append((line.text, []))
        elif projects:
            projects[-1][1].append(line)
    return projects


def _project_drafts(name: str, lines: list[_Line], measures: dict[str, str]) -> list[_Draft | None]:
    """Sections and 方針 records of one 重点プロジェクト, in document order."""
    # The project's icon label (``少子高齢化対策``) is printed beside the page text.
    icon = name.removesuffix("プロジェクト")
    lines = [ln for ln in lines if ln.text != icon]
    notes = [ln.text for ln in lines if _is_footnote(ln.text)]
    blocks = _group_under([ln for ln in lines if not _is_footnote(ln.text)], _block_heading)
    groups: list[_Group] = []
    drafts: list[_Draft | None] = []
    for heading, body in blocks:
        texts = [ln.text for ln in body]
        if heading == "基本的方向":
            groups, new = _direction_drafts(name, texts)
            drafts += new
        elif heading.startswith("「"):
            drafts += [_row_draft(name, r, measures) for r in _policy_rows(texts, groups)]
        else:
            drafts.append(_block_section(name, heading, body))
    drafts.append(_section((name, "用語解説"), [("用語解説", "\n".join(notes))]))
    return drafts


def _block_heading(line: _Line) -> str | None:
    """``◼ <heading>``; the 産業活性化 page lost the ◼ of ``プロジェクト指標``."""
    m = _BLOCK.match(line.text)
    return (m["a"] or m["b"]) if m else None


def _block_section(project: str, heading: str, body: list[_Line]) -> _Draft | None:
    """ねらい (prose), プロジェクト指標 (table) or 関連計画 (one plan per line)."""
    texts = [ln.text for ln in body]
    if heading == "プロジェクト指標":
        text = "\n".join(_indicator_table(texts, set()))
    elif heading == "関連計画":
        # Plan names are separated by two or more spaces on the printed line.
        plans = [p for ln in body for part in ln.parts for p in re.split(r"\s{2,}", part)]
        text = "\n".join(squeeze(p) for p in plans if p.strip())
    else:
        paragraphs, rest = join_paragraphs(texts)
        text = "\n".join(paragraphs + rest)
    return _section((project, heading), [(heading, text)])


def _direction_drafts(project: str, texts: list[str]) -> tuple[list[_Group], list[_Draft | None]]:
    """The ➢ parts of 基本的方向: 地域の実情・課題認識 and the 目指す姿 groups."""
    groups: list[_Group] = []
    drafts: list[_Draft | None] = []
    for heading, body in _group_under(texts, _subblock_heading):
        path = (project, "基本的方向", heading)
        if heading == _DIRECTION:
            groups = _direction_groups(body)
            fields = [(g.title, f"{g.description}\n主な取組：{g.actions}") for g in groups]
            drafts.append(_section(path, fields))
        else:
            paragraphs, rest = join_paragraphs(body)
            drafts.append(_section(path, [(heading, "\n".join(paragraphs + rest))]))
    return groups, drafts


def _subblock_heading(text: str) -> str | None:
    m = _SUBBLOCK.match(text)
    return m.group(1) if m else None


def _group_title(text: str) -> str:
    """Group titles lost their bullet glyph; one kept it as ``・``."""
    return squeeze(re.sub(r"^[・\s]+", "", text))


def _direction_groups(texts: list[str]) -> list[_Group]:
    """Title, description (ends with ``。``) and ``主な取組：…`` of each group."""
    groups: list[_Group] = []
    for text in texts:
        current = groups[-1] if groups else None
        if text.startswith("主な取組：") and current:
            current.actions = text.removeprefix("主な取組：").strip()
        elif current and not current.actions and not current.description.endswith("。"):
            current.description += text
        else:
            groups.append(_Group(_group_title(text)))
    return groups


@dataclass
class _TableContext:
    """What the 対応 table printed above the current row: group heading and header.

    The header (``施策の展開方針 成果指標`` / ``現状値`` / ``（令和５年度）`` / …) is
    repeated on every page; it names the indicator column and the value years.
    """

    groups: dict[str, _Group]
    group: _Group | None = None
    label: str = "成果指標"
    years: list[str | None] = field(default_factory=lambda: [None, None])
    awaiting: int = -1  # index into ``years`` after ``現状値`` / ``目標値``

    def consume(self, text: str) -> bool:
        """Take a group heading or header cell and return True; False for row cells."""
        header = _TABLE_HEADER.match(text)
        if _group_title(text) in self.groups:
            self.group = self.groups[_group_title(text)]
        elif header:
            self.label = header.group(1)
        elif text in _VALUE_COLUMNS:
            self.awaiting = _VALUE_COLUMNS.index(text)
        elif self.awaiting >= 0 and _YEAR_PAREN.match(text):
            self.years[self.awaiting] = _year_label(text)
            self.awaiting = -1
        elif text not in ("参照", "ページ"):
            return False
        return True

    def new_row(self, measure: str) -> _Row:
        return _Row(measure, self.group, self.label, (self.years[0], self.years[1]))


def _policy_rows(texts: list[str], groups: list[_Group]) -> list[_Row]:
    """Rows of a 施策の展開方針 / 施策ごとの取組 table, with their group and header."""
    context = _TableContext({g.title: g for g in groups})
    rows: list[_Row] = []
    for text in texts:
        start = _ROW_START.match(text)
        if context.consume(text):
            continue
        if start:
            rows.append(context.new_row(f"{start[1]}-{start[2]}"))
        elif rows:
            _add_cell(rows[-1], text)
    return rows


def _add_cell(row: _Row, text: str) -> None:
    """The ``方針Ｎ：…`` / ``方針Ｎ関係：…`` cell names the row; the rest are its cells."""
    m = _POLICY.match(text)
    if m and not row.title:
        row.number = nfkc(m[1])
        row.kind = "取組" if m[2] else "方針"
        row.title = squeeze(m[3])
    else:
        row.cells.append(text)


def _indicators(row: _Row) -> list[_Indicator]:
    """The row's indicators; each ends with the page reference ``Ｐ.○``.

    One 取組 row lists two 関連事業 with an indicator each, the second without a
    repeated ``重点施策`` cell, so a row may hold several indicators.
    """
    out: list[_Indicator] = []
    current: list[str] = []
    for cell in row.cells:
        ended = bool(_PAGE_REF.search(cell))
        cell = _PAGE_REF.sub("", cell)
        if cell:
            current.append(cell)
        if ended and current:
            out.append(_indicator(current, row))
            current = []
    if current:
        out.append(_indicator(current, row))
    return out


def _split_business(cells: list[str]) -> tuple[str, list[str]]:
    """The 関連事業 cell(s) of a 取組 row: up to the first text ending in ``事業``."""
    for n in range(1, len(cells) + 1):
        if "".join(cells[:n]).endswith("事業"):
            return "".join(cells[:n]), cells[n:]
    return cells[0], cells[1:]


def _split_name_values(cells: list[str]) -> tuple[str, str]:
    """Indicator name and printed values; the values may share the name's line.

    A name split by a stray end-of-block space (``就労支援セミナー等の講座`` /
    ``開催数（ＤＸ人材に関する講座）``) is one cell printed in two blocks: rejoined.
    """
    k = len(cells)
    while k > 0 and _VALUES_ONLY.fullmatch(cells[k - 1]):
        k -= 1
    names, values = cells[:k], " ".join(cells[k:])
    split = _value_split(names[-1]) if names else None
    if split and split[0]:
        names, values = [*names[:-1], split[0]], f"{split[1]} {values}".strip()
    return "".join(names), values


def _indicator(cells: list[str], row: _Row) -> _Indicator:
    """関連事業 (取組 tables only), indicator name, 現状値 and 目標値 of one indicator."""
    cells = _merge_parens(cells)
    business = None
    if row.kind == "取組":
        business, cells = _split_business(cells)
    name, values = _split_name_values(cells)
    current, target = _current_and_target(values)
    return _Indicator(
        business, name, _with_year(current, row.years[0]), _with_year(target, row.years[1])
    )


def _row_draft(project: str, row: _Row, measures: dict[str, str]) -> _Draft:
    """A project record: ``1-1 方針2`` of ``少子高齢化対策プロジェクト``."""
    title = f"重点施策 {row.measure} {measures.get(row.measure, '')}".strip()
    fields = [Field(row.kind, row.title)]
    for ind in _indicators(row):
        if ind.business:
            fields.append(Field("関連事業", ind.business))
        fields.append(Field(row.label, ind.name))
        fields.append(Field("現状値", *ind.current))
        fields.append(Field("目標値", *ind.target))
    if row.group:
        fields.append(Field(_DIRECTION, f"{row.group.title}\n{row.group.description}"))
        fields.append(Field("主な取組", row.group.actions))
    kept = tuple(f for f in fields if f.text.strip())
    return _Draft((project, title), kept, f"{row.measure} 方針{row.number}", project)


# ------------------------------------------------- chapter 3: correspondence

_MEASURE = re.compile(r"^(\d-\d)\s*(\S.*)$")
_MARKS = re.compile(r"[◎○ ]{5,}")


def _measure_names(lines: list[_Line]) -> dict[str, str]:
    """重点施策 number → name, from the list in chapter 3 (``1-1子どもを…``)."""
    return {m[1]: m[2] for ln in lines if (m := _MEASURE.match(ln.text))}


def _mark_rows(raw_lines: list[str]) -> list[list[str]]:
    """The ◎/○ matrix: one line of five space-separated cells per 重点施策.

    Cells are joined by one space and the line ends with one more, so an empty
    row is five spaces; these lines must be read raw, before blank-line removal.
    """
    rows = [raw[:-1].split(" ") for raw in raw_lines if _MARKS.fullmatch(raw)]
    return [r for r in rows if len(r) == 5]


def _matrix_rows(chapter: _Chapter, projects: list[str]) -> list[str]:
    """``政策 | 重点施策 | <project> ◎ …`` per 重点施策, in printed order."""
    rows: list[tuple[str, re.Match[str]]] = []
    policy = ""
    for ln in chapter.lines:
        m = _MEASURE.match(ln.text)
        if m:
            rows.append((policy, m))
        elif ln.text.endswith("政策"):
            policy = ln.text
    marks = _mark_rows(chapter.raw)
    if len(marks) != len(rows):  # never pair marks with the wrong 重点施策
        marks = [[] for _ in rows]
    out = ["政策 | 重点施策 | 重点プロジェクト（伊勢崎市版総合戦略）"]
    for (policy, m), row in zip(rows, marks, strict=True):
        cells = [f"{p} {mark}" for p, mark in zip(projects, row, strict=False) if mark]
        out.append(" | ".join([policy, f"{m[1]} {m[2]}", *cells]))
    return out


def _matrix_drafts(chapter: _Chapter, projects: list[str]) -> list[_Draft | None]:
    """Chapter 3: its sentence, the correspondence table and the legend note."""
    texts = [ln.text for ln in chapter.lines]
    intro = [t for t in texts if t.endswith("。") and not t.startswith("※")]
    notes = [t for t in texts if t.startswith("※")]
    fields = [
        ("本文", "\n".join(intro)),
        ("重点施策と重点プロジェクトの対応関係", "\n".join(_matrix_rows(chapter, projects))),
        ("注", "\n".join(notes)),
    ]
    return [_section((chapter.heading,), fields)]


# ------------------------------------------------------------------ entry point


def parse(text: str, doc: DocumentInfo) -> list[Project]:
    """Parse the 重点プロジェクト document into section and 方針 records, in order."""
    chapters = _split_chapters(text.split("\n"))
    intro, body, matrix = (chapters.get(n) for n in "123")
    projects = _split_projects(body.lines) if body else []
    names = [name for name, _ in projects]
    measures = _measure_names(matrix.lines) if matrix else {}
    drafts: list[_Draft | None] = []
    if intro:
        drafts += _intro_drafts(intro.heading, intro.lines, set(names))
    for name, lines in projects:
        drafts += _project_drafts(name, lines, measures)
    if matrix:
        drafts += _matrix_drafts(matrix, names)
    return _finalize(drafts, doc)
