"""Numbering schemes as plans print them: ``34``, ``1-102``, ``(1)``, ``①``, ``方針２``.

A circled or parenthesised number, or an ordinal after a word (方針２), counts within the
heading it sits under, so its printed number is qualified by the numbers of the headings
above it (``①`` under ``1`` › ``(1)`` is ``1-(1)-①``); a plain or dashed number is already
unique in the document and is kept as printed.
"""

from __future__ import annotations

import re

_WIDE = str.maketrans("０１２３４５６７８９（）－‐―ー−．", "0123456789()-----.")
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔㉕㉖㉗㉘㉙㉚㉛㉜㉝㉞㉟㊱㊲㊳㊴㊵㊶㊷㊸㊹㊺㊻㊼㊽㊾㊿"

# One number token, printed in any of the widths a converted PDF has.
NUMBER = r"(?:[0-9０-９]+(?:[-－‐―−][0-9０-９]+)*|[(（][0-9０-９]+[)）]|[" + CIRCLED + r"])"
_NUMBER_ONLY = re.compile(rf"{NUMBER}")


def normalize(token: str) -> str:
    """A number token in ASCII digits, parentheses and hyphens (``（１）`` → ``(1)``)."""
    return token.translate(_WIDE).replace(" ", "")


def is_number(cell: str) -> bool:
    """Whether a cell is one number token and nothing else."""
    return bool(_NUMBER_ONLY.fullmatch(cell.strip()))


def is_local(number: str) -> bool:
    """Whether a number counts within its heading: circled, parenthesised or after a word."""
    return number[0] in CIRCLED or number.startswith("(") or not number[0].isdigit()


def is_dashed(number: str) -> bool:
    """``1-1`` or ``1-(1)-①``: a number that carries its parents."""
    return "-" in number


def qualify(number: str, parents: list[str]) -> str:
    """``number`` prefixed with the heading numbers above it, innermost first in ``parents``,
    up to the first that carries its own parents (a dashed number)."""
    if not is_local(number):
        return number
    chain: list[str] = []
    for parent in parents:
        chain.insert(0, parent)
        if is_dashed(parent):
            break
    if not chain:
        return number
    joiner = (
        " " if not number[0].isdigit() and number[0] not in CIRCLED and number[0] != "(" else "-"
    )
    return "-".join(chain) + joiner + number
