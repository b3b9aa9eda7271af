"""The question's words the plans lack (``service/coverage.py``), on the real corpus's vocabulary
(the hashing engine's index: the vocabulary does not depend on the embedder)."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.analyze import get_analyzer, normalize
from indexer.offsets import token_table
from service.coverage import CorpusVocabulary, coverage, sentences
from service.relevance import signals


def _coverage(engine, question: str):
    return coverage(normalize(question), engine.vocabulary)


def test_neighbour_pairs_come_from_one_passage_and_skip_particles():
    texts = ["体制の見直しを行う。路面の補修", "電車の運行"]
    table = token_table(texts, get_analyzer())
    vocabulary = CorpusVocabulary.from_index(table, set(table.vocab))
    assert vocabulary.holds(("体制", "見直し"))  # 体制の見直し: the particle is no token
    assert vocabulary.holds(("路面",)) and vocabulary.holds(("電車",))
    assert not vocabulary.holds(("路面", "電車"))  # each word is there, never side by side
    assert not vocabulary.holds(("補修", "電車"))  # the end of one passage, the start of the next
    assert not vocabulary.holds(("水族", "館"))
    assert np.all(np.diff(vocabulary.pairs) > 0)  # sorted and unique, for the binary search


def test_compounds_sentences_and_what_follows_them():
    found = sentences(normalize("市営の動物園の入園料はいくらですか。水族館を建てたい"))
    assert [["".join(c.lemmas) for c in s] for s in found] == [
        ["市営", "動物園", "入園料", "幾ら"],
        ["水族館"],
    ]
    assert [c.after for c in found[0][:3]] == ["の", "の", "は"]
    assert found[1][0].topic_mark  # 水族館を


@pytest.mark.parametrize(
    "question",
    [
        "水族館を建てる予定はありますか",
        "ロープウェイの運賃はいくらですか",  # the noun phrase ロープウェイの運賃 is asked about
        "漁港の整備事業について知りたい",
        "親が亡くなって、お墓をどうするか考えています。市営墓地の空き区画はまだあって、"
        "申し込めばすぐ使えますか？",
    ],
)
def test_an_absent_topic_is_unknown_where_the_question_asks(hashing_engine, question):
    found = _coverage(hashing_engine, question)
    assert found.topic_unknown == 1.0 and found.unknown > 0


@pytest.mark.parametrize(
    "question",
    [
        "空き家対策の事業を担当しているのはどこの課？",
        "婚活セミナーは令和4年度に何回開催する予定ですか",
        "合併浄化槽に替えたいんだけど、市から補助は出る？",
        # The situation is in everyday words the plans never use (実家, 息子); the question asks
        # about 詐欺の情報, which they hold.
        "実家の親に息子を名乗る怪しい電話がかかってきた。"
        "こういう詐欺の情報をメールで知らせてくれるサービスってあるの？",
    ],
)
def test_an_answerable_topic_is_known(hashing_engine, question):
    assert _coverage(hashing_engine, question).topic_unknown == 0.0


def test_the_share_counts_compounds_the_passages_lack(hashing_engine):
    # 実家 is not in the plans; 電話, 詐欺, メール, サービス are; 親 and 息子 tell the situation
    # and 情報 the frame of the request: they name no topic and are not counted.
    question = (
        "実家の親に息子を名乗る怪しい電話がかかってきた。"
        "こういう詐欺の情報をメールで知らせてくれるサービスってあるの？"
    )
    assert _coverage(hashing_engine, question).unknown == pytest.approx(1 / 5)
    assert _coverage(hashing_engine, "路面電車の計画").unknown == 1.0  # 計画: the frame
    assert _coverage(hashing_engine, "路面電車と防災").unknown == 0.5
    assert _coverage(hashing_engine, "防災").unknown == 0.0


def _parts(text: str) -> list[list[tuple[str, ...]]]:
    return [c.parts() for s in sentences(normalize(text)) for c in s]


def test_a_compound_is_read_without_the_words_that_name_no_topic():
    # お金 is 金; 見直し状況 is 見直し (状況 asks about it); a question word and a word of the
    # situation leave nothing; a suffix of address goes with them.
    assert _parts("お金の見直し状況") == [[("金",)], [("見直し",)]]
    assert _parts("何人の息子さんと夜中の電話") == [[], [], [], [("電話",)]]
    assert _parts("民生委員さん") == [[("民生", "委員")]]
    # A number splits a compound: 令和 and 年度 are parts of their own, not a pair 令和+年度.
    assert _parts("令和4年度の参加者数") == [[("令和",), ("年度",)], [("参加", "者", "数")]]
    assert _parts("津波避難タワーの整備計画") == [[("津波", "避難", "タワー")], []]
    # のうち (of which) is 内 read ウチ and would join the next noun (内+起債, a pair no passage
    # holds); 市内's 内 (ナイ) stays part of its compound.
    assert _parts("財源のうち起債は") == [[("財源",)], [("起債",)]]
    assert _parts("市内の公園") == [[("市", "内")], [("公園",)]]


def test_words_of_the_situation_do_not_make_a_question_unknown(hashing_engine):
    # 息子が is what the grammar marks as asked about, and the plans never write 息子: read as
    # a topic, this answerable question looked like an absent one.
    asked = _coverage(hashing_engine, "高校生の息子が電話で相談できるところはありますか")
    assert asked.topic_unknown == 0.0 and asked.unknown == 0.0
    assert _coverage(hashing_engine, "近所の公園").unknown == 0.0
    assert _coverage(hashing_engine, "水族館の近所").unknown == 1.0


def test_the_calendar_the_family_and_the_body_name_no_topic(hashing_engine):
    # the categories of EVERYDAY completed: days and seasons (去年, 週末, 夏休み), relatives
    # (元夫, 兄弟), the body (膝, 足腰); none is in the plans, none is what is asked
    question = "去年の夏休みから膝と足腰が痛い。元夫や兄弟にも頼れないが、週末に相談できる窓口は？"
    assert _coverage(hashing_engine, question).unknown == 0.0


def test_hiragana_nouns(hashing_engine):
    plain = _coverage(hashing_engine, "ちょっとの間だけ子どもを見ててくれる人、しくみってある？")
    assert plain.hiragana == pytest.approx(1 / 4)  # 間, 子ども, 人, しくみ
    assert _coverage(hashing_engine, "放課後児童クラブ").hiragana == 0.0


def test_a_question_in_another_language_has_no_coverage_features(hashing_engine):
    query = hashing_engine.parse("Is there an aquarium in the city?")
    found = signals(query, {1: 0.8}, {}, lambda cid: cid, hashing_engine.vocabulary)
    assert query.language == "en"
    assert (found.unknown, found.topic_unknown, found.hiragana) == (0.0, 0.0, 0.0)
    japanese = hashing_engine.parse("水族館を建てる予定はありますか")
    found = signals(japanese, {1: 0.8}, {}, lambda cid: cid, hashing_engine.vocabulary)
    assert found.topic_unknown == 1.0


def test_a_noun_the_synonym_tables_map_to_the_plans_words_is_known(hashing_engine):
    # 行革 occurs in no passage; the synonym tables map it to 行政 and 改革, which do.
    question = "水道事業が担当している行革の取組はどれ？"
    assert _coverage(hashing_engine, question).topic_unknown == 1.0
    query = hashing_engine.parse(question)
    assert any(e.kind == "synonym" and "行革" in e.term for e in query.expansions)
    found = signals(query, {1: 0.8}, {}, lambda cid: cid, hashing_engine.vocabulary)
    assert found.topic_unknown == 0.0


def test_a_synonym_whose_words_are_never_neighbours_does_not_make_a_noun_known(hashing_engine):
    # Sudachi maps 灯台 to ライトハウス: the plans hold ライト and ハウス, never side by side, so
    # the lighthouse is no topic they cover under another name.
    query = hashing_engine.parse("灯台の見学はできますか")
    assert any(e.term == ("灯台",) and e.added == ("ライト", "ハウス") for e in query.expansions)
    found = signals(query, {1: 0.8}, {}, lambda cid: cid, hashing_engine.vocabulary)
    assert found.topic_unknown == 1.0


def test_each_alternative_of_a_synonym_group_is_a_word_of_its_own(hashing_engine):
    # 引っ越し (moving house) is the plans' 転入 or 転居: two words of one group, each held,
    # not one word cut in two; read as the phrase 転入+転居, which no passage holds, 引っ越し
    # counted unknown in a dev citizen question.
    question = "引っ越しの手続きで窓口をいくつも回った。一度で済む窓口は作らないの？"
    query = hashing_engine.parse(question)
    assert any(
        e.term == ("引っ越し",) and set(e.whole) == {"転入", "転居"} for e in query.expansions
    )
    found = signals(query, {1: 0.8}, {}, lambda cid: cid, hashing_engine.vocabulary)
    assert found.unknown < _coverage(hashing_engine, question).unknown


def test_the_manifestos_items_and_a_request_for_help_name_no_topic():
    # 公約 is the residents' word for the manifesto's items (the plans print マニフェスト), and
    # 助け asks for help as 支援 does: neither is a topic the plans lack.
    assert _parts("障害のある人に関係する公約") == [[("障害",)], [("人",)], [], []]  # 関係: frame
    assert _parts("何か助けはある") == [[]]


def test_where_the_request_goes_is_asked_about(hashing_engine):
    # フードバンクに寄付したい: the food bank is where the gift goes, and the plans name none.
    found = _coverage(hashing_engine, "フードバンクに食品を寄付したい")
    assert found.topic_unknown == 1.0
    assert _coverage(hashing_engine, "図書館に本を寄付したい").topic_unknown == 0.0


@pytest.mark.parametrize(
    "question",
    [
        # 峰岸山 is a manifesto item's project name; a question's analyzer reads ミネギシ+山
        "峰岸山の公有林化はどこまで進んだ？",
        # the plans' table prints 市民サービスセンター宮子, cut 宮+子 there, ミヤコ here
        "市民サービスセンター宮子の利用件数は？",
    ],
)
def test_a_name_the_plans_print_is_known_however_the_analyzer_cuts_it(hashing_engine, question):
    assert _coverage(hashing_engine, question).topic_unknown == 0.0


def test_a_short_name_is_not_looked_up_inside_the_plans_words(hashing_engine):
    # 地面 is printed only inside 農地面積 (農地+面積): one token, and two characters, so the
    # printed text does not make it known
    assert hashing_engine.vocabulary.prints("地面")
    assert _coverage(hashing_engine, "地面を掘る工事はある？").topic_unknown == 1.0
    # an absent topic stays unknown, whatever the plans print around it
    assert _coverage(hashing_engine, "パッカー車を入れ替える予定は").topic_unknown == 1.0


def test_a_bound_suffix_on_a_word_the_plans_hold_names_no_new_topic(hashing_engine):
    # 落札者 and 契約ごと (契約+毎) never occur as printed, 落札 and 契約 do
    assert _coverage(hashing_engine, "落札者はどう決める？").topic_unknown == 0.0
    assert _coverage(hashing_engine, "契約ごとを手伝ってもらえる？").topic_unknown == 0.0
    assert _coverage(hashing_engine, "水族館ごとの入場者数は").topic_unknown == 1.0


@pytest.mark.parametrize(
    "question",
    [
        "防犯灯を増やす事業の名前は？",  # 名前 asks what the project is called
        "高齢者が参加できる集まりはある？",  # 集まり for the plans' サロン and 教室
        "予約すると家まで来てくれる乗り物はある？",
    ],
)
def test_a_noun_that_asks_a_name_or_a_kind_names_no_topic(hashing_engine, question):
    assert _coverage(hashing_engine, question).topic_unknown == 0.0
