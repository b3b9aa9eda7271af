"""Parser for 伊勢原市第5次総合計画 後期基本計画 中期戦略事業プラン (isehara-chuki-r3-r4).

Layout of the PDF-converted text, top to bottom:

* Cover (title, period) and 目次. The 目次 lists the three chapters and, under
  each, its headings (``1⇥中期戦略事業プラン改定の趣旨⇥3``) or, in 第3章, the five
  分野 (``⇥暮らし力⇥29``). Both are skipped, but the 目次 tells which body lines
  are headings.
* 第1章 中期戦略事業プランについて: numbered headings ``1 …`` to ``9 …`` with
  paragraphs, figure captions (``●…``) and tables (SDGs per 施策, 計画事業費).
* 第2章 リーディングプロジェクト: ``4つのプロジェクト`` introduction, then four
  projects printed as ``プロジェクト`` / ``①`` / name, each with
  ``■プロジェクトの狙い■`` and several 方針 headings, each followed by
  ``■中期戦略事業プランにおけるプロジェクトの取組内容■`` and a table that names
  related projects in 【】 (by name, never by number).
* 第3章 個別事業: ``1 計画の見方`` explains the 個別事業計画表 with a sample block
  (a copy of 1-101). Then per 分野 (暮らし力 … 自治力): its vision and 施策体系
  (【まちづくり目標】 ``1 …``, 【基本政策】 ``1-1 …``, 【施策展開の方向】 ``1-1-1 …``),
  then per 施策: a bare ``1-1-1`` line, ``施策 01 name``, a summary, 施策の方針,
  the 主な事業 table (``事業No.⇥事業名⇥担当部⇥担当課⇥リーディングプロジェクト``),
  the 事業番号 blocks and an optional その他の関連の事業 table.
* Back cover (publisher, address): skipped.

A block is a header and consecutive tab-separated rows up to the next blank line::

    事業番号 1-102⇥⇥食育推進事業⇥⇥(保健福祉部 健康づくり課)⇥
    事業内容⇥<ul …> ・… ・… ⇥
    事業行程⇥項目⇥令和3年度⇥令和4年度
    ⇥食育推進に係る会議の開催⇥7回以上の開催⇥7回以上の開催
    目 標⇥指標名⇥指標の定義
    ⇥食育教育・食育相談の 参加者数⇥食育相談や食育教育に参加した市民の延べ人数
    ⇥現状値(令和2年度)⇥令和3年度⇥令和4年度
    ⇥800人⇥3,550人⇥3,600人
    事業費総額(2年間の事業費見込み)⇥⇥9,155千円
    ⇥財源内訳⇥(一般財源)⇥6,031千円
    ⇥⇥(国県補助等)⇥0千円 …

The header also comes as a bare ``事業番号`` line followed by number, name and
department on separate lines (name and department may wrap), with the number
glued to the name (``26-101伊勢原大山インター土地区画整理``), or with the
department glued to the name in full-width parentheses. Cells drift between
columns from block to block, so rows are read by their first non-empty cell.

Other quirks handled here:

* 19-103 is printed for two different projects (児童 / 高齢者・障がい者); the
  second one has two 目標 tables (``目 標 ①`` / ``目 標 ②``).
* 1-101 is printed twice: as the sample in 1 計画の見方 and in 施策 01. One
  record is kept, in 施策 01; the sample only adds fields that differ (none do).
* The ``目 標`` label sometimes sits on the last 事業行程 row; the row stays in
  事業行程 and 目標 starts at its ``指標名`` header.
* Some rows lost their leading tab (``駐車場・渋滞対策⇥…``, ``（一般財源）⇥…``):
  a row without a label continues the field above.
* 事業内容 lists lost their ``<li>`` tags: items are split on the bullets, or on
  sentence ends when there are none.

Records: one ``project`` per block (121 numbers, 122 projects); ``section``
records for each heading of 第1章/第2章, each 分野 page, and each 施策 (summary,
施策の方針, 主な事業 table, その他の関連の事業 table).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from indexer.records import DocumentInfo, Field, Project, project_record, section_record
from indexer.textclean import nfkc, squeeze

_CHAPTER = re.compile(r"^第\d+章 \S.*$")
_TOC_NUMBERED = re.compile(r"^(\d+)\t([^\t]+)\t\d+$")
_TOC_PLAIN = re.compile(r"^\t([^\t]+)\t\d+$")
_HTML_TAG = re.compile(r"</?(?:ul|li|p)\b[^>]*>")
_BULLET = re.compile(r"(?:^|\s+)[・●•]\s*")
_SENTENCE_END = re.compile(r"(?<=。)\s+")
_SPACE = re.compile(r"\s+")
_DIRECTION = re.compile(r"^\d+-\d+-\d+$")
_MEASURE = re.compile(r"^施策 ?(\d{2})(?:\s+(\S.*))?$")
_HIERARCHY_MARK = re.compile(r"^【(?:まちづくり目標|基本政策|施策展開の方向)（基本構想）】$")
_HIERARCHY_ITEM = re.compile(r"^(\d+(?:-\d+){0,2}) \S.*$")
_TABLE_ROW = re.compile(r"^(\d+-\d{3})\t([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)$")
_NUMBER = re.compile(r"^(\d+-\d{3})\s*(.*)$", re.DOTALL)
_TRAILING_PARENS = re.compile(r"[（(]([^（()）]*)[)）]\s*$")
_DEPARTMENT = re.compile(r"^\s*\S*部(?:\s|$)")
_CIRCLED = re.compile(r"^[①-⑳]$")
_AIM_TABLE = re.compile(r"^■\s*中期戦略事業プランにおけるプロジェクトの取組内容\s*■$")
_LABEL = re.compile(r"^(?:事業内容|事業行程|目\s*標(?:\s*[①-⑳])?|事業費総額.*|財源内訳)$")
_TITLE_MARKS = re.compile(r"^[■●▶]\s*|\s*■$")
_SECTION_TITLES = (
    re.compile(r"^(?:施策の方針|主な事業|その他の関連の事業)$"),
    re.compile(r"^「.+」によりめざす将来のまちの姿$"),
    re.compile(r"^\S+力の施策体系$"),
    re.compile(r"^[■●]"),
)
# Decorations repeated on chapter title pages, and the label above every run of
# blocks; compared with spaces removed (``個 別 事 業``).
_NOISE = frozenset(
    {
        "未来へ",
        "届ける力",
        "個別事業",
        "中期戦略事業プランについて",
        "リーディングプロジェクト",
        "個別事業計画表",
    }
)
_COLOPHON = "伊勢原市第5次総合計画後期基本計画"
_LEADING_LABEL = "リーディングプロジェクト"
_NO_MARK = frozenset({"—", "-", "－"})
_MAX_HEADER_LINES = 10


@dataclass(frozen=True)
class _Outline:
    """What the 目次 and the 施策体系 pages say about headings."""

    body_start: int
    chapters: frozenset[str]
    headings: dict[str, str]  # heading as printed → its chapter
    fields_of_activity: frozenset[str]  # 暮らし力 … 自治力
    hierarchy: dict[str, str]  # "1-1" → "1-1 健やかに生き生きと暮らせるまちづくり"
    leading: dict[str, str]  # "①" → "① 地域資源等を活用した… プロジェクト"


@dataclass
class _Section:
    path: tuple[str, ...]
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Block:
    project_id: str
    name: str
    department: str | None
    path: tuple[str, ...]
    fields: tuple[Field, ...]


@dataclass
class _State:
    outline: _Outline
    chapter: str = ""
    activity: str = ""
    direction: str = ""
    leading: str = ""
    entries: list[_Section | _Block] = field(default_factory=lambda: [_Section(())])

    def open(self, *path: str) -> None:
        """Start a new section; text lines go to it until the next heading."""
        self.entries.append(_Section(tuple(p for p in path if p)))

    def current(self) -> _Section:
        """The section that text lines belong to (blocks do not close a section)."""
        return next(e for e in reversed(self.entries) if isinstance(e, _Section))


# ---------------------------------------------------------------- text helpers


def _compact(line: str) -> str:
    return _SPACE.sub("", line)


def _flat(cell: str) -> str:
    """A cell as one line: list markup removed, spaces collapsed."""
    return _SPACE.sub(" ", _HTML_TAG.sub(" ", cell)).strip()


def _cells(line: str) -> list[str]:
    """Non-empty cells of a tab-separated row, flattened."""
    return [c for c in (_flat(c) for c in line.split("\t")) if c]


def _row(cells: Iterable[str]) -> str:
    return " | ".join(cells)


def _list_items(text: str) -> str:
    """A 事業内容 list as one item per line.

    The converter dropped the ``<li>`` tags: items are separated by a space and
    start with ・, ● or •, or have no bullet at all, in which case each sentence
    (ending in 。) is an item.
    """
    flat = _flat(text)
    splitter = _BULLET if _BULLET.search(flat) else _SENTENCE_END
    return "\n".join(p.strip() for p in splitter.split(flat) if p.strip())


def _join_wrapped(parts: list[str]) -> str:
    """Join a name wrapped over lines: no space inside Japanese, one space otherwise."""
    out = ""
    for part in (p.strip() for p in parts):
        if out and part and (out[-1].isascii() or part[0].isascii()):
            out += " "
        out += part
    return _SPACE.sub(" ", out).strip()


def _canonical_label(label: str) -> str:
    """Field name from a printed label: letter spacing and paren width removed."""
    name = _compact(label).replace("（", "(").replace("）", ")")
    return re.sub(r"^目標([①-⑳])$", r"目標 \1", name)


# ---------------------------------------------------------------- outline


def _next_nonblank(lines: list[str], i: int) -> int:
    """Index of the first non-blank line at or after ``i`` (``len(lines)`` if none)."""
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _toc_start(lines: list[str]) -> int:
    return lines.index("目次") if "目次" in lines else 0


def _toc(lines: list[str]) -> tuple[dict[str, str], set[str], list[str]]:
    """Headings (→ chapter), 分野 names and chapter titles, from the 目次.

    Unnumbered entries are headings, except under 第3章 where they are the 分野.
    The 目次 ends where a chapter title comes a second time (the body).
    """
    headings: dict[str, str] = {}
    activities: set[str] = set()
    chapters: list[str] = [""]
    for line in lines[_toc_start(lines) :]:
        numbered, plain = _TOC_NUMBERED.match(line), _TOC_PLAIN.match(line)
        if _CHAPTER.match(line):
            if line in chapters:
                break
            chapters.append(line)
        elif numbered:
            headings[f"{numbered.group(1)} {numbered.group(2)}"] = chapters[-1]
        elif plain and chapters[-1].startswith("第3章"):
            activities.add(_compact(plain.group(1)))
        elif plain:
            headings[plain.group(1)] = chapters[-1]
    return headings, activities, chapters[1:]


def _line_at(lines: list[str], i: int) -> str:
    """``lines[i]`` stripped, or "" past the end."""
    return lines[i].strip() if i < len(lines) else ""


def _hierarchy(lines: list[str]) -> dict[str, str]:
    """``1-1`` → ``1-1 健やかに…``: the line after each 【…（基本構想）】 mark."""
    names: dict[str, str] = {}
    for i, line in enumerate(lines):
        item = _line_at(lines, _next_nonblank(lines, i + 1)) if _HIERARCHY_MARK.match(line) else ""
        if m := _HIERARCHY_ITEM.match(item):
            names.setdefault(m.group(1), item)
    return names


def _leading_heading(lines: list[str], i: int) -> tuple[str, int] | None:
    """``プロジェクト`` / ``①`` / name → (``① name``, lines consumed), else None."""
    if lines[i].strip() != "プロジェクト":
        return None
    mark_at = _next_nonblank(lines, i + 1)
    name_at = _next_nonblank(lines, mark_at + 1)
    mark, name = _line_at(lines, mark_at), _line_at(lines, name_at)
    if not (_CIRCLED.match(mark) and name):
        return None
    return f"{mark} {squeeze(name)}", name_at + 1 - i


def _body_start(lines: list[str], chapters: list[str]) -> int:
    """Index of the first chapter title after the 目次 (0 when there is none)."""
    after_toc = [i for i, line in enumerate(lines) if chapters and line == chapters[0]]
    return after_toc[1] if len(after_toc) > 1 else (after_toc[0] if after_toc else 0)


def _outline(lines: list[str]) -> _Outline:
    headings, activities, chapters = _toc(lines)
    start = _body_start(lines, chapters)
    leading = {}
    for i in range(start, len(lines)):
        if found := _leading_heading(lines, i):
            leading[found[0][0]] = found[0]
    return _Outline(
        start, frozenset(chapters), headings, frozenset(activities), _hierarchy(lines), leading
    )


# ---------------------------------------------------------------- blocks


def _parse_header(pieces: list[str]) -> tuple[str, str, str | None]:
    """(number, name, department or None) from the header cells of a block."""
    text = re.sub(r"^事業番号\s*", "", "\n".join(pieces))
    m = _NUMBER.match(text)
    if m is None:
        return "", _join_wrapped(text.split("\n")), None
    number, rest = nfkc(m.group(1)), m.group(2)
    department = None
    paren = _TRAILING_PARENS.search(rest)
    # A trailing parenthesis is the department only if it names a 部: names
    # such as 虐待防止事業（児童） end in parentheses too.
    if paren and _DEPARTMENT.match(paren.group(1)):
        department = _SPACE.sub(" ", paren.group(1)).strip()
        rest = rest[: paren.start()]
    return number, _join_wrapped(rest.split("\n")), department


def _label_of(cell: str) -> str | None:
    return _canonical_label(cell) if _LABEL.match(cell) else None


@dataclass
class _Draft:
    name: str
    rows: list[list[str]] = field(default_factory=list)


def _drafts(body: list[str]) -> list[_Draft]:
    """Rows of a block grouped under their labels (目標 misplacements repaired)."""
    drafts: list[_Draft] = [_Draft("本文")]
    pending_goal: str | None = None
    for cells in filter(None, map(_cells, body)):
        label = _label_of(cells[0])
        if label and label.startswith("目標") and cells[1:] and cells[1] != "指標名":
            # The PDF put the 目標 label on the last 事業行程 row: keep the row
            # where it belongs and open 目標 at its 指標名 header.
            pending_goal = label
            drafts[-1].rows.append(cells[1:])
        elif label:
            drafts.append(_Draft(label, [cells[1:]] if cells[1:] else []))
        elif cells[0] == "指標名" and not drafts[-1].name.startswith("目標"):
            drafts.append(_Draft(pending_goal or "目標", [cells]))
            pending_goal = None
        else:
            drafts[-1].rows.append(cells)
    return drafts


def _is_goal_header(cells: list[str]) -> bool:
    return cells[0] == "指標名" or cells[0].startswith("現状値")


def _goal_lines(rows: list[list[str]]) -> list[str]:
    """目標 rows as ``header: value`` lines (header rows alternate with value rows)."""
    out: list[str] = []
    i = 0
    while i < len(rows):
        head = rows[i]
        values = rows[i + 1] if i + 1 < len(rows) else []
        if _is_goal_header(head) and len(values) == len(head) and not _is_goal_header(values):
            out += [f"{h}: {v}" for h, v in zip(head, values, strict=True)]
            i += 2
        else:
            out.append(_row(head))
            i += 1
    return out


def _render(draft: _Draft) -> Field | None:
    """A labelled group of rows as a plain-text field (None when empty)."""
    rows = [r for r in draft.rows if r]
    if draft.name == "事業内容":
        text = _list_items(" ".join(c for r in rows for c in r))
    elif draft.name.startswith("目標"):
        text = "\n".join(_goal_lines(rows))
    else:
        text = "\n".join(_row(r) for r in rows)
    return Field(draft.name, text) if text else None


def _header_end(lines: list[str], i: int) -> int:
    """Index of the first labelled row after the ``事業番号`` line at ``i``.

    The header is one line or, when the PDF broke it up, up to a handful of
    lines (number, name, department, each possibly wrapped).
    """
    for j in range(i + 1, min(i + _MAX_HEADER_LINES, len(lines))):
        cells = _cells(lines[j])
        if cells and _label_of(cells[0]):
            return j
    return i + 1


def _block_at(lines: list[str], i: int, path: tuple[str, ...]) -> tuple[_Block, int]:
    """The block whose ``事業番号`` line is ``lines[i]`` and the lines it spans."""
    body = _header_end(lines, i)
    end = body
    while end < len(lines) and lines[end].strip():
        end += 1
    number, name, department = _parse_header([c for ln in lines[i:body] for c in _cells(ln)])
    fields = tuple(f for f in map(_render, _drafts(lines[body:end])) if f)
    return _Block(number, name, department, path, fields), end - i


# ---------------------------------------------------------------- walking the body

_Handler = Callable[[_State, list[str], int], int]


def _on_chapter(state: _State, lines: list[str], i: int) -> int:
    if lines[i] not in state.outline.chapters:
        return 0
    state.chapter, state.activity, state.direction, state.leading = lines[i], "", "", ""
    state.open(state.chapter)
    return 1


def _on_heading(state: _State, lines: list[str], i: int) -> int:
    heading = squeeze(lines[i])
    if state.outline.headings.get(heading) != state.chapter:
        return 0
    state.leading = ""
    state.open(state.chapter, heading)
    return 1


def _on_leading_project(state: _State, lines: list[str], i: int) -> int:
    found = _leading_heading(lines, i) if state.chapter.startswith("第2章") else None
    if not found:
        return 0
    state.leading = found[0]
    state.open(state.chapter, state.leading)
    return found[1]


def _on_policy(state: _State, lines: list[str], i: int) -> int:
    """A 方針 heading of a leading project: the line above its 取組内容 table."""
    line = lines[i].strip()
    if not (state.leading and line) or "\t" in line or line.startswith("■"):
        return 0
    if not _AIM_TABLE.match(_line_at(lines, _next_nonblank(lines, i + 1))):
        return 0
    state.open(state.chapter, state.leading, _TITLE_MARKS.sub("", line))
    return 1


def _on_activity(state: _State, lines: list[str], i: int) -> int:
    name = _compact(lines[i])
    if not state.chapter.startswith("第3章") or name not in state.outline.fields_of_activity:
        return 0
    state.activity, state.direction = name, ""
    state.open(state.chapter, name)
    return 1


def _on_direction(state: _State, lines: list[str], i: int) -> int:
    if not (state.activity and _DIRECTION.match(lines[i].strip())):
        return 0
    state.direction = lines[i].strip()
    return 1


def _measure_path(state: _State, heading: str) -> tuple[str, ...]:
    parts = state.direction.split("-")
    keys = [parts[0], "-".join(parts[:2]), state.direction] if state.direction else []
    names = tuple(state.outline.hierarchy.get(k, k) for k in keys)
    return (state.chapter, state.activity, *names, heading)


def _on_measure(state: _State, lines: list[str], i: int) -> int:
    m = _MEASURE.match(lines[i].strip()) if state.activity else None
    if not m:
        return 0
    name_at = i if m.group(2) else _next_nonblank(lines, i + 1)
    # ``施策 11`` is printed alone once, with its name on a later line.
    name = m.group(2) or squeeze(lines[name_at])
    state.open(*_measure_path(state, f"施策 {m.group(1)} {squeeze(name)}"))
    return name_at + 1 - i


def _on_block(state: _State, lines: list[str], i: int) -> int:
    if not lines[i].startswith("事業番号"):
        return 0
    block, consumed = _block_at(lines, i, state.current().path)
    state.entries.append(block)
    return consumed


def _on_colophon(state: _State, lines: list[str], i: int) -> int:
    return len(lines) - i if lines[i].strip() == _COLOPHON else 0


def _on_noise(state: _State, lines: list[str], i: int) -> int:
    return 1 if not lines[i].strip() or _compact(lines[i]) in _NOISE else 0


def _on_text(state: _State, lines: list[str], i: int) -> int:
    state.current().lines.append(lines[i])
    return 1


_HANDLERS: tuple[_Handler, ...] = (
    _on_colophon,
    _on_noise,
    _on_chapter,
    _on_heading,
    _on_leading_project,
    _on_policy,
    _on_activity,
    _on_direction,
    _on_measure,
    _on_block,
    _on_text,
)


def _walk(lines: list[str], outline: _Outline) -> list[_Section | _Block]:
    """Sections and blocks in document order, cover and 目次 skipped."""
    state = _State(outline)
    i = outline.body_start
    while i < len(lines):
        i += next(n for n in (h(state, lines, i) for h in _HANDLERS) if n)
    return state.entries


# ---------------------------------------------------------------- sections


def _title(line: str) -> str | None:
    text = line.strip()
    if "\t" in line or not any(p.match(text) for p in _SECTION_TITLES):
        return None
    return _TITLE_MARKS.sub("", text) or None


def _text_line(line: str) -> str:
    """A body line as plain text: table rows joined by " | ", list dashes dropped."""
    if "\t" in line:
        return _row(_cells(line))
    return re.sub(r"^-\s+", "", _flat(line))


def _section_fields(lines: list[str]) -> tuple[Field, ...]:
    """Fields of a section: text before any title is 本文, each title opens a field.

    A title with nothing under it (a figure caption) stays as a line of the
    field above, so that no printed word is lost.
    """
    groups: list[tuple[str, list[str]]] = [("本文", [])]
    for line in lines:
        if title := _title(line):
            groups.append((title, []))
        elif text := _text_line(line):
            groups[-1][1].append(text)
    merged: list[tuple[str, list[str]]] = []
    for name, body in groups:
        if body or not merged:
            merged.append((name, body))
        else:
            merged[-1][1].append(name)
    return tuple(Field(name, "\n".join(body)) for name, body in merged if body)


# ---------------------------------------------------------------- projects


def _table_rows(lines: list[str]) -> dict[str, list[str]]:
    """事業No. → [事業名, 担当部, 担当課, リーディングプロジェクト] from the 主な事業 tables."""
    return {m.group(1): list(m.groups()[1:]) for m in map(_TABLE_ROW.match, lines) if m}


def _text_key(text: str) -> str:
    """Comparison key: width, spacing and bullets ignored."""
    return re.sub(r"[\s・●•]", "", nfkc(text))


def _merge(primary: _Block, other: _Block) -> _Block:
    """``primary`` plus the fields of ``other`` (a second printing) that differ.

    Added fields are named after the heading where the second printing appears.
    """
    seen = {(f.name, f.year, _text_key(f.text)) for f in primary.fields}
    heading = other.path[-1] if other.path else ""
    extra = tuple(
        Field(f"{heading} {f.name}".strip(), f.text, f.year)
        for f in other.fields
        if (f.name, f.year, _text_key(f.text)) not in seen
    )
    return replace(primary, fields=primary.fields + extra)


def _in_measure(block: _Block) -> bool:
    return bool(block.path) and block.path[-1].startswith("施策 ")


def _dedupe(entries: list[_Section | _Block]) -> list[_Section | _Block]:
    """One entry per project: printings with the same number and name are merged.

    The printing inside a 施策 chapter stays in place; the others (the sample in
    1 計画の見方) are folded into it and disappear from the sequence.
    """
    groups: dict[tuple[str, str], list[_Block]] = {}
    for e in entries:
        if isinstance(e, _Block):
            groups.setdefault((e.project_id, _text_key(e.name)), []).append(e)
    merged: dict[int, _Block] = {}
    for blocks in groups.values():
        anchor = next((b for b in blocks if _in_measure(b)), blocks[-1])
        result = anchor
        for other in (b for b in blocks if b is not anchor):
            result = _merge(result, other)
        merged[id(anchor)] = result
    return [
        merged[id(e)] if isinstance(e, _Block) else e
        for e in entries
        if not isinstance(e, _Block) or id(e) in merged
    ]


def _with_table(block: _Block, row: list[str] | None, leading: dict[str, str]) -> _Block:
    """Department fallback and the リーディングプロジェクト column from the 主な事業 table."""
    if row is None:
        return block
    department = block.department or _SPACE.sub(" ", f"{row[1]} {row[2]}").strip()
    marks = [leading.get(c, c) for c in row[3] if c.strip() and c not in _NO_MARK]
    extra = (Field(_LEADING_LABEL, "\n".join(marks)),) if marks else ()
    return replace(block, department=department, fields=block.fields + extra)


# ---------------------------------------------------------------- records


def _section_record(
    doc: DocumentInfo, n: int, path: tuple[str, ...], fields: tuple[Field, ...]
) -> Project:
    return section_record(doc, f"section-{n}", path, fields)


def _project_record(doc: DocumentInfo, key: str, block: _Block) -> Project:
    return project_record(
        doc,
        project_key=key,
        project_id=block.project_id,
        name=block.name,
        department=block.department,
        path=block.path,
        fields=block.fields,
    )


def _records(entries: list[_Section | _Block], doc: DocumentInfo) -> list[Project]:
    """Records in document order; a number printed again for another project gets ``_2``."""
    out: list[Project] = []
    printed: Counter[str] = Counter()
    for e in entries:
        if isinstance(e, _Block):
            printed[e.project_id] += 1
            n = printed[e.project_id]
            out.append(_project_record(doc, e.project_id + (f"_{n}" if n > 1 else ""), e))
        elif fields := _section_fields(e.lines):
            out.append(
                _section_record(doc, sum(r.kind == "section" for r in out) + 1, e.path, fields)
            )
    return out


def parse(text: str, doc: DocumentInfo) -> list[Project]:
    """Project and section records of the 中期戦略事業プラン, in document order."""
    lines = text.splitlines()
    outline = _outline(lines)
    table = _table_rows(lines)
    entries = [
        _with_table(e, table.get(e.project_id), outline.leading) if isinstance(e, _Block) else e
        for e in _dedupe(_walk(lines, outline))
    ]
    return _records(entries, doc)
