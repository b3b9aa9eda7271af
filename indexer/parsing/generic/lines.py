"""What one line of a plan is: a numbered heading, the start of a project, a table's header
row, or text. Pure functions of one line; the walk over the document is in ``walk``.

The words are those Japanese plans print for their parts (事業番号, 事業名, 担当課 …): a
layout-independent parser still has to know the vocabulary, not the layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.parsing.generic.numbers import CIRCLED, NUMBER, is_number, normalize
from indexer.textclean import squeeze, strip_html_lists

NUMBER_LABELS = re.compile(
    r"(事業\s*番号|事業\s*No\.?|事業\s*NO\.?|No\.?|NO\.?|番号|取組番号|項目番号|整理番号)"
)
NAME_LABELS = {"事業名", "取組項目", "取 組 項 目", "項目名", "事業名称", "名称", "施策名"}
DEPARTMENT_LABELS = {"担当課", "担当部課", "担当部", "所管課", "担当部署", "担当", "課名"}
# Headings that carry a number after a word (重点施策 1-1, 施策 01).
_SECTION_WORDS = r"(重点施策|基本施策|施策|基本目標|基本方針|政策|重点プロジェクト)"
# An ordinal after a word that starts a project on its own line (方針２：…).
# (a word or two may follow the number: 方針１関係：…)
_ORDINAL_START = re.compile(r"(方針|取組|事業)\s*([0-9０-９]+)\s*[^\s：:]{0,3}[：:]\s*(.*)")
_CIRCLED_START = re.compile(rf"([{CIRCLED}])\s*(\S.*)")
_DEPARTMENT_TAIL = re.compile(r"\s*[（(]([^（）()]*(?:部|課|室|局|所|センター)[^（）()]*)[）)]\s*$")
_YEAR = re.compile(r"(令和|平成)\s*([0-9０-９]+|元)\s*年度(まで)?")
_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("chapter", re.compile(r"(第[0-9０-９]+[章節部編])\s*(.*)")),
    ("word", re.compile(rf"{_SECTION_WORDS}\s*((?:[0-9０-９]+[-－])*[0-9０-９]+)\s*(.*)")),
    ("dashed", re.compile(r"([0-9０-９]+(?:[-－][0-9０-９]+)+)\s+(\D.*)")),
    ("arabic", re.compile(r"([0-9０-９]{1,2})[.．]?\s+(\D.*)")),
    ("paren", re.compile(r"([(（][0-9０-９]{1,2}[)）])\s*(\S.*)")),
    ("circled", re.compile(rf"([{CIRCLED}])\s*(\S.*)")),
)
MAX_HEADING = 50


@dataclass(frozen=True)
class Heading:
    """A numbered heading: its scheme (which level it is), number and title."""

    scheme: str
    number: str
    title: str

    @property
    def label(self) -> str:
        """How the section path shows it (a word heading carries its number already)."""
        if self.scheme.startswith("word:"):
            return self.title.strip()
        return f"{self.number} {self.title}".strip()


@dataclass(frozen=True)
class Start:
    """The line that opens a project: its number as printed (not yet qualified), name,
    department and any label–value pairs on the same line."""

    number: str
    name: str | None
    department: str | None
    pairs: tuple[tuple[str, str], ...] = ()
    contents: bool = False  # a row of a table that lists projects (often the contents)
    ordinal: bool = False  # 方針２：… (a name that a narrow column may cut into lines)


def cells_of(line: str) -> list[str]:
    """The line's tab-separated cells as plain text (HTML lists turned into lines)."""
    return [squeeze(strip_html_lists(c)) for c in line.split("\t")]


def filled(cells: list[str]) -> list[str]:
    return [c for c in cells if c]


def heading_of(line: str) -> Heading | None:
    """The heading a line is, when it is a short numbered line without cells."""
    text = line.strip().lstrip("#").strip().removeprefix("- ").strip()
    if "\t" in line.strip() or not text or len(text) > MAX_HEADING or text.endswith("。"):
        return None
    for scheme, pattern in _HEADINGS:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        if scheme == "word":
            number = normalize(m.group(2))
            return Heading(f"word:{m.group(1)}", number, f"{m.group(1)} {number} {m.group(3)}")
        number = normalize(m.group(1))
        if scheme == "dashed":
            scheme = f"dashed{number.count('-')}"
        return Heading(scheme, number, m.group(2).strip())
    return None


def split_department(name: str) -> tuple[str, str | None]:
    """A name that ends with its department in brackets, as (name, department)."""
    m = _DEPARTMENT_TAIL.search(name)
    if m is None or m.start() == 0:
        return name, None
    return name[: m.start()].strip(), " ".join(m.group(1).split())


def _label_pairs(cells: list[str]) -> tuple[str | None, str | None, list[tuple[str, str]]]:
    """(name, department, other pairs) read from label–value cells."""
    name = department = None
    pairs: list[tuple[str, str]] = []
    rest: list[str] = []
    i = 0
    while i < len(cells):
        cell = cells[i]
        value = cells[i + 1] if i + 1 < len(cells) else ""
        if cell in NAME_LABELS and value:
            name, i = value, i + 2
        elif cell in DEPARTMENT_LABELS and value:
            department, i = value, i + 2
        else:
            rest.append(cell)
            i += 1
    # The name is the first cell left when the rest do not pair up as labels and values
    # (``事業番号\t14\t担当課\t…\t重点P\t重点2`` names no project; its 事業名 row does).
    if name is None and rest and (len(rest) % 2 or _bracketed(rest[1])):
        name, rest = rest[0], rest[1:]
    if name is not None and department is None and rest and _bracketed(rest[0]):
        department, rest = " ".join(rest[0].strip("()（） ").split()), rest[1:]
    pairs = [(rest[j], rest[j + 1]) for j in range(0, len(rest) - 1, 2)]
    return name, department, pairs


def _bracketed(cell: str) -> bool:
    return cell.startswith(("(", "（")) and cell.endswith((")", "）"))


def labelled_start(line: str) -> Start | None:
    """``事業番号 3-102 <name>``, ``事業番号\\t14\\t担当課\\t…``, ``No.\\t①\\t取組項目\\t…``."""
    cells = filled(cells_of(line))
    if not cells:
        return None
    m = re.fullmatch(rf"{NUMBER_LABELS.pattern}\s*({NUMBER})?", cells[0])
    if m is None:
        return None
    number, rest = m.group(2), cells[1:]
    if number is None:
        if not rest or not is_number(rest[0]):
            return None
        number, rest = rest[0], rest[1:]
    name, department, pairs = _label_pairs(rest)
    if name is not None:
        name, bracketed = split_department(name)
        department = department or bracketed
    return Start(normalize(number), name, department, tuple(pairs))


def ordinal_start(line: str) -> Start | None:
    """A line that opens with an ordinal after a word: ``方針２：子育て環境の整備``."""
    if "\t" in line.strip():
        return None
    m = _ORDINAL_START.fullmatch(line.strip())
    if m is None:
        return None
    number = f"{m.group(1)}{normalize(m.group(2))}"
    return Start(number, m.group(3).strip() or None, None, ordinal=True)


def row_start(cells: list[str], header: list[str]) -> Start | None:
    """A table row whose first cell opens with a circled number, under a header row (a
    table of projects, one per row); the department is the column its header names."""
    if len(filled(cells)) < 2 or not cells[0]:
        return None
    m = _CIRCLED_START.fullmatch(cells[0])
    if m is None:
        return None
    department = None
    pairs = []
    for title, cell in zip(header[1:], cells[1:], strict=False):
        if not cell:
            continue
        if title in DEPARTMENT_LABELS:
            department = cell
        elif title:
            pairs.append((title, cell))
    return Start(m.group(1), m.group(2).strip(), department, tuple(pairs))


@dataclass(frozen=True)
class Columns:
    """A header row of a table that lists projects: which column holds what."""

    number: int
    name: int
    departments: tuple[int, ...]


def columns_of(cells: list[str]) -> Columns | None:
    """The columns of a header row that names a number column (``No.``, ``事業番号``)."""
    names = [c.replace(" ", "") for c in cells]
    number = next((i for i, c in enumerate(names) if NUMBER_LABELS.fullmatch(c)), None)
    if number is None or len(filled(cells)) < 2:
        return None
    name = next((i for i, c in enumerate(names) if c in NAME_LABELS), number + 1)
    departments = tuple(i for i, c in enumerate(names) if c in DEPARTMENT_LABELS)
    return Columns(number, name, departments)


def column_start(cells: list[str], columns: Columns) -> Start | None:
    """A row of a project table: a number in the number column, a name in the name column."""
    if len(cells) <= max(columns.number, columns.name):
        return None
    number, name = cells[columns.number], cells[columns.name]
    if not is_number(number) or not name:
        return None
    department = " ".join(cells[i] for i in columns.departments if i < len(cells) and cells[i])
    return Start(normalize(number), name, department or None, contents=True)


def year_of(label: str) -> tuple[str, str | None]:
    """A column title split into (name, fiscal year): ``令和4年度の主な取組`` →
    (``主な取組``, ``令和4年度``)."""
    m = _YEAR.search(label)
    if m is None:
        return label, None
    name = (label[: m.start()] + label[m.end() :]).strip().removeprefix("の").strip()
    return name or label, m.group(0).replace(" ", "")
