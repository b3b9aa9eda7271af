"""The question's language, detected offline, carried on the parsed query and in responses."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.language import detect_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("子どもを少しの時間だけ預かってもらえる仕組みはありますか", "ja"),
        ("保育園", "ja"),  # kanji alone, short: a Japanese word here
        ("ゴミ", "ja"),
        ("Is there a place that can look after my child for a few hours?", "en"),
        ("Onde posso deixar meu filho por algumas horas?", "pt"),
        ("Tôi có thể gửi con ở đâu vài giờ?", "vi"),
        ("我想知道垃圾怎么分类和回收", "zh"),
        ("Saan ako puwedeng magpa-checkup ng kalusugan?", "tl"),
        ("¿Dónde puedo vacunar a mi hijo?", "es"),
        ("아이를 맡길 수 있는 곳이 있나요", "ko"),
        ("12345 ?!", None),
    ],
)
def test_detects_the_language_of_a_question(text, code):
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ["asdfghjkl", "qwerty uiop", "zxcvbnm", "jjjjjj kkkk"])
def test_letters_typed_at_random_are_no_language(text):
    # lingua alone calls 「asdfghjkl」 English (0.96) and 「qwerty uiop」 Tagalog (0.90).
    assert detect_language(text) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("property tax", "en"),  # "erty" is on the top row, but the word is not a run of it
        ("strengths", "en"),  # five consonants in a row, a real word
        ("Asdf, where is the daycare?", "en"),  # one real word saves the question
    ],
)
def test_real_words_next_to_the_gibberish_rules_keep_their_language(text, code):
    assert detect_language(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("多文化共生", "ja"),  # lingua: zh
        ("自主防災組織", "ja"),  # lingua: zh
        ("男女共同参画 推進", "ja"),
        ("伊势崎市托儿所", "zh"),  # simplified characters Japanese never writes
        ("伊势崎市的托儿所不够，市里在增加托儿所吗？", "zh"),
        # Four kanji or fewer were Japanese whatever their set: 垃圾分类 (garbage sorting, in
        # simplified characters) lost the glossary's ごみ 分別 and looked like an absent topic.
        ("垃圾分类", "zh"),
        ("避难所", "zh"),
        ("防災", "ja"),
        ("婚活", "ja"),
    ],
)
def test_a_kanji_compound_is_japanese_unless_its_characters_say_chinese(text, code):
    assert detect_language(text) == code


def test_responses_carry_the_query_language(hashing_engine, hashing_settings):
    with TestClient(create_app(hashing_settings, hashing_engine)) as client:
        for path in ("/search", "/projects/search", "/answer"):
            pt = client.get(path, params={"q": "Onde posso jogar o lixo reciclável?"}).json()
            ja = client.get(path, params={"q": "ごみの分別の方法は？"}).json()
            assert (pt["query_language"], ja["query_language"]) == ("pt", "ja"), path
