"""Questions in other languages find their project with the real model over the whole corpus.

Two questions per language from the foreign gold set (one of foreign-dev, one of foreign-test),
each measured at place 1 with the glossary and the foreign fusion weights; the bound is the top
10, both over the passages of /search and over /projects/search. Without the glossary most of
them fall (on foreign-dev hybrid nDCG@10 is 0.433 without it, 0.878 with it and the foreign
weights); the last test holds that difference for these twelve.
"""

from __future__ import annotations

import pytest

from eval.gold import GOLD_DIR, GoldQuestion, load_gold
from service.aggregate import rank_projects
from service.query import QueryAnalyzer, index_frequencies
from service.search import SearchEngine

pytestmark = pytest.mark.slow

CHOSEN = (
    "foreign-en-05",
    "foreign-en-04",
    "foreign-pt-05",
    "foreign-pt-06",
    "foreign-vi-05",
    "foreign-vi-08",
    "foreign-zh-05",
    "foreign-zh-04",
    "foreign-tl-01",
    "foreign-tl-06",
    "foreign-es-07",
    "foreign-es-04",
)
GOLD = {
    q.id: q for split in ("dev", "test") for q in load_gold(GOLD_DIR / f"foreign-{split}.jsonl")
}
QUESTIONS = [GOLD[i] for i in CHOSEN]


def _best_place(projects, question: GoldQuestion) -> int | None:
    labels = {(label.doc, label.project) for label in question.relevant}
    places = [p.rank for p in projects if (p.doc_id, p.project_key) in labels]
    return min(places, default=None)


def test_every_language_is_asked():
    assert sorted({q.language for q in QUESTIONS}) == ["en", "es", "pt", "tl", "vi", "zh"]


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_a_foreign_question_finds_its_project_in_the_top_10(real_engine, question):
    parsed = real_engine.parse(question.query)
    assert parsed.language == question.language
    passages = rank_projects(real_engine.search(parsed, top_k=100))
    place = _best_place(passages, question)
    assert place is not None and place <= 10, (question.id, place)
    projects, _ = real_engine.search_projects(parsed, 10, real_engine.make_filters())
    assert _best_place(projects, question) is not None, question.id


def test_the_glossary_is_what_finds_them(real_engine):
    # Measured: all twelve first with the glossary; without it three first, four not in the
    # top 10 (en-05 46th, pt-06 12th, vi-05 18th, tl-01 23rd).
    plain = SearchEngine(
        real_engine.index,
        real_engine.embedder,
        real_engine.fusion,
        QueryAnalyzer(index_frequencies(real_engine.index.lexical), glossary=False),
        real_engine.questions,
    )

    def first(engine: SearchEngine) -> int:
        places = [
            _best_place(rank_projects(engine.search(q.query, top_k=100)), q) for q in QUESTIONS
        ]
        return sum(p == 1 for p in places)

    assert first(real_engine) == len(QUESTIONS)
    assert first(plain) <= len(QUESTIONS) // 2


def test_a_question_that_names_a_city_lists_that_citys_projects_first(real_engine):
    # "… sa Isehara": the dense side does not read the city name and BM25 weighs a token all
    # of a city's passages hold next to nothing; without the city prior two of 伊勢崎's
    # English-teaching projects came first and the labeled one was third (4 of the top 5 were
    # 伊勢崎's); the prior demotes them, it does not filter them out.
    question = GOLD["foreign-tl-07"]
    parsed = real_engine.parse(question.query)
    projects, _ = real_engine.search_projects(parsed, 5, real_engine.make_filters())
    assert _best_place(projects, question) == 1
    assert sum(p.doc_id == "isehara-chuki-r3-r4" for p in projects) >= 3
