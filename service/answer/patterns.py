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
