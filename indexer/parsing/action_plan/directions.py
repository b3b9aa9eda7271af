"""The 取組の方向性・目指す地域の姿 groups of a project's 基本的方向."""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.textclean import squeeze

DIRECTION = "取組の方向性・目指す地域の姿"


@dataclass
class Group:
    """A 取組の方向性・目指す地域の姿 group: title, description and 主な取組."""

    title: str
    description: str = ""
    actions: str = ""


def group_title(text: str) -> str:
    """Group titles lost their bullet glyph; one kept it as ``・``."""
    return squeeze(re.sub(r"^[・\s]+", "", text))


def direction_groups(texts: list[str]) -> list[Group]:
    """Title, description (ends with ``。``) and ``主な取組：…`` of each group."""
    groups: list[Group] = []
    for text in texts:
        current = groups[-1] if groups else None
        if text.startswith("主な取組：") and current:
            current.actions = text.removeprefix("主な取組：").strip()
        elif current and not current.actions and not current.description.endswith("。"):
            current.description += text
        else:
            groups.append(Group(group_title(text)))
    return groups
