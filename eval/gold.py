"""Gold questions (JSON Lines) and their TREC-style relevance judgements."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from indexer.files import json_lines

Style = Literal["citizen", "staff", "detail", "list", "foreign", "plain"]
# The styles of the Japanese gold set (dev.jsonl, test.jsonl), which the quality gate reads.
STYLES: tuple[Style, ...] = ("citizen", "staff", "detail", "list")
# Questions by foreign residents in their own language (foreign-dev.jsonl, foreign-test.jsonl):
# a resident's words, like ``citizen``, with the question's ``language`` (ISO 639-1).
FOREIGN: Style = "foreign"
# Japanese questions in a resident's everyday words (plain-dev.jsonl, plain-test.jsonl): casual,
# kana-heavy, a few misspellings (人間ドッグ, 予防摂取), none of the plan's own terms. Kept out of
# dev/test.jsonl so the gate's stored Japanese figures keep their meaning.
PLAIN: Style = "plain"
GOLD_STYLES: tuple[Style, ...] = (*STYLES, FOREIGN, PLAIN)
GOLD_DIR = Path(__file__).parent / "gold"


@dataclass(frozen=True)
class Label:
    """One relevant project: document, project key, printed name."""

    doc: str
    project: str
    name: str

    @property
    def doc_key(self) -> str:
        """The id used in run and qrels files (``doc::key``, spaces as ``_``)."""
        return project_doc_key(self.doc, self.project)


@dataclass(frozen=True)
class GoldQuestion:
    """A question with every relevant project labeled."""

    id: str
    query: str
    style: Style
    relevant: tuple[Label, ...]
    answer_hint: str = ""
    language: str = "ja"

    @property
    def doc(self) -> str:
        """The document of the first label (questions are written per document)."""
        return self.relevant[0].doc


def project_doc_key(doc_id: str, key: str) -> str:
    """A whitespace-free id of a project, as TREC run files require."""
    return f"{doc_id}::{key.replace(' ', '_')}"


class GoldFormatError(ValueError):
    """A gold line is malformed; the message names file and line."""


def _question(row: dict, where: str) -> GoldQuestion:
    try:
        labels = tuple(Label(r["doc"], r["project"], r["name"]) for r in row["relevant"])
        question = GoldQuestion(
            row["id"],
            row["query"],
            row["style"],
            labels,
            row.get("answer_hint", ""),
            row["language"] if row["style"] == FOREIGN else row.get("language", "ja"),
        )
    except (KeyError, TypeError) as exc:
        raise GoldFormatError(f"{where}: missing or bad key {exc}") from exc
    if question.style not in GOLD_STYLES or not labels:
        raise GoldFormatError(f"{where}: style must be one of {GOLD_STYLES} and relevant non-empty")
    return question


def load_gold(path: Path) -> list[GoldQuestion]:
    """Questions of a JSON Lines gold file, in file order."""
    out = []
    for line in json_lines(path):
        if line.problem:
            raise GoldFormatError(f"{path}:{line.number}: {line.problem}")
        out.append(_question(line.row, f"{path}:{line.number}"))
    ids = [q.id for q in out]
    if len(ids) != len(set(ids)):
        raise GoldFormatError(f"{path}: duplicate question ids")
    return out


def split_of(question_id: str, test_share: float = 0.5) -> str:
    """``dev`` or ``test``, fixed by a hash of the id so the split never drifts."""
    h = int.from_bytes(hashlib.sha256(question_id.encode()).digest()[:4], "big")
    return "test" if h / 2**32 < test_share else "dev"


def qrels_dict(questions: list[GoldQuestion]) -> dict[str, dict[str, int]]:
    """{question id: {project doc key: 1}} for ranx / TREC qrels."""
    return {q.id: {label.doc_key: 1 for label in q.relevant} for q in questions}


def write_splits(parts_dir: Path, out_dir: Path) -> dict[str, int]:
    """Merge per-document parts into ``dev.jsonl`` and ``test.jsonl``; return their sizes."""
    rows = []
    for part in sorted(parts_dir.glob("*.jsonl")):
        rows += [json.loads(x) for x in part.read_text(encoding="utf-8").splitlines() if x.strip()]
    sizes = {}
    for split in ("dev", "test"):
        chosen = [r for r in rows if split_of(r["id"]) == split]
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chosen)
        (out_dir / f"{split}.jsonl").write_text(text, encoding="utf-8")
        sizes[split] = len(chosen)
    return sizes
