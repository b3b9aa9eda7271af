"""Indicator values (現状値, 目標値) as printed, and the プロジェクト指標 tables."""

from __future__ import annotations

import re
from collections.abc import Iterable

from indexer.parsing.common import compact
from indexer.textclean import squeeze

YEAR_PAREN = re.compile(r"^[（(]\s*(令和[^）)]*?)\s*[）)]$")
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
VALUES_ONLY = re.compile(rf"{_VALUE}(?:\s+{_VALUE})*")
_NAME_VALUES = re.compile(rf"(?P<name>.*?\S)\s+(?P<vals>{_VALUE}(?:\s+{_VALUE})*)")
_REIWA_YEAR = re.compile(r"[（(]\s*(令和\s*[0-9０-９]+\s*年度?)\s*[）)]")
INDICATOR_HEAD = {"指標名", "プロジェクト指標", "現状値", "目標値", "解説・算出方法など"}


def year_label(text: str) -> str:
    """``（令和 11年度 ）`` → ``令和11年度`` (spaces are PDF artefacts)."""
    inner = YEAR_PAREN.match(text)
    return compact(inner.group(1) if inner else text)


def value_split(cell: str) -> tuple[str, str] | None:
    """``(name, values)`` when the cell ends with printed values, else None."""
    if VALUES_ONLY.fullmatch(cell):
        return "", cell
    m = _NAME_VALUES.fullmatch(cell)
    return (m["name"], m["vals"]) if m else None


def merge_parens(cells: Iterable[str]) -> list[str]:
    """Attach a lone ``（令和５年）`` / ``（累計）`` cell to the value printed above it."""
    out: list[str] = []
    for cell in cells:
        if out and re.fullmatch(_PAREN, cell) and value_split(out[-1]):
            out[-1] = f"{out[-1]} {cell}"
        else:
            out.append(cell)
    return out


def _value_text(token: str) -> str:
    """``26,186人 （令和 11年）`` → ``26,186人（令和11年）``."""
    return re.sub(r"\s+(?=[（(])|(?<=令和)\s+", "", squeeze(token))


def current_and_target(values: str) -> tuple[list[str], list[str]]:
    """Split the printed values of one indicator into 現状値 and 目標値 halves."""
    tokens = [_value_text(m.group(0)) for m in _VALUE_RE.finditer(values)]
    half = (len(tokens) + 1) // 2
    return tokens[:half], tokens[half:]


def with_year(tokens: list[str], default: str | None) -> tuple[str, str | None]:
    """Text of a value and its year: the value's own ``（令和５年）`` or the column's."""
    text = "\n".join(tokens)
    m = _REIWA_YEAR.search(text)
    if not m:
        return text, default
    return _REIWA_YEAR.sub("", text).strip(), compact(m.group(1))


def _table_header(cells: list[str]) -> tuple[list[str], list[str]]:
    """Header columns (``現状値（令和５年度）`` …) and the remaining cells."""
    columns: list[str] = []
    i = 0
    while i < len(cells) and (cells[i] in INDICATOR_HEAD or YEAR_PAREN.match(cells[i])):
        if YEAR_PAREN.match(cells[i]) and columns:
            columns[-1] += f"（{year_label(cells[i])}）"
        else:
            columns.append(cells[i])
        i += 1
    return columns, cells[i:]


def indicator_table(cells: list[str], groups: set[str]) -> list[list[str]]:
    """A プロジェクト指標 table: header, then ``指標, 現状値, 目標値 [, 解説]`` rows.

    Each indicator is its name, then its values (inline or on the next cells),
    then its explanation; a cell equal to a project name starts a group.
    """
    header, body = _table_header(cells)
    rows: list[list[str]] = []  # [name, values] or [name, values, explanation] or [group]
    pending: list[str] = []
    for cell in merge_parens(body):
        split = None if cell in groups else value_split(cell)
        if split is None:
            pending.append(cell)
        elif not split[0] and not pending and rows and len(rows[-1]) == 2:
            rows[-1][1] += f" {split[1]}"  # values continued on the next printed line
        else:
            name = split[0] or (pending.pop() if pending else "")
            _flush_explanation(rows, pending, groups)
            rows.append([name, split[1]])
    _flush_explanation(rows, pending, groups)
    return [header] + [_indicator_cells(r) for r in rows]


def _indicator_cells(row: list[str]) -> list[str]:
    if len(row) < 2:
        return row
    current, target = current_and_target(row[1])
    return [row[0], " ".join(current), " ".join(target), *row[2:]]


def _flush_explanation(rows: list[list[str]], pending: list[str], groups: set[str]) -> None:
    """Text cells after a row's values: its explanation, or a group heading row."""
    explanation = [c for c in pending if c not in groups]
    if explanation and rows:
        rows[-1].append(" ".join(explanation))
    rows.extend([c] for c in pending if c in groups)
    pending.clear()
