"""The gold set: every label names a parsed project; the split is fixed and complete; every
answers-gold line names parsed projects and its parts are printed in one of them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import documents, parsed

from eval.answers import AnswerGold, comparable, load_answer_gold
from eval.gold import GOLD_DIR, load_gold, split_of, write_splits
from indexer.records import Project

SPLITS = {name: load_gold(GOLD_DIR / f"{name}.jsonl") for name in ("dev", "test")}
ALL = SPLITS["dev"] + SPLITS["test"]


def test_gold_set_size_styles_and_documents():
    assert len(ALL) >= 200
    assert set(Counter(q.style for q in ALL)) == {"citizen", "staff", "detail", "list"}
    assert {q.doc for q in ALL} == set(documents())
    assert len({q.id for q in ALL}) == len(ALL)


@pytest.mark.parametrize("question", ALL, ids=lambda q: q.id)
def test_every_label_names_a_parsed_project(question):
    for label in question.relevant:
        records = {r.project_key: r for r in parsed(label.doc) if r.kind == "project"}
        assert label.project in records, f"{question.id}: no project {label.project}"
        assert records[label.project].project_name == label.name


def test_list_questions_have_two_to_ten_projects():
    sizes = [len(q.relevant) for q in ALL if q.style == "list"]
    assert sizes and all(2 <= n <= 10 for n in sizes)


def test_detail_hints_appear_in_the_labeled_project():
    for q in (q for q in ALL if q.style == "detail"):
        record = next(r for r in parsed(q.doc) if r.project_key == q.relevant[0].project)
        text = " ".join([record.department or "", *(f.text for f in record.fields)])
        assert q.answer_hint and q.answer_hint in text, q.id


CITY_NAMES = {"伊勢崎市": "伊勢崎", "伊勢原市": "伊勢原"}


@pytest.mark.parametrize("question", ALL, ids=lambda q: q.id)
def test_a_question_naming_a_city_is_labeled_in_that_city_only(question):
    # The labeling rule (eval/README.md): the same initiative is labeled in every document that
    # states it, but another city's project only when the question names no city.
    named = {city for city, word in CITY_NAMES.items() if word in question.query}
    cities = {documents()[label.doc].city for label in question.relevant}
    assert len(named) > 1 or not named or cities == named, (question.id, cities)


def test_an_initiative_stated_in_several_documents_is_labeled_in_each():
    # 空家等対策: 実施計画 147, 行政改革 5-(6)-⑦, manifesto 4-(2)-①, action plan 4-2 方針2 and
    # 伊勢原 17-103 state it; each of the four citizen questions on it labels all five.
    akiya = [
        q for q in ALL if q.id in ("action-004", "gyokaku-010", "isehara-003", "manifesto-004")
    ]
    assert len(akiya) == 4
    for q in akiya:
        assert len({label.doc for label in q.relevant}) == 5, q.id
    many = [
        q for q in ALL if q.style in ("citizen", "staff") and len({x.doc for x in q.relevant}) > 1
    ]
    assert len(many) >= 50


def test_split_files_are_the_fixed_hash_split_of_the_parts(tmp_path: Path):
    assert all(split_of(q.id) == name for name, qs in SPLITS.items() for q in qs)
    sizes = write_splits(GOLD_DIR / "parts", tmp_path)
    for name in ("dev", "test"):
        assert (tmp_path / f"{name}.jsonl").read_text() == (GOLD_DIR / f"{name}.jsonl").read_text()
        assert sizes[name] == len(SPLITS[name]) > 50


PLAIN_SPLITS = {name: load_gold(GOLD_DIR / f"plain-{name}.jsonl") for name in ("dev", "test")}
PLAIN_ALL = PLAIN_SPLITS["dev"] + PLAIN_SPLITS["test"]


def test_plain_questions_are_many_enough_and_apart_from_the_gate_splits():
    assert all(len(qs) >= 20 for qs in PLAIN_SPLITS.values()) and len(PLAIN_ALL) >= 40
    assert {q.style for q in PLAIN_ALL} == {"plain"} and {q.language for q in PLAIN_ALL} == {"ja"}
    assert len({q.id for q in PLAIN_ALL + ALL}) == len(PLAIN_ALL) + len(ALL)
    # The quality gate's splits keep their four styles: their stored figures stay comparable.
    assert "plain" not in {q.style for q in ALL}


@pytest.mark.parametrize("question", PLAIN_ALL, ids=lambda q: q.id)
def test_a_plain_question_names_a_parsed_project_without_using_its_name(question):
    for label in question.relevant:
        records = {r.project_key: r for r in parsed(label.doc) if r.kind == "project"}
        assert label.project in records, f"{question.id}: no project {label.project}"
        assert records[label.project].project_name == label.name
        # A resident does not know the project's name: no question quotes it.
        assert label.name not in question.query


ANSWER_SPLITS = {
    name: load_answer_gold(GOLD_DIR / f"answers-{name}.jsonl") for name in ("dev", "test")
}
ANSWERS_ALL = ANSWER_SPLITS["dev"] + ANSWER_SPLITS["test"]


def printed_text(record: Project) -> str:
    """What the document prints of a project, as figures compare: its department and every
    field with its label, whose year (事業計画 令和4年度) is the answer to a 何年度 question."""
    return comparable(
        " ".join([record.department or "", *(f"{f.label} {f.text}" for f in record.fields)])
    )


def test_answers_gold_ids_are_unique_and_name_their_split():
    assert len({g.id for g in ANSWERS_ALL}) == len(ANSWERS_ALL)
    assert len({g.query for g in ANSWERS_ALL}) == len(ANSWERS_ALL)
    assert all(g.id.startswith(f"ans-{name}-") for name, gs in ANSWER_SPLITS.items() for g in gs)


@pytest.mark.parametrize("gold", ANSWERS_ALL, ids=lambda g: g.id)
def test_an_answers_line_labels_parsed_projects_that_print_its_parts(gold: AnswerGold):
    # eval.answer_kinds counts an answer right only if it cites a label and holds every part
    # (as comparable compares): a label on a section, or parts that no one labelled project
    # prints, make a question no answer can get right; the name is the one the cards show.
    texts = []
    for label in gold.relevant:
        records = {r.project_key: r for r in parsed(label.doc) if r.kind == "project"}
        assert label.project in records, f"{gold.id}: no project {label.project}"
        assert records[label.project].project_name == label.name, gold.id
        texts.append(printed_text(records[label.project]))
    if gold.kind == "yesno":  # judged by 「はい」 and the citation, not by parts
        assert gold.parts == ("はい",), gold.id
        return
    assert gold.parts and all(gold.parts) and "はい" not in gold.parts, gold.id
    assert any(all(comparable(p) in text for p in gold.parts) for text in texts), gold.id
