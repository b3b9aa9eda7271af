"""How fiscal years and figures are written in the plans, shared by units, question and scoring.

A figure next to a fiscal year (``令和4年度``, ``H30年度``, ``2022年``) is no figure of an
answer: both the table-header test and the "holds a quantity" feature strip years first.
"""

from __future__ import annotations

import re

ERA = r"(?:令和|平成|昭和)\s*(?:元|[0-9０-９]{1,2})\s*年度?"
DIGIT = re.compile(r"[0-9０-９]")
YEAR_WORDS = re.compile(rf"{ERA}|(?:19|20)[0-9]{{2}}\s*年度?|[RH][0-9]{{1,2}}年度?")


def without_years(text: str, blank: str = "") -> str:
    """``text`` with every fiscal-year expression replaced by ``blank``."""
    return YEAR_WORDS.sub(blank, text)


def has_figure(text: str) -> bool:
    """A digit remains once fiscal years are taken out (``17.0%``, not ``(H30年度)``)."""
    return bool(DIGIT.search(without_years(text)))


# A figure of an answer (「1,185件」, 「16.2%」, 「745億3,000万円」); years are taken out first.
_FIGURE = re.compile(r"[0-9０-９][0-9０-９,，.．]*")
_LABEL = re.compile(r"【[^】]*】")  # field labels: 「事業費総額(2年間の…)」 is no figure


def figures(text: str) -> set[str]:
    """The figures of a text, fiscal years left out (「令和4年度: 17.0%」 → {"17.0"})."""
    bare = without_years(_LABEL.sub(" ", text), " ")
    return {m.group().rstrip(",.，．") for m in _FIGURE.finditer(bare)}
