"""The foreign-language gold set: 12 questions per language, half dev and half test, every label
a parsed project with its name; the Japanese gold and its styles are unchanged by it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import parsed

from eval.gold import FOREIGN, GOLD_DIR, STYLES, GoldFormatError, load_gold
from service.glossary import LANGUAGES

SPLITS = {name: load_gold(GOLD_DIR / f"foreign-{name}.jsonl") for name in ("dev", "test")}
ALL = SPLITS["dev"] + SPLITS["test"]


def test_twelve_questions_per_language_six_in_each_split():
    # Six per language on test, so that one language's figure is not one question's luck.
    for questions in SPLITS.values():
        assert Counter(q.language for q in questions) == {lang: 6 for lang in LANGUAGES}
    assert {q.style for q in ALL} == {FOREIGN}
    assert len({q.id for q in ALL}) == len(ALL) == 72


@pytest.mark.parametrize("question", ALL, ids=lambda q: q.id)
def test_every_label_names_a_parsed_project(question):
    assert question.id.startswith(f"foreign-{question.language}-")
    for label in question.relevant:
        records = {r.project_key: r for r in parsed(label.doc) if r.kind == "project"}
        assert label.project in records, f"{question.id}: no project {label.project}"
        assert records[label.project].project_name == label.name


def test_japanese_gold_keeps_its_styles_and_language():
    japanese = load_gold(GOLD_DIR / "dev.jsonl") + load_gold(GOLD_DIR / "test.jsonl")
    assert {q.style for q in japanese} == set(STYLES)
    assert {q.language for q in japanese} == {"ja"}
    assert FOREIGN not in STYLES  # the quality gate's styles


def test_a_foreign_question_must_say_its_language(tmp_path: Path):
    row = json.loads((GOLD_DIR / "foreign-dev.jsonl").read_text(encoding="utf-8").splitlines()[0])
    del row["language"]
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match=r"bad\.jsonl:1"):
        load_gold(path)
