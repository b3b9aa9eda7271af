"""Which unit answers a detail question, on the real corpus (session 14's rules of compose,
scoring and question): the answer holds the fact and stays with the card it is chosen from."""

from __future__ import annotations

from dataclasses import replace

from service.answer.compose import choose, evidence
from service.answer.confidence import MARGIN_CAP
from service.answer.patterns import asked_quantities
from service.answer.question import read_question
from service.answer.scoring import kind_match, names_a_place, role_match, year_match
from service.answer.units import Unit, split_sentences, split_units
from service.filters import SearchFilters


def test_a_unit_naming_as_much_is_taken_from_the_chosen_card(real_engine):
    # Card #1 (行政改革 1-(4)-① 新保健センター建設計画) and card #2 (マニフェスト 5-(1)-⑤) both
    # print 新保健センター and 保健施設 next to 4箇所; names_more moved the answer onto card #2's
    # 主な取組 sentence (0.01 higher) though card #1's own 取組状況 names as much.
    out = real_engine.answer("新保健センターには何箇所の保健施設を統合する？", SearchFilters(), 10)
    answer = out.answer
    assert answer.found and answer.citation is not None
    assert (answer.citation.doc_id, answer.citation.project_key) == (
        "isesaki-gyokaku-r2-r5",
        "1-(4)-①",
    )
    assert answer.citation.card == 1
    assert "4箇所" in answer.text


def test_no_other_card_leaves_no_unit_to_lead(hashing_engine):
    # One card listed (a filter, or a search that finds one project): its lead is the cap,
    # not its margin over units of projects no card shows.
    ranking, _ = hashing_engine.answer_ranking(
        "がん検診の受診率は令和4年度に何％を目標にしている？"
    )
    top = ranking.hits[0]
    cards = {(top.doc_id, top.project_key): 1}
    assert any((h.doc_id, h.project_key) not in cards for h in ranking.hits)
    main = choose(ranking, cards)
    assert evidence(ranking, cards, main).lead == MARGIN_CAP


def test_a_which_place_question_reads_the_kind_of_place_it_asks_for():
    assert read_question("教科担当制の非常勤講師を配置しないのはどこの小学校？").place == "小学校"
    assert read_question("令和3年度に不明資産の現地調査をしたのはどの地区？").place == "地区"
    # 「どの単位で」 asks a unit of division (「圏域ごと」), which prints no 単位
    assert read_question("地域包括支援センターはいくつ、どの単位で設置する？").place == ""
    assert read_question("佐波新田用水の用水路改修の事業主体はどこ？").place == ""


def test_a_place_is_named_by_a_name_before_its_kind():
    question = read_question("教科担当制の非常勤講師を配置しないのはどこの小学校？")
    assert names_a_place(question, "実施校への非常勤講師の配置 | 全校配置 (大山小学校以外)")
    # the indicator counts the schools and names none
    assert not names_a_place(question, "小学校教科担当制に係る非常勤講師を配置した小学校数")


def test_which_school_is_answered_by_the_row_that_names_it(real_engine):
    # The 目標 table (配置校数 7校 → 9校) scored 0.17 above the 事業行程 row that names the
    # one school left out; naming a 小学校 is what the question asks.
    query = "教科担当制の非常勤講師を配置しないのはどこの小学校？"
    answer = real_engine.answer(query, SearchFilters(), 10).answer
    assert answer.found and answer.kind == "place" and answer.citation is not None
    assert answer.citation.project_key == "9-101"
    assert answer.citation.field == "事業行程"
    assert "大山小学校以外" in answer.text


def test_a_year_that_dates_a_thing_is_read_with_it():
    assert read_question("令和4年度の組織機構改正で、各支所で廃止したものは？").dated == (
        "令和4年度の組織機構改正",
    )
    # a year that says when (に), not what, dates nothing
    assert read_question("がん検診の受診率は令和4年度に何％を目標にしている？").dated == ()


def test_a_date_to_the_month_matches_the_line_that_prints_it(real_engine):
    # 行政改革 2-(2)-③ reports under 取組状況 令和5年度 「・令和6年4月から1施設 平塚公園」: the
    # column's year clashed with the question's 令和6年度, and the 取組工程 rows (令和6年度: 導入 →)
    # answered
    query = "令和6年4月からネーミングライツを導入した施設は？"
    question = read_question(query)
    assert question.dated == ("令和6年4月",)
    line = Unit("・令和6年4月から1施設 平塚公園", "取組状況 令和5年度", "line")
    assert year_match(question, line) == 1.0
    assert year_match(question, replace(line, body="・令和5年10月から4施設 西部公園")) == -1.0
    out = real_engine.answer(query, SearchFilters(), 10).answer
    assert out.found and "平塚公園" in out.text


def test_a_unit_printing_the_dated_thing_matches_its_year_in_any_column(real_engine):
    # 【主な取組 令和3年度まで】 states what 「令和4年度の組織機構改正」 abolished; its column's
    # year clashed with the question's 令和4年度, and a 令和4年度 column's sentence answered
    question = read_question("令和4年度の組織機構改正で、各支所で廃止したものは？")
    text = (
        "・令和4年度の組織機構改正で、各支所にある税証明センター、経済振興室及び道路対策室を"
        "廃止し、一部業務又は全業務を支所の2課に移管することにより、縦割りの組織による弊害を"
        "なくし、支所長の指示のもとで支所運営を行うこととしました。"
    )
    assert year_match(question, Unit(text, "主な取組 令和3年度まで", "line")) == 1.0
    other = "・支所における業務内容を調査するとともに、機構改正後の支所の運用状況について検討"
    assert year_match(question, Unit(other, "主な取組 令和3年度まで", "line")) == -1.0
    out = real_engine.answer(question.text, SearchFilters(), 10).answer
    assert out.found and out.citation is not None
    assert out.citation.project_key == "8-(2)-⑲"
    assert "税証明センター、経済振興室及び道路対策室" in out.text


def test_town_planning_asks_for_no_plan():
    assert "plan" not in read_question("伊勢崎市の都市計画マスタープランはいつ改定された？").roles
    assert "plan" in read_question("下海老公園整備事業の令和4年度の事業計画は？").roles


def test_a_focused_fact_question_takes_the_unit_that_names_what_it_asks(real_engine):
    # 「何を実施する」: card #1 (209 応急手当普及啓発事業) answered with its 実施目的, which
    # names none of 救急救命士, 応急処置, 定期的; card #2's 具体的方法 names all three
    query = "救急救命士の応急処置の質を高めるため、定期的に何を実施する？"
    out = real_engine.answer(query, SearchFilters(), 10).answer
    assert out.found and out.citation is not None
    assert out.citation.project_key == "210"
    assert "病院実習及び症例検証会" in out.text


def test_the_date_of_a_town_plan_is_answered(real_engine):
    # 都市計画 had read as a plan (role of 取組予定), and the 取組予定 line without the month
    # outscored the 主な取組 sentence that dates the revision
    query = "伊勢崎市の都市計画マスタープランはいつ改定された？"
    out = real_engine.answer(query, SearchFilters(), 10).answer
    assert out.found and out.citation is not None
    assert out.citation.doc_id == "isesaki-manifesto-r6"
    assert "令和3年8月" in out.text


def test_a_note_in_brackets_stays_with_its_sentence():
    line = (
        "・スポーツ教室に新種目を追加しました。（フレクダンス、スクートボード）※各行事・教室"
        "についてはコロナ対策により、規模を縮小し開催しました。"
    )
    assert split_sentences(line) == [line]
    line = "・伊勢崎市情報セキュリティポリシーの見直しを図った。(令和5年4月1日施行)"
    assert split_sentences(line) == [line]
    # a sentence that opens otherwise is a sentence of its own
    assert split_sentences("検診を実施した。「がん予防」の周知を図った。") == [
        "検診を実施した。",
        "「がん予防」の周知を図った。",
    ]


def test_the_new_sports_are_answered_with_the_sentence_that_adds_them(real_engine):
    out = real_engine.answer("令和4年度にスポーツ教室に追加した新種目は？", SearchFilters(), 10)
    answer = out.answer
    assert answer.found and answer.citation is not None
    assert answer.citation.doc_id == "isesaki-manifesto-r6"
    assert "フレクダンス、スクートボード" in answer.text


def test_what_a_thing_is_done_with_is_a_method():
    assert read_question("医療機関の情報は何を使って市民に周知する？").kind == "method"
    assert read_question("防犯カメラはどんな機能が付いたものを設置する？").kind == "fact"


def test_a_width_or_length_is_asked_in_metres():
    question = read_question("名和幹線の道路整備の延長と幅員は？")
    assert question.kind == "value" and question.units == frozenset({"m"})
    assert asked_quantities("道路整備（L=375m、W=16m）を行います。", question.units) == {
        ("375", "m"),
        ("16", "m"),
    }
    # 延長 alone is also a prolongation, asked as a date
    question = read_question("地方公務員の定年延長は何年度から始まることになった？")
    assert question.kind == "date" and not question.units


def test_a_road_s_length_and_width_are_answered_by_the_unit_printing_them(real_engine):
    out = real_engine.answer("名和幹線の道路整備の延長と幅員は？", SearchFilters(), 10).answer
    assert out.found and out.citation is not None
    assert out.citation.project_key == "117"
    assert "L=375m" in out.text and "W=16m" in out.text


def test_in_how_many_sections_is_a_count_not_a_department():
    question = read_question("令和2年度、スリムアップ化計画のハンドブックは何課で活用された？")
    assert question.kind == "value" and question.units == frozenset({"課"})
    assert asked_quantities("26課でハンドブックが活用され、11課で30事例", question.units) == {
        ("26", "課"),
        ("11", "課"),
    }
    assert read_question("文化財のホームページの更新は何課の担当？").kind == "department"
    assert read_question("空き家の相談は何課？").kind == "department"


def test_a_five_year_target_field_plays_the_target_role():
    question = read_question("市の審議会等の女性委員割合は何％以上を目標にしている？")
    unit = Unit(
        "市の審議会等における女性委員割合を30%以上とすることを目標とします。",
        "5年後までの目標 (目指すべき姿)",
        "field",
    )
    assert role_match(question, unit) == 1.0
    assert role_match(question, Unit("…を推進します。", "取組内容", "field")) == 0.0


def test_the_target_with_its_qualifier_is_answered_from_the_five_year_target(real_engine):
    query = "市の審議会等の女性委員割合は何％以上を目標にしている？"
    out = real_engine.answer(query, SearchFilters(), 10).answer
    assert out.found and out.citation is not None
    assert out.citation.project_key == "3-(4)-①"
    assert "30%以上" in out.text


def test_a_calendar_year_heading_stays_in_its_field():
    # 行政改革 5-(6)-③ prints 「【令和4年】 交通人身事故 1,143件」 inside 取組成果 令和4年度: read
    # as a field of its own, the count lost the result field a 「…何件だった？」 asks for.
    text = (
        "【取組成果 令和4年度】令和3年の交通人身事故状況と比べ、減少する効果が得られた。\n"
        "《令和4年》 目標件数 1,220件\n【令和4年】 交通人身事故 1,143件 (前年比-50件)"
    )
    units = split_units(text, "取組成果")
    count = next(u for u in units if "1,143件" in u.text)
    assert count.label == "取組成果 令和4年度" and count.body.startswith("【令和4年】")
    assert {u.label for u in units} == {"取組成果 令和4年度"}


def test_a_count_of_a_calendar_year_is_answered_by_the_result(real_engine):
    out = real_engine.answer("令和4年の伊勢崎市の交通人身事故は何件だった？", SearchFilters(), 10)
    assert out.answer.found and out.answer.citation is not None
    assert out.answer.citation.project_key == "5-(6)-③"
    assert "1,143件" in out.answer.text and "1,220件" not in out.answer.text


def test_a_person_in_charge_named_in_a_question_asks_no_department():
    assert read_question("主任と担当者はどんな方法で研修を受けた？").kind == "method"
    assert read_question("この事業の担当者は誰？").kind == "department"
    assert read_question("空き家対策を担当している課は？").kind == "department"


def test_an_items_heading_inside_a_years_field_stays_in_that_year():
    # 行政改革 3-(2)-① prints 「【取組成果 令和3年度】【協働まちづくり事業】 …」 then
    # 「【ボランティア・市民活動通信】 1回1,000部…」: read as a field, the 1,000部 lost its year
    # and 「令和3年度に何部刷った？」 got 令和4年度's 10,000部.
    text = (
        "【取組成果 令和3年度】【協働まちづくり事業】 2団体が採択され、合計123,240円の補助"
        "をした。\n"
        "【ボランティア・市民活動通信】 1回1,000部、年1回発行し、関係各所への配架をした。\n"
        "【取組達成度 令和3年度】○ ほぼ計画通り\n【目標】指標名: 配布数"
    )
    units = split_units(text, "取組成果")
    copies = next(u for u in units if "1,000部" in u.text)
    assert copies.label == "取組成果 令和3年度" and copies.year == "令和3年度"
    assert [u.label for u in units][-2:] == ["取組達成度 令和3年度", "目標"]


def test_a_place_question_without_a_kind_of_place_wants_a_named_facility():
    q = read_question("し尿を茂呂クリーンセンターからどこに送って処理する？")
    assert q.kind == "place" and q.place == ""
    sent = Unit(
        "し尿及び浄化槽汚泥を茂呂クリーンセンターから、伊勢崎浄化センターへ送り",
        "具体的方法",
        "sentence",
    )
    own = Unit(
        "老朽化した茂呂クリーンセンターの基幹的設備修繕を実施します。", "具体的方法", "sentence"
    )
    assert kind_match(q, sent) == 1.0 and kind_match(q, own) == 0.0
    assert read_question("小学校の教科担当制の講師、配置しない学校はどこ？").place == "学校"
    assert read_question("斎場のエアコン改修で、令和4年度はどこを工事する？").kind == "place"


def test_staff_wordings_of_a_place_and_a_count_are_answered(real_engine):
    for query, hint in (
        ("し尿を茂呂クリーンセンターからどこに送って処理する？", "伊勢崎浄化センター"),
        ("小学校の教科担当制の講師、配置しない学校はどこ？", "大山小学校"),
        ("ボランティア・市民活動通信は、令和3年度に何部刷った？", "1回1,000部"),
        ("かまどベンチとかの防災設備がある公園、今いくつ？", "8公園"),
        ("介護保険料って何年で1期？", "3年を1期"),
        ("防犯灯は最終的に何基まで増やすつもり？", "19,587基"),
    ):
        answer = real_engine.answer(query, SearchFilters(), 10).answer
        assert answer.found and hint in answer.text, query
