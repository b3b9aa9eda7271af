"""Question kinds, whole-fact units and composed answers, on real corpus blocks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.answer import AnswerConfig, Answerer, split_units
from service.answer.compose import (
    OPEN_KINDS,
    answered_by_project,
    asks_a_years_column,
    card_gap,
    card_ranks,
    unless_no_match,
)
from service.answer.confidence import MARGIN_CAP, Evidence, confidence
from service.answer.patterns import (
    asked_quantities,
    asked_units,
    bands_only,
    changes_only,
    dated_fiscal_years,
    figures,
    quantities,
)
from service.answer.question import question_kind, question_slots, read_question
from service.answer.ranking import answer_from
from service.answer.scoring import (
    _stem,
    field_match,
    filing_field,
    kind_match,
    overlap,
    year_match,
)
from service.answer.units import Unit
from service.filters import SearchFilters
from service.schemas import AnswerOut


def _chunk(engine, doc_id: str, key: str, field_part: str) -> tuple[str, str]:
    for chunk in engine.index.chunks:
        if (chunk.doc_id, chunk.project_key) == (doc_id, key) and field_part in chunk.field:
            return chunk.text, chunk.field
    raise AssertionError(f"no chunk {doc_id} {key} {field_part}")


# -- reading the question (model-free) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "kind", "slots"),
    [
        ("がん検診受診率の現状値と令和4年度の目標値は？", "value", 2),
        ("公共下水道の浸水対策事業の2年間の事業費はいくらで、そのうち起債はいくら？", "value", 2),
        ("子育てワークショップの開催回数は令和3年度と令和4年度にそれぞれ何回？", "value", 2),
        ("不妊治療と不育治療の助成の上限額はそれぞれいくら？", "value", 2),
        ("介護支援ボランティアポイント事業の登録者数は令和4年度に何人を目指している？", "value", 1),
        ("管路・施設情報管理台帳の一元化が令和2年度に計画以下だったのはなぜ？", "reason", 1),
        ("文化財のホームページの更新を担当しているのはどこの課？", "department", 1),
        ("クラウドファンディングの活用の実施状況は？", "status", 1),
        ("国土強靭化地域計画の策定はいつ完了した？", "date", 1),
        ("地域包括支援センターはどの単位で設置する？", "place", 1),
        ("認可外保育施設に運営費の補助はありますか？", "yesno", 1),
        ("子育て支援に取り組んでいる事業は？", "list", 1),
        ("防災に関する事業を一覧で見たい", "list", 1),
        # a count asked by its name or by a unit the old cue lacked
        ("簡易オンライン申請ツールの令和4年度の利用件数は？", "value", 1),
        ("水源林の作業路の整備延長は令和4年度に何メートルが目標？", "value", 1),
        ("令和3年度にRPAを導入して削減できた時間は年間何時間？", "value", 1),
        ("令和2年度に更新した個票は何件で、そのうち新規は何件？", "value", 2),
        # 「危ない場所を見つける」 names a place, it does not ask for one
        ("道路の危ない場所を見つけるため、市は何を委託している？", "fact", 1),
        # 教科担当制 is a way of teaching, not a department asked for
        ("教科担当制の非常勤講師を配置している小学校は令和2年度に何校？", "value", 1),
        # a count or rate asked by its target or level (it was an open fact question)
        ("ファミリー・サポート・センターの会員数の目標は？", "value", 1),
        ("がん検診の受診率の目標は？", "value", 1),
        ("日本遺産関連イベント数の令和4年度の目標は？", "value", 1),
        ("いせさき情報メールの登録数の目標は？", "value", 1),
        # no count, rate or sum named: the target of what is open
        ("子どもの貧困対策推進事業の目標は？", "fact", 1),
        ("複数の目標は？", "fact", 1),
        # 「全部でいくつ」 counts what it names; 「全部知りたい」 asks for the list
        ("PPSから電気を購入している公園などの施設は全部でいくつ？", "value", 1),
        ("障害のある人に関係する公約を全部知りたい", "list", 1),
        # the partner or the supplier asked by どこ (it was an open fact question)
        ("避難所の混雑状況をネットで確認できるようにするため、どこと協定を結んだ？", "place", 1),
        ("公園施設の電気はどこから買っている？", "place", 1),
        # how far a rate has come is its level; どこまで of a thing with no rate is a status
        ("個別避難計画の策定割合はどこまで進んでいる？", "value", 1),
        ("基幹・重要管路の耐震化率はどこまで進んでいる？", "value", 1),
        ("地籍調査はどこまで進んでいる？", "status", 1),
        ("進捗率の実施状況はどこまで進んでいる？", "status", 1),
        # copies counted in 部 (it was an open fact question); 何部 alone asks a department
        ("外国人住民向けの生活ガイドブックを何部配ることを目標にしている？", "value", 1),
        ("空き家対策は何部が担当している？", "department", 1),
        # an interrogative in the last clause asks for a thing, not a yes or no; its indefinite
        # forms (何か, 誰でも) leave the question yes/no
        ("鉄道の利便性向上の要望は、どの路線の沿線市町と一緒にやってるの？", "fact", 1),
        ("道路や公園の清掃をする登録団体には、市からどんな物がもらえる？", "fact", 1),
        ("近所の空き家、市は持ち主に何か言ってくれるの？", "yesno", 1),
        ("誰でも受けられる講習会はありますか？", "yesno", 1),
        # 「どれだけ増えた」 asks a quantity, as どれくらい does
        ("ふるさと納税の謝礼品を出す事業者、令和3年度中にどれだけ増えた？", "value", 1),
    ],
)
def test_question_kind_and_parts(query, kind, slots):
    assert question_kind(query) == kind
    assert question_slots(query) == slots


def test_figures_leave_out_years_and_labels():
    assert figures("【事業費総額(2年間の事業費見込み)】163,400千円") == {"163,400"}
    assert figures("【目標】令和4年度: 17.0%") == {"17.0"}


def test_quantities_are_figures_with_their_unit():
    assert quantities("【財政効果額(歳入) 令和3年度】134,060 (千円)") == {("134,060", "円")}
    assert quantities("刑法犯認知件数: 1,420件 防犯灯設置数: 406基") == {
        ("1,420", "件"),
        ("406", "基"),
    }
    assert quantities("市民1人当たりの公園面積 10.49ｍ2") >= {("10.49", "m2")}
    # a code of the 総合計画 is digits, not a quantity
    assert quantities("2-1-2① 土地区画整理事業の推進 伊勢崎駅周辺第二土地区画整理事業") == set()


@pytest.mark.parametrize(
    ("query", "units"),
    [
        ("がん検診受診率の現状値と令和4年度の目標値は？", {"%"}),
        ("令和4年度の刑法犯認知件数は何件で、前年度より何件増えた？", {"件"}),
        ("不妊治療と不育治療の助成の上限額はそれぞれいくら？", {"円"}),
        ("土地改良施設で工事をする堰は何か所？", {"箇所"}),
        ("坂東大堰が用水を供給している水田の面積はどのくらい？", set()),
        ("簡易オンライン申請ツールの令和4年度の利用件数は？", {"件"}),
        ("ごみ収集車の導入台数の目標は", {"台"}),
        ("図書館のボランティア人数は令和4年度に何名を目指している？", {"人"}),  # 名 counts 人
        ("ファミリー・サポート・センターの会員数の目標は？", {"人"}),  # members are people
        # a counter of its own, or a length in years; not a language, a date or 何度も
        ("階層別研修は令和4年度に何階層に分けて実施した？", {"階層"}),
        ("住宅用火災警報器の電池の寿命は何年くらい？", {"年"}),
        ("外国人向けの生活ガイドブックに令和2年度に追加したのは何語？", set()),
        ("校務支援システムのリース更新は何年度？", set()),
        ("流産を何度も繰り返してしまい、病院で治療を続けています。", set()),
        # いくつ: what is counted (or its unit, 市民団体 → 団体), or a count in つ
        ("前期アクションプランで設定した重点施策はいくつ？", {"重点施策", "つ"}),
        ("伊勢崎市の消防団はいくつの分団がある？", {"分団", "つ"}),
        (
            "協働まちづくり事業補助金は令和4年度にいくつの市民団体に交付した？",
            {"団体", "市民団体", "つ"},
        ),
        ("水源林の作業路の整備延長は令和4年度に何メートルが目標？", {"m"}),
        ("何分野の事業がある？", {"分野"}),  # a count of 分野 (「10分野」), not of minutes
        # 部 counts copies when they are handed out or printed; 何部 alone is a department
        ("外国人住民向けの生活ガイドブックを何部配ることを目標にしている？", {"部"}),
        ("市民活動通信は1回に何部発行した？", {"部"}),
        ("空き家対策は何部の担当？", set()),
    ],
)
def test_the_unit_a_value_question_asks_for(query, units):
    assert asked_units(query) == units


def test_a_figure_compared_with_the_year_before_is_a_change():
    line = (
        "令和3年度一般会計当初予算の市単独補助金等の交付件数は対前年度比3件の増であるが、"
        "交付額は一般財源ベースで対前年度比約7,300万円の減となっている。"
    )
    assert changes_only(line, frozenset({"円"}))
    budget = "対前年度比0.6%増、745億3,000万円の予算を編成した。"
    assert not changes_only(budget, frozenset({"円"}))
    assert changes_only(budget, frozenset({"%"}))


def test_the_initial_budget_is_the_total_compiled_not_a_change_of_subsidies(real_engine):
    # card #1 (gyokaku 2-(4)-①) names 「令和3年度一般会計当初予算」 word for word, but its
    # figures are changes of the subsidies in it (「対前年度比約7,300万円の減」)
    out = real_engine.answer("令和3年度当初予算の一般会計はいくら", SearchFilters(), 10).answer
    assert out.found and out.citation is not None
    assert out.citation.project_key == "2-(1)-①"
    assert "745億3,000万円" in out.text


def test_a_counter_of_its_own_is_found_after_its_figure():
    text = "【取組状況 令和4年度】新規採用職員から課長級職員までの職務・職階に応じて9階層に区分した"
    assert asked_quantities(text, frozenset({"階層"})) == {("9", "階層")}
    assert asked_quantities("警報器の電池寿命は約10年であることから", frozenset({"年"})) == {
        ("10", "年")
    }
    # a fiscal year is no length in years
    assert asked_quantities("平成18年に消防法が改正され", frozenset({"年"})) == set()
    assert question_kind("住宅用火災警報器の電池の寿命は何年くらい？") == "value"
    # what いくつ counts, printed after its count with or without の
    plan = "前期アクションプランでは、本市の課題解決に向けて 36 の重点施策を設定し"
    assert asked_quantities(plan, frozenset({"重点施策", "つ"})) == {("36", "重点施策")}
    assert asked_quantities("5つにパッケージ化し", frozenset({"重点施策", "つ"})) == {("5", "つ")}


def test_a_count_of_projects_is_asked_by_nani_jigyou():
    # 何事 is 「what」 (patterns.COUNTER leaves it out), but 何事業 counts projects: the question
    # read no unit, and 「「一部改善」事業 15事業」 answered 「事後評価:255事業」's question
    query = "令和2年度の行政評価では、事後評価を何事業で実施した？"
    units = asked_units(query)
    assert units == frozenset({"事業"})
    assert asked_quantities("・事後評価:255事業 評価対象事業の見直し", units) == {("255", "事業")}
    assert asked_units("何事もなく終わった？") == frozenset()


def test_a_short_noun_counted_by_name_asks_its_count(real_engine):
    # 「橋の数」 read no unit (橋 was none): the 事業費 table answered, not the 事業行程 row
    # 「定期点検 | — | 175 橋」
    query = "伊勢原市が令和4年度に定期点検する橋の数は？"
    assert asked_units(query) == frozenset({"橋"})
    assert asked_units("市内の学校の数は？") == frozenset({"校"})
    # a longer noun is counted in a unit it does not name (利用者 in 人)
    assert asked_units("利用者の数は？") == frozenset()
    assert quantities("定期点検 | — | 175 橋") == {("175", "橋")}
    out = real_engine.answer(query, SearchFilters(), 10).answer
    assert out.found and "175 橋" in out.text


def test_a_band_a_figure_falls_in_is_not_the_figure(real_engine):
    # 行政改革 3-(4)-① 令和2年度: 「…23%台が続いている」 (取組課題) was taken over 取組成果's
    # 「女性委員割合23.7%で、ほぼ横ばい」
    band = "市の審議会等における女性委員割合は前年度、前々年度に引き続いて23%台が続いている。"
    assert bands_only(band, frozenset({"%"}))
    assert not bands_only(
        "審議会等における女性委員割合23.7%で、ほぼ横ばいとなった。", frozenset({"%"})
    )
    assert not bands_only("消防ポンプ自動車など50台について", frozenset({"台"}))
    query = "市の審議会で女性の委員は令和2年度にどのくらいの割合だった？"
    question = read_question(query)
    assert (
        kind_match(question, Unit(band, "取組課題と次年度以降の方針 令和2年度", "sentence")) == 0.5
    )
    out = real_engine.answer(query, SearchFilters(), 10).answer
    assert out.found and "23.7%" in out.text


def test_a_count_of_the_things_a_list_cue_names_is_a_value():
    # 「…に関係する事業は」 is a list cue, but 「…何件」 counts them: a list of 4 projects answered
    assert (
        question_kind("伊勢原市で就労や創業に関係する事業は、令和4年度に何件やる計画？") == "value"
    )
    assert question_kind("防災に関する事業はいくつある？") == "value"
    assert question_kind("子育て支援に取り組んでいる事業は？") == "list"
    assert question_kind("子育てに関する事業は何がある？") == "list"
    assert question_kind("窓口をいくつも回らずに、まとめて済ませられる窓口は？") == "list"


def test_a_question_naming_a_city_is_answered_from_that_citys_plans(real_engine):
    # Card #1 is 伊勢崎's 行政改革 1-(1)-③ (証明書コンビニ交付: 交付率 15.5% in 令和4年度),
    # within the agreement margin of 伊勢原 40-104's 目標 table (令和4年度: 15%)
    query = "コンビニで証明書を取る人の割合を、伊勢原市は令和4年度に何％にしたい？"
    out = real_engine.answer(query, SearchFilters(), 10).answer
    assert out.found and out.citation is not None
    assert (out.citation.doc_id, out.citation.project_key) == ("isehara-chuki-r3-r4", "40-104")
    assert "15%" in out.text and "15.5%" not in out.text


def test_how_many_of_a_thing_is_its_count_before_it(real_engine):
    # 「45の分団の中には」: no unit follows the figure; 「消防団員定数735人」 was answered
    out = real_engine.answer("伊勢崎市の消防団はいくつの分団がある？", SearchFilters(), 10).answer
    assert out.found and out.citation is not None
    assert out.citation.project_key == "5-(6)-⑤"
    assert "45の分団" in out.text


def test_a_quantity_naming_the_asked_year_matches_in_the_next_years_column(hashing_engine):
    # manifesto 4-(5)-⑦ prints the 令和4年度末 progress rates under 主な取組 令和5年度
    late = next(
        u
        for c in hashing_engine.index.chunks
        if (c.doc_id, c.project_key) == ("isesaki-manifesto-r6", "4-(5)-⑦")
        for u in split_units(c.text, c.field)
        if "令和4年度未事業進捗率" in u.body
    )
    assert late.year == "令和5年度"
    asks = read_question("伊勢崎駅周辺第二土地区画整理事業の令和4年度末の事業進捗率は？")
    assert year_match(asks, late) == 1.0
    # a reason question is not moved by a year a later column mentions
    why = read_question("伊勢崎駅周辺の土地区画整理事業が令和4年度に遅れた理由は？")
    assert year_match(why, late) == -1.0


def test_a_figure_the_text_dates_to_another_year_is_not_the_asked_years(hashing_engine):
    # gyokaku 1-(7)-①: the 令和2年度 column reports the emissions of 令和元年度
    units = [
        u
        for c in hashing_engine.index.chunks
        if (c.doc_id, c.project_key) == ("isesaki-gyokaku-r2-r5", "1-(7)-①")
        for u in split_units(c.text, c.field)
        if "総排出量は令和" in u.body
    ]
    by_year = {u.year: u for u in units}
    asks = read_question("温室効果ガスの総排出量は令和2年度でどのくらい？")
    assert "令和元年度" in by_year["令和2年度"].body
    assert year_match(asks, by_year["令和2年度"]) == -1.0
    assert year_match(asks, by_year["令和3年度"]) == 1.0  # 「…は令和2年度で、55,038t-CO2」


def test_the_units_quantities_compare_by_class():
    assert quantities("ボランティア人数(累計) 令和4年度: 73名") == {("73", "人")}
    assert quantities("作業路の整備延長 令和4年度: L=550m") == {("550", "m")}


def test_a_field_named_only_inside_another_compound_is_not_asked_for():
    asks = read_question("ラグビー場の隣の多目的広場の整備で、令和3年度に委託する業務は？")
    assert field_match(asks, Unit("多目的広場の整備を検討します。", "実施目的", "line")) == 0.0
    named = read_question("さかい聖苑の電気・機械設備更新の、令和4年度の取組達成度の評価は？")
    assert field_match(named, Unit("△ 計画以下", "取組達成度 令和4年度", "field")) == 1.0
    budget = read_question("生涯学習推進事業の2年間の事業費見込みはいくら？")
    assert field_match(budget, Unit("2,238千円", "事業費総額(2年間の事業費見込み)", "field")) > 0.5


def test_a_filing_field_scores_below_the_projects_other_units():
    asks = read_question("市民病院の救急・災害医療体制構築事業で見直す計画は何？")
    tree = Unit("健康・医療分野 › 1-1-2 地域医療体制の充実", "施策体系", "line")
    assert filing_field(asks, tree, field_match(asks, tree)) == -1.0
    named = read_question("救急・災害医療体制構築事業の施策体系は？")
    assert filing_field(named, tree, field_match(named, tree)) > 0


def test_a_question_word_meets_the_noun_of_the_same_kanji():
    asks = read_question("市民病院の救急・災害医療体制構築事業で見直す計画は何？")
    plain = overlap(asks, frozenset({"BCP", "見直し"}), lambda t: 1.0)
    assert plain == pytest.approx(1 / len(asks.terms))  # 見直す meets 見直し, not 計画
    assert _stem("生きる") == ""  # one kanji left: too short to tell words apart


def test_a_what_question_reads_the_word_it_asks_about():
    assert read_question("道路の危ない場所を見つけるため、市は何を委託している？").focus == "委託"
    assert read_question("学校給食で継続する検査は何の検査？").focus == "検査"
    assert read_question("東富岡公園では令和4年度に何を直す予定？").focus == ""  # one kanji
    asks = read_question("道路の危ない場所を見つけるため、市は何を委託している？")
    plan = Unit("●道路パトロール業務委託", "事業計画 令和3年度〜令和5年度", "field")
    aim = Unit("道路パトロールによる危険箇所を発見することで…", "実施目的", "field")
    assert (kind_match(asks, plan), kind_match(asks, aim)) == (1.0, 0.0)


def test_a_question_naming_a_kind_of_plan_reads_its_title_word():
    assert read_question(
        "環境指導員の活動を支援する公約で、令和4年度に行ったことは？"
    ).documents == {"マニフェスト"}
    assert read_question("行革の取組で削減できた時間は？").documents == {"行政改革"}
    assert read_question("がん検診の受診率の目標は？").documents == frozenset()


def test_a_years_column_asked_gets_every_item_of_its_list(real_engine):
    # manifesto 6-(3)-④ lists three things done in 令和4年度, one a line; the jisshi project
    # of the same initiative is card #1, but the question names the 公約
    query = "資源物の持ち去り対策で環境指導員の活動を支援する公約で、令和4年度に行ったことは？"
    out = _answer(real_engine, query).answer
    assert out.found and out.kind == "fact"
    assert len(out.citations) == 3
    assert {c.project_key for c in out.citations} == {"6-(3)-④"}
    assert all(c.year == "令和4年度" for c in out.citations)
    assert "パトロール調査" in out.text and "啓発" in out.text


def test_a_years_initial_budget_is_in_the_column_of_the_year_before():
    # gyokaku 2-(1)-①: the 令和3年度 column reports the compiling of the 令和4年度 budget
    asks = read_question("令和4年度当初予算の一般会計はいくらで、対前年度比何％増？")
    assert asks.initial_budget and asks.years == {2022}
    compiled = Unit(
        "…対前年度比4.3%増、777億7,000万円の予算を編成した。", "取組成果 令和3年度", "line"
    )
    assert year_match(asks, compiled) == 1.0
    later = Unit(
        "…対前年度比3.3%増、803億1,700万円の予算を編成した。", "取組成果 令和4年度", "line"
    )
    assert year_match(asks, later) == -1.0
    named = Unit(
        "令和4年度一般会計当初予算の市単独補助金等の交付件数は…", "取組成果 令和3年度", "line"
    )
    assert year_match(asks, named) == 1.0
    assert not read_question("がん検診の受診率は令和4年度に何％を目標にしている？").initial_budget


def test_a_second_part_brings_the_unit_the_answer_lacks(real_engine):
    # card #1 is the subsidies project (a 円 figure, no %); the budget's own 令和3年度 column
    # holds both the 円 and the % asked
    out = _answer(real_engine, "令和4年度当初予算の一般会計はいくらで、対前年度比何％増？").answer
    assert out.found and out.kind == "value"
    assert "777億7,000万円" in out.text and "4.3%増" in out.text, out.text
    assert "2-(1)-①" in {c.project_key for c in out.citations}


def test_a_place_among_a_years_items_is_answered_with_the_items_beside_it(real_engine):
    # the 7 items of gyokaku 5-(1)-② 取組状況 令和4年度 score alike; the first alone
    # (「・感染対策を行いながら検診を実施した」) does not say where
    query = "令和4年度に新しく始めたがん検診の会場はどこ？"
    out = real_engine.answer(query, SearchFilters(), 10).answer
    assert out.found and out.kind == "place"
    assert "ショッピングモール" in out.text
    assert 1 < len(out.citations) <= 3
    assert {c.project_key for c in out.citations} == {"5-(1)-②"}
    assert {c.year for c in out.citations} == {"令和4年度"}


def test_what_was_done_asks_for_the_reports_result_fields():
    # 「…で新しく実施した研修は何？」 asks what a 取組状況 column reports, not a plan's item
    # (jisshi 318's 「●特別研修の実施」 answered it over gyokaku 4-(1)-①'s キャリアデザイン研修)
    assert "result" in read_question("令和3年度の特別研修で新しく実施した研修は何？").roles
    assert "result" in read_question("市民参加庁内推進委員会は何月に開いた？").roles
    assert "result" not in read_question("婚活セミナーは令和4年度に何回開催する予定ですか").roles


def test_a_fact_question_naming_a_year_is_no_question_for_a_project():
    # 「…は令和4年度に何をする予定？」 asks one year's column: a lower card's row that says it
    # may answer past agree_margin, as for a value; without a year the project is the answer
    assert not answered_by_project(read_question("地域包括ケアの推進は令和4年度に何をする予定？"))
    assert answered_by_project(read_question("地域包括ケアを進めている事業について知りたい"))
    assert not answered_by_project(read_question("がん検診の受診率は何％？"))  # a value
    # the one predicate both the agreement margin and the parts (a column's items) read
    assert asks_a_years_column(read_question("地域包括ケアの推進は令和4年度に何をする予定？"))
    assert not asks_a_years_column(read_question("地域包括ケアを進めている事業について知りたい"))
    assert not asks_a_years_column(read_question("がん検診の受診率は令和4年度に何％？"))


def test_a_table_row_holds_the_years_of_its_header_or_its_cells():
    asks = read_question("新型コロナワクチン接種の令和4年度の予定は？")
    row = Unit(
        "新型コロナウイルスワクチン接種 | 実施 | 未定",
        "事業行程",
        "row",
        "項目 | 令和3年度 | 令和4年度",
    )
    assert year_match(asks, row) == 1.0
    cells = Unit(
        "・防災情報伝達システムの導入 | 令和3年度: 基本設計 | 令和4年度: 導入", "取組工程", "row"
    )
    assert year_match(asks, cells) == 1.0
    later = read_question("防災情報伝達システムは令和6年度にどうする？")
    assert year_match(later, cells) == -1.0
    assert year_match(asks, Unit("健康づくりを進めます。", "事業内容", "line")) == 0.0


def test_a_reported_change_is_not_the_level_asked_for():
    assert changes_only("Twitterのフォロワー数は1,100人増加した。", frozenset({"人"}))
    assert not changes_only("・Twitterのフォロワー約8,500人", frozenset({"人"}))
    assert not changes_only("令和4年度: 5%増", frozenset({"%"}))  # a target stated as a rise


def test_card_gap_is_card_ones_lead_over_card_two(hashing_engine):
    hits = hashing_engine.search_full("ごみの減量", 8, SearchFilters()).hits
    projects = hashing_engine.search_projects_full("ごみの減量", 10, SearchFilters()).projects
    first, second = projects[0].score, projects[1].score
    assert card_gap(hits, projects) == pytest.approx((first - second) / first)
    assert 0.0 <= card_gap(hits, []) <= 1.0
    assert card_gap([], []) == 0.0


def test_open_questions_have_a_threshold_of_their_own(hashing_engine):
    strict = AnswerConfig(found_threshold=0.0, open_threshold=1.01)
    answerer = Answerer(hashing_engine, strict)
    assert not answerer.answer("ごみの分別の相談窓口はありますか").found  # yes/no: open
    assert answerer.answer("ごみの排出量は令和4年度に何トンまで減らす計画？").found  # value


# -- units that keep a fact whole (model-free) ---------------------------------------------------


def test_current_and_target_value_are_one_unit_with_the_indicator(hashing_engine):
    text, field = _chunk(hashing_engine, "isesaki-action-plan-r7", "5-3 方針2", "")
    texts = [u.text for u in split_units(text, field)]
    assert (
        "【指標名】交通事故発生件数\n【現状値 令和５年】1,185件\n【目標値 令和11年】1,066件"
        in texts
    )


def test_a_status_with_one_row_per_department_is_one_unit(hashing_engine):
    text, field = _chunk(hashing_engine, "isesaki-manifesto-r6", "7-(1)-⑤", "実施状況")
    units = [u for u in split_units(text, field) if u.name == "実施状況"]
    assert [u.body for u in units] == [
        "企画調整課 | C : 一部達成（進捗率50%程度）\n交通政策課 | B : おおむね達成（進捗率75%程度）"
    ]


def test_a_sub_item_stays_with_the_item_it_breaks_down(hashing_engine, real_engine):
    # 実施計画 137 prints 「●年間予定基数 448基 ○新規設置補助 408基 ○転換設置補助 40基」: cut at
    # each ○, 「○新規設置補助 408基」 answered 「年間何基を予定している？」
    text, field = _chunk(hashing_engine, "isesaki-jisshi-r3", "137", "事業計画")
    bodies = [u.body for u in split_units(text, field)]
    assert "●年間予定基数 448基\n○新規設置補助 408基\n○転換設置補助 40基" in bodies
    assert not any(b.startswith("○") for b in bodies)
    assert "●合併処理浄化槽普及促進PR" in bodies  # the next ● item is a unit of its own
    out = real_engine.answer(
        "合併処理浄化槽の設置補助は、年間何基を予定している？", SearchFilters(), 10
    )
    assert out.answer.found and "448基" in out.answer.text


def test_a_status_letters_legend_is_no_rate_of_the_project(hashing_engine):
    # every 実施状況 line of the manifesto carries its letter's legend (進捗率50%程度): a value
    # question asking a rate took it for the project's figure
    text, field = _chunk(hashing_engine, "isesaki-manifesto-r6", "4-(3)-②", "実施状況")
    status = next(u for u in split_units(text, field) if u.name == "実施状況")
    assert "進捗率50%程度" in status.body
    # read where quantities are read, so that compose (card #1's units holding the asked
    # quantity: _first_card_instead) does not count it either
    assert quantities(status.body) == set()
    assert asked_quantities(status.body, frozenset({"%"})) == set()
    value = read_question("汚水処理人口普及率は現在どこまで進んでいる？")
    assert value.kind == "value" and kind_match(value, status) == 0.0
    # a status question still finds its status there
    assert kind_match(read_question("汚水処理の公約の実施状況は？"), status) == 1.0


def test_no_unit_is_cut_inside_a_figure(hashing_engine):
    text, field = _chunk(hashing_engine, "isesaki-gyokaku-r2-r5", "2-(1)-①", "取組成果")
    bodies = [u.body for u in split_units(text, field)]
    assert any("745億3,000万円の予算を編成した。" in b for b in bodies)
    assert not any(b.rstrip().endswith(("745億", "3,")) for b in bodies)


def test_cards_are_the_listed_projects_or_the_order_of_the_hits(hashing_engine):
    outcome = hashing_engine.search_full("ごみの減量", 8, SearchFilters())
    ranks = card_ranks(outcome.hits, [])
    first = outcome.hits[0]
    assert ranks[(first.doc_id, first.project_key)] == 1
    assert sorted(ranks.values()) == list(range(1, len(ranks) + 1))


# -- composed answers on the real model ---------------------------------------------------------


def _answer(engine, query: str):
    return engine.answer(query, SearchFilters(), 10)


@pytest.mark.parametrize(
    ("query", "key", "parts"),
    [
        ("がん検診受診率の現状値と令和4年度の目標値は？", "1-105", ["16.2%", "17.0%"]),
        (
            "公共下水道の浸水対策事業の2年間の事業費はいくらで、そのうち起債はいくら？",
            "16-103",
            ["163,400千円", "139,400千円"],
        ),
        ("交通事故発生件数の現状値と目標値は？", "5-3 方針2", ["1,185件", "1,066件"]),
    ],
)
def test_two_part_questions_get_every_part(real_engine, query, key, parts):
    out = _answer(real_engine, query).answer
    assert out.found and out.kind == "value"
    assert all(p in out.text for p in parts), out.text
    assert out.citations and out.citation == out.citations[0]
    assert out.citation.project_key == key
    assert "\n".join(c.quote for c in out.citations) == out.text


def test_two_part_question_adds_the_unit_with_the_missing_quantity(real_engine):
    # 1,420件 is in the counts line of 取組成果 令和4年度, 203件増加 in the sentence before it;
    # the counts line also holds two other figures (防犯灯 406基, 5基), which fill no slot.
    out = _answer(real_engine, "令和4年度の刑法犯認知件数は何件で、前年度より何件増えた？").answer
    assert out.found and out.kind == "value"
    assert "1,420件" in out.text and "203件増加" in out.text, out.text
    assert {c.project_key for c in out.citations} == {"5-(6)-②"}
    assert len(out.citations) == 2


def test_value_question_gets_a_number_in_the_asked_unit_not_a_code_line(real_engine):
    # It answered 「【関連事業】2-1-2① 土地区画整理事業の推進 …」: digits, but no quantity.
    out = _answer(real_engine, "伊勢崎駅周辺第二土地区画整理事業の令和4年度末の事業進捗率は？")
    assert out.answer.found and "71.5%" in out.answer.text, out.answer.text
    assert out.answer.citation is not None and out.answer.citation.project_key == "4-(5)-⑦"


def test_value_question_is_answered_by_a_unit_holding_the_asked_quantity(real_engine):
    # Card #1 (実施計画 290 区長会事務事業) plans 「●役員会の開催」 without a count; the manifesto
    # report says 「区長会役員会を10回開催しました」.
    out = _answer(real_engine, "区長会役員会は令和3年度までに何回開いた？").answer
    assert out.found and "10回" in out.text, out.text
    assert out.citation is not None and out.citation.doc_id == "isesaki-manifesto-r6"


def test_a_part_the_first_project_lacks_comes_from_another_project(real_engine):
    # 実施計画 4 (不育症治療助成) gives 上限額20万円 only; the manifesto report gives both limits.
    out = _answer(real_engine, "不妊治療と不育治療の助成の上限額はそれぞれいくら？").answer
    assert out.found and "10万円" in out.text and "20万円" in out.text, out.text
    cited = {(c.doc_id, c.project_key) for c in out.citations}
    assert len(out.citations) == 2 and len(cited) == 2  # one citation per part, two projects


def test_value_question_gets_the_level_not_the_change(real_engine):
    out = _answer(real_engine, "市の広報のTwitterフォロワーは令和3年度でどれくらい？").answer
    assert out.found and "8,500人" in out.text, out.text


def test_an_open_question_is_answered_by_card_one(real_engine):
    # A unit of card #2 scored 0.57 above card #1's (above agree_margin): an open question's
    # answer is its project, and the one shown first is card #1.
    query = (
        "新東名のインターチェンジ周辺で進める産業系市街地の創出と、土地区画整理組合への補助金交付"
    )
    outcome = _answer(real_engine, query)
    ranking, retrieved = real_engine.answer_ranking(query)
    listed = real_engine.search_projects_full(query, 10, SearchFilters(), retrieved=retrieved)
    shown = replace(ranking.config, found_threshold=0.0, open_threshold=0.0)
    out = answer_from(replace(ranking, config=shown), listed.projects)
    assert out.kind in OPEN_KINDS and out.citation is not None and out.citation.card == 1
    first = outcome.projects[0]
    assert (out.citation.doc_id, out.citation.project_key) == (first.doc_id, first.project_key)


def test_reason_question_gets_the_cause_not_the_status(real_engine):
    out = _answer(
        real_engine, "管路・施設情報管理台帳の一元化が令和2年度に計画以下だったのはなぜ？"
    )
    assert out.answer.found and out.answer.kind == "reason"
    assert "新型コロナウイルス感染症の影響" in out.answer.text
    assert "△" not in out.answer.text


def test_status_question_gets_every_department(real_engine):
    out = _answer(real_engine, "東武鉄道の利便性向上の推進の実施状況は？").answer
    assert out.found and out.kind == "status"
    assert "一部達成" in out.text and "おおむね達成" in out.text


def test_yes_no_question_says_yes_with_the_project(real_engine):
    out = _answer(real_engine, "認可外保育施設に運営費の補助はありますか？").answer
    assert out.found and out.kind == "yesno"
    assert out.text.startswith("はい、「認可外保育施設支援事業」（こども保育課）があります。")
    assert out.citation is not None and out.citation.project_key == "49"


def test_yes_no_question_on_an_absent_topic_is_not_found(real_engine):
    out = _answer(real_engine, "火星に移住する補助金はありますか").answer
    assert not out.found and out.text == "" and out.citations == []


def test_list_question_lists_the_projects_of_the_cards(real_engine):
    outcome = _answer(real_engine, "子育て支援に取り組んでいる事業は？")
    out = outcome.answer
    assert out.found and out.kind == "list"
    listed = [(p.doc_id, p.project_key) for p in outcome.projects]
    assert [(i.doc_id, i.project_key) for i in out.items] == listed
    assert all(i.evidence for i in out.items)
    assert [i.rank for i in out.items] == list(range(1, len(listed) + 1))
    assert len(out.text.splitlines()) == len(out.items)


def test_the_answer_agrees_with_the_first_card(real_engine):
    # It used to cite 37-101 市民活動サポートセンター while card #1 was 39 (the jisshi project).
    # Judged below the threshold too: agreement is about which unit is chosen.
    query = "ファミリー・サポート・センターの会員数の目標は？"
    ranking, retrieved = real_engine.answer_ranking(query)
    listed = real_engine.search_projects_full(query, 10, SearchFilters(), retrieved=retrieved)
    shown = replace(
        ranking, config=replace(ranking.config, found_threshold=0.0, open_threshold=0.0)
    )
    out = answer_from(shown, listed.projects)
    first = listed.projects[0]
    assert out.found and out.citation is not None
    assert (out.citation.doc_id, out.citation.project_key) == (first.doc_id, first.project_key)
    assert out.citation.card == 1


def test_a_value_card_one_lacks_is_not_taken_from_a_project_the_question_does_not_name(
    real_engine,
):
    # Read as a value question, 「…会員数の目標は？」 found a 人 target only in card #2's
    # 市民活動サポートセンター (lexical 0.50 against card #1's 0.79) and showed it at 0.88; the
    # plans state no such target, and the 39 ファミリー・サポート・センター事業 card is first.
    query = "ファミリー・サポート・センターの会員数の目標は？"
    ranking, retrieved = real_engine.answer_ranking(query)
    listed = real_engine.search_projects_full(query, 10, SearchFilters(), retrieved=retrieved)
    out = answer_from(ranking, listed.projects)
    assert out.kind == "value"
    assert not out.found
    shown = replace(
        ranking, config=replace(ranking.config, found_threshold=0.0, open_threshold=0.0)
    )
    cited = answer_from(shown, listed.projects).citation
    assert cited is not None and cited.project_key == listed.projects[0].project_key


def test_a_date_of_january_to_march_is_in_the_fiscal_year_before():
    assert dated_fiscal_years("令和6年3月1日現在、実員674人で…充足率は91.7%") == {2023}
    assert dated_fiscal_years("令和5年7月に開催") == {2023}
    assert dated_fiscal_years("2024年3月末") == {2023}
    assert dated_fiscal_years("令和2年1月") == {2019}  # 令和元年度
    assert dated_fiscal_years("令和3年度〜令和5年度") == {2021, 2022, 2023}  # no month: as is
    # the question's year is read the same way: 「令和4年3月1日現在の…」 asks 令和3年度's column
    assert read_question("令和4年3月1日現在の消防団員の充足率は？").years == {2021}


def test_a_figure_as_of_march_answers_the_fiscal_year_that_ends_then(real_engine):
    # 行政改革 5-(6)-⑤ reports under 取組成果 令和5年度 「令和6年3月1日現在、…充足率は91.7%」 and
    # under 令和4年度 「令和5年3月1日現在、…93.7%」: the latter named 令和5 and was taken for it
    out = real_engine.answer("令和5年度の消防団員の充足率は？", SearchFilters(), 10).answer
    assert out.found and out.kind == "value" and out.citation is not None
    assert out.citation.project_key == "5-(6)-⑤"
    assert "91.7%" in out.text and "93.7%" not in out.text, out.text


def test_how_far_a_rate_has_come_is_answered_by_its_level(real_engine):
    # read as a status question (どこまで進), it found no status line and gave no answer (0.35)
    out = real_engine.answer("個別避難計画の策定割合はどこまで進んでいる？", SearchFilters(), 10)
    answer = out.answer
    assert answer.found and answer.kind == "value" and answer.citation is not None
    assert answer.citation.project_key == "5-1 方針2"
    assert "6.1％" in answer.text


def test_a_lower_cards_figure_of_the_thing_named_is_not_sent_back_to_card_one(real_engine):
    # Card #1 (行政改革 5-(5)-① 多言語化) names the 生活ガイドブック in more of the question's
    # words but counts no copies; card #3's 生活ガイドブックの配布数 row prints the same compound
    # and the 部 asked, so its target is the guidebook's, not the figure of something else.
    query = "外国人住民向けの生活ガイドブックを何部配ることを目標にしている？"
    out = real_engine.answer(query, SearchFilters(), 10)
    answer = out.answer
    assert out.projects[0].project_key != "7-1 方針1_4"  # the case: a lower card answers
    assert answer.found and answer.kind == "value" and answer.citation is not None
    assert answer.citation.project_key == "7-1 方針1_4"
    assert "3,250部" in answer.text


def test_a_place_question_takes_the_sentence_that_names_what_it_asks(real_engine):
    # 実施目的 「用水路等の改修を実施します」 scored first; 具体的方法 prints 事業主体
    out = real_engine.answer("佐波新田用水の用水路改修の事業主体はどこ？", SearchFilters(), 10)
    answer = out.answer
    assert answer.found and answer.kind == "place" and answer.citation is not None
    assert answer.citation.project_key == "163"
    assert "群馬県が事業主体" in answer.text


def test_a_unit_naming_more_must_be_of_the_field_asked_for(real_engine):
    # 「配信した」 asks a 取組状況 (result) column; the 成果指標 unit of 5-1 方針3 prints
    # 情報メール, which the 取組状況 sentence lacks, and names_more moved the answer onto it
    out = real_engine.answer("令和5年度に情報メールで配信した情報は何件？", SearchFilters(), 10)
    answer = out.answer
    assert answer.found and answer.citation is not None
    assert answer.citation.project_key == "5-(6)-①"
    assert "1,372件" in answer.text


def test_a_project_name_naming_the_head_noun_project_names_nothing_asked(real_engine):
    # 「森林の整備事業」: 23-101 農業基盤整備事業's name prints 整備事業, and names_more moved
    # the answer off card #1's 23-105 森林管理促進事業 breakdown onto 23-101's (117,530千円)
    query = "作業路網や森林の整備事業で国県補助等はいくら見込んでいる？"
    out = real_engine.answer(query, SearchFilters(), 10).answer
    assert out.found and out.citation is not None
    assert out.citation.project_key == "23-105"
    assert "36,267千円" in out.text


@pytest.mark.parametrize(
    ("query", "kind", "key", "fact"),
    [
        # value: one figure of an indicator table, the year asked
        (
            "介護支援ボランティアポイント事業の登録者数は令和4年度に何人を目指している？",
            "value",
            "4-101",
            "150人",
        ),
        # date: the month a plan was finished
        ("国土強靭化地域計画の策定はいつ完了した？", "date", "3-(1)-⑨", "令和4年3月"),
        # place: the unit the centres are set up by
        ("地域包括支援センターはいくつ、どの単位で設置する？", "place", "73", "9つの日常生活圏域"),
        # status: 「どこまで」 asks the rank, not any figure (card #1's 作成率 table was chosen)
        ("地区防災計画の策定の奨励はどこまで進んでいる？", "status", "3-(1)-⑤", "一部達成"),
        # value: a count asked by its name (利用件数), in one year's column of a report
        ("簡易オンライン申請ツールの令和4年度の利用件数は？", "value", "1-(5)-①", "429件"),
        # value: a length in metres, from the indicator table
        ("水源林の作業路の整備延長は令和4年度に何メートルが目標？", "value", "23-105", "L=550m"),
        # date: the sentence that dates the start, not the column without a year
        (
            "地方公務員の定年延長は何年度から始まることになった？",
            "date",
            "4-(2)-①",
            "令和5年度から",
        ),
        # fact: the year's plan line, not the 実施目的 (多目的広場 names no 目的 field)
        (
            "ラグビー場の隣の多目的広場の整備で、令和3年度に委託する業務は？",
            "fact",
            "289",
            "測量設計業務委託",
        ),
        # fact: the method sentence that says 見直し, not the 施策体系 breadcrumb
        ("市民病院の救急・災害医療体制構築事業で見直す計画は何？", "fact", "17", "BCP"),
        # fact: 「何の加工」 asks what 加工, and the line that says it is shown
        ("地場産の豚肉を使って令和4年度に何の加工を研究した？", "fact", "1-(4)-②", "ソーセージ"),
        # fact: the 令和4年度 cell of a plan table's row (its header holds the years)
        ("新型コロナワクチン接種の令和4年度の予定は？", "fact", "1-107", "未定"),
        # value: the building's age, not 「5年度に」 (a fiscal year shortened to its number)
        ("いせさき聖苑の建物は、建ってから何年たってる？", "value", "1-(4)-③", "建築後32年"),
        # fact: the line that names the 協議会, not the one with more of 救急 and 病院
        (
            "救急隊と病院の連携のために開いている協議会は、何という会？",
            "fact",
            "210",
            "伊勢崎佐波救急医療連絡協議会",
        ),
        # fact: 「どんな体験」 asks which 体験, and the line that says it is sure enough to show
        # (it was withheld at 0.39 below the open threshold)
        (
            "放課後に学校でやってる子ども向けの教室、中身はどんな体験？",
            "fact",
            "36",
            "算数の補習や工作、調理実習",
        ),
        # fact: 「だれに売る」 asks the buyers, not the purpose that names 代替用地 and 道路整備
        (
            "道路整備のために市が持っている代替用地は、だれに売るの？",
            "fact",
            "118",
            "移転用地の取得希望者等",
        ),
        # fact: 「どの路線の…やってるの？」 asks the lines (it was read as yes/no and withheld)
        (
            "鉄道の利便性向上の要望は、どの路線の沿線市町と一緒にやってるの？",
            "fact",
            "107",
            "JR両毛線及び東武伊勢崎線",
        ),
    ],
)
def test_value_date_and_place_questions_hold_their_fact(real_engine, query, kind, key, fact):
    out = _answer(real_engine, query).answer
    assert out.found and out.kind == kind
    assert fact in "".join(out.text.split()), out.text  # 「150 人」 as printed
    assert out.citation is not None and out.citation.project_key == key


def test_the_question_reads_the_things_it_names_in_several_words():
    named = [
        p
        for p, _ in read_question("市全体の温室効果ガスの総排出量は令和2年度でどのくらい？").phrases
    ]
    assert named == ["市全体", "温室効果ガス", "総排出量"]  # no year, no question word
    assert read_question("電気料はいくら？").phrases == (("電気料", ("電気", "料")),)
    assert read_question("補助はありますか").phrases == ()  # one noun names nothing new


@pytest.mark.parametrize(
    ("query", "key", "fact"),
    [
        # card #1 was the スポーツ施設 sibling: its 電気料 row holds 施設 and 電気 too
        (
            "公園施設の電気を東京電力と契約していた場合の令和5年度の想定額はいくら？",
            "2-(9)-②",
            "28,515,661円",
        ),
        # card #1 was the city office's own emissions (温室効果ガスの排出削減, 55,038t-CO2)
        ("市全体の温室効果ガスの総排出量は令和2年度でどのくらい？", "1-(9)-①", "1,491千t-CO2"),
        # card #1 was 1-(1)-② (its 65件 of new gifts); read as an open fact question, no unit of
        # card #2 could answer
        (
            "ふるさと納税の謝礼品を出す事業者、令和3年度中にどれだけ増えた？",
            "8-(2)-⑮",
            "20社増加",
        ),
    ],
)
def test_a_unit_that_prints_the_named_thing_answers(real_engine, query, key, fact):
    out = _answer(real_engine, query).answer
    assert out.found and out.citation is not None
    assert out.citation.project_key == key, out.text
    assert fact in "".join(out.text.split()), out.text


def test_department_question_without_a_city_names_each_documents_department(real_engine):
    # 空き家対策 is 建築住宅課 in 伊勢原 (17-103) and 環境保全課 in 伊勢崎's 実施計画 (147).
    out = _answer(real_engine, "空き家対策の事業を担当しているのはどこの課？").answer
    assert out.found and out.kind == "department"
    assert "環境保全課" in out.text and "建築住宅課" in out.text, out.text
    docs = [c.doc_id for c in out.citations]
    assert len(docs) == len(set(docs)) >= 2
    assert "\n".join(c.quote for c in out.citations) == out.text


def test_department_question_naming_the_city_stays_in_one_document(real_engine):
    out = _answer(real_engine, "伊勢原市で空き家対策の事業を担当しているのはどこの課？").answer
    assert out.kind == "department" and len(out.citations) <= 1


def test_name_question_starts_with_the_projects_name(real_engine):
    out = _answer(real_engine, "橋りょうの改修率を指標にしている施策の展開方針の名前は？").answer
    assert out.found
    assert out.text.startswith("「道路施設の監視強化と事故の未然防止」"), out.text
    assert out.citation is not None and out.citation.project_key == "4-3 方針3"


def test_method_question_gets_how_not_why(real_engine):
    out = _answer(real_engine, "がん検診の受診率をどのように向上させる？").answer
    assert out.found and out.kind == "method"
    assert "【具体的方法】" in out.text and "【実施目的】" not in out.text, out.text
    assert out.citation is not None and out.citation.project_key == "11"


# -- confidence and abstention (model-free) -------------------------------------------------------


def test_confidence_rises_with_each_reason_to_believe():
    base = Evidence(score=1.5, relevance=0.86, margin=0.0, first_card=False, kind_match=False)
    # the curve of yes/no, list, fact, method: it reads card #1's lead over the next card, and
    # the unit's score only beside it (test_confidence.py)
    opened = replace(base, open_question=True, lead=0.0)
    for start in (base, opened):
        plain = confidence(start)
        for better in (
            replace(start, score=2.0) if start is base else replace(start, lead=1.0),
            replace(start, relevance=0.88),
            replace(start, margin=1.0),
        ):
            assert confidence(better) > plain
        # the margin is capped: a lead beyond it says no more
        capped = confidence(replace(start, margin=MARGIN_CAP))
        assert confidence(replace(start, margin=50.0)) == capped
    # a unit of the asked kind never lowers it (its weight is 0 since a value question is only
    # answered by a unit with the asked quantity)
    assert confidence(replace(base, kind_match=True)) >= confidence(base)
    assert confidence(replace(base, card_gap=0.5)) > confidence(base)
    # an open question is answered by card #1's project: card and kind of unit say nothing
    same = replace(opened, first_card=True, kind_match=True, card_gap=0.5)
    assert confidence(same) == confidence(opened)


def test_no_match_takes_the_answer_box_away():
    shown = AnswerOut(
        text="【担当】環境保全課", found=True, confidence=0.9, citation=None, kind="department"
    )
    assert unless_no_match(shown, no_match=False) == shown
    gone = unless_no_match(shown, no_match=True)
    assert not gone.found and gone.text == "" and gone.citations == [] and gone.kind == "department"


def test_staff_counters_targets_and_weights_are_read():
    assert read_question("いせさき聖苑の建物は、建ってから何年たってる？").units == {"年"}
    assert read_question("介護保険料って何年で1期？").kind == "value"
    assert read_question("ごみ処理を広域でやる協議会は、何自治体で作った？").units == {"自治体"}
    assert asked_units("令和6年度に1人1日あたりのごみを何グラムにしたい？") == {"g"}
    assert ("900", "g") in quantities("1人1日あたりのごみの排出量 900 g (令和6年度)")
    assert {"公園", "つ"} <= asked_units("かまどベンチとかの防災設備がある公園、今いくつ？")
    assert "target" in read_question("防犯灯は最終的に何基まで増やすつもり？").roles
    assert "target" in read_question("日本遺産のイベント、令和4年度は年何回にしたい？").roles
    assert read_question("何年ですか").units == frozenset()
    # a length in years is no fiscal year shortened to its number, and may be written か年
    assert asked_quantities("優先順位を決め、5年度に、総合計画計上し", frozenset({"年"})) == set()
    assert ("32", "年") in asked_quantities("建築後32年を経過している", frozenset({"年"}))
    assert ("2", "年") in asked_quantities("令和4～5年度の2か年で行います", frozenset({"年"}))


def test_a_which_kind_question_reads_the_kind_it_asks_of():
    assert read_question("子ども向けの教室、中身はどんな体験？").focus == "体験"
    assert read_question("道路の危ない場所を見つけるため、市は何を委託している？").focus == "委託"


def test_a_who_question_is_read_but_not_nobody():
    assert read_question("代替用地は、だれに売るの？").asks_who
    assert read_question("誰を配置した？").asks_who
    assert not read_question("家で倒れても誰にも気づかれないのが心配").asks_who


def test_a_name_question_reads_the_thing_named():
    assert (
        read_question("救急隊と病院の連携のために開いている協議会は、何という会？").thing
        == "協議会"
    )
    assert read_question("移住したい人向けの小冊子、何という名前？").thing == "小冊子"
    assert (
        read_question("NPOとの協働のために開くフェスティバルの名前は？").thing == "フェスティバル"
    )
    # an entry of the plans is named by the project's own name
    assert read_question("この方針の名前は？").thing == ""
