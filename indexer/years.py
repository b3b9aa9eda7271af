"""Fiscal years written the Japanese way (令和4年度, R4, 平成30年度) or as 西暦 (2022年度)."""

from __future__ import annotations

import re

from indexer.errors import InputError
from indexer.textclean import nfkc

# First Western year of each era, minus one: 令和1 = 2019.
ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925, "R": 2018, "H": 1988, "S": 1925}
_ERA_YEAR = re.compile(r"(令和|平成|昭和|(?<![A-Za-z])[RHS])\s*(元|\d{1,2})\s*(?:年度?)?")
_WESTERN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年度?")
_RANGE = re.compile(r"(\d{4})\s*[〜~～-]\s*(\d{4})")


class YearError(InputError):
    """A year value that cannot be read; the message shows accepted forms."""


def western_year(era: str, number: str) -> int:
    """The western year of an era year: (令和, 元) → 2019, (平成, 30) → 2018."""
    return ERAS[era] + (1 if number == "元" else int(number))


def _replace_eras(text: str) -> str:
    return _ERA_YEAR.sub(lambda m: f"{western_year(m.group(1), m.group(2))}年度", text)


def fiscal_years(text: str) -> set[int]:
    """Every fiscal year a text mentions, ranges (令和3年度〜令和5年度) filled in."""
    text = _replace_eras(nfkc(text))
    years = {int(y) for y in _WESTERN.findall(text)}
    for start, end in _RANGE.findall(re.sub(r"年度?", "", text)):
        low, high = int(start), int(end)
        if 1900 < low <= high < 2100 and high - low <= 20:
            years.update(range(low, high + 1))
    return years


def parse_year(value: str) -> int:
    """One fiscal year from user input: 2022, 2022年度, 令和4年度, R4 or 令和元年."""
    text = nfkc(value).strip()
    if re.fullmatch(r"(19|20)\d{2}", text):
        return int(text)
    found = fiscal_years(text)
    if len(found) != 1:
        raise YearError(
            f"cannot read the year {value!r}; write it as 2022, 2022年度, 令和4年度 or R4"
        )
    return found.pop()


def wareki(year: int) -> str:
    """The 令和/平成 form of a Western fiscal year (2022 → 令和4年度)."""
    if year >= 2019:
        return f"令和{year - 2018}年度" if year > 2019 else "令和元年度"
    return f"平成{year - 1988}年度"
