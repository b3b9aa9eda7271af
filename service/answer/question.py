"""What a question asks: its content terms, fiscal years and the kind of answer it wants.

Pure: the tokenizer and regular expressions only, no index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.analyze import Token, get_analyzer, normalize
from indexer.textclean import nfkc
from indexer.years import fiscal_years
from service.answer.patterns import (
    ASKABLE_UNIT,
    COPIES,
    COUNTER,
    YEAR_WORDS,
    asked_units,
    dated_fiscal_years,
    without_years,
)
from service.query import normalize as query_form
from service.schemas import AnswerKind

# Lemmas of interrogatives and light verbs: every answer lacks them, so they only dilute overlap.
QUESTION_WORDS = frozenset(
    (
        *("何", "何処", "何の", "何れ", "何時", "幾", "幾ら", "つ", "誰", "どう", "如何"),
        *("為る", "居る", "有る", "成る", "教える", "下さる", "呉れる", "貰う", "思う", "知る"),
        *("分かる", "出来る", "良い", "事", "物", "もの", "様", "方", "ない", "無い"),
    )
)
# (担当制 is a way of working: 「教科担当制の…何校？」 asks no department; 「何課で活用された」
# counts the sections where it happened, patterns.COUNTER; 担当者 is a person the question
# speaks of (「主任と担当者はどんな方法で研修を受けた？」) unless it asks who or where they are)
_ASKS_DEPARTMENT = re.compile(
    r"担当(?!制|者)|担当者(?:は|って)?\s*(?:誰|だれ|どこ|どの)"
    r"|部署|所管|どこの課|どの課|何課(?!で|に)|どこの部|どの部|窓口はどこ"
)
_ASKS_QUANTITY = re.compile(
    rf"何\s*(?:[％%]|{ASKABLE_UNIT}|キロ|平方|メートル|ヘクタール)"
    r"|金額|額は|事業費|いくら|いくつ|どのくらい|どれくらい|どれだけ|どれほど|どこまで|何パーセント|目標値|現状値|割合|率は"
    r"|幅員|長さ|距離"  # measured in metres (patterns.asked_units)
    # a count asked by its name: 「利用件数は？」「会員数って」
    r"|(?<![複多少])数(?:は|を|が|って|[？?]|$)"
    # a count, rate or sum asked by the target or level it reaches: 「会員数の目標は？」
    # 「利用率の目標は」「参加者数の現状値」 (目標値 and 現状値 alone are above)
    rf"|(?:(?<![複多少])数|率|割合|額)(?:の|は)?\s*(?:(?:{YEAR_WORDS.pattern})\s*の?)?\s*"
    r"(?:目標|現状|実績|見込)"
    # 「何階層に」「何号給」「何年くらい」: a counter of its own (patterns.COUNTER)
    rf"|{COUNTER}"
    # 「何部配る」: copies (patterns.COPIES), where 何部 alone is a department
    rf"|{COPIES}"
)
_ASKS_DATE = re.compile(r"いつ|何月|何年")
# 「…方針の名前は？」「何という事業？」: the answer is the project's own name (its title).
_ASKS_NAME = re.compile(r"(?:名前|名称)(?:は|を|って)|何という|なんという")
# A city named in the question: the answer then stays in that city.
CITIES = ("伊勢崎", "伊勢原")
# The kinds of question, most specific first: the first that matches is the question's kind.
_KINDS: tuple[tuple[AnswerKind, re.Pattern[str]], ...] = (
    (
        "list",
        re.compile(
            # (「全部でいくつ」「すべてで何施設」 count what they name: a value)
            r"一覧|(?:すべて|全て|全部)(?!で\s*(?:いくつ|いくら|何|どれくらい|どのくらい))"
            r"|リスト|まとめて|挙げて"
            r"|(?:取り組んで|取組んで|関わる|関係する|関する)(?:いる)?(?:事業|取組|施策|方針|公約)(?:は|を|が|って)"
            r"|(?:事業|取組|施策|公約)(?:は|を)(?:どれ|何が|教えて)"
        ),
    ),
    ("reason", re.compile(r"なぜ|何故|理由|原因|どうして|なんで")),
    ("department", _ASKS_DEPARTMENT),
    (
        "status",
        re.compile(
            r"達成度|実施状況|進捗(?!率)|ランク|評価|どこまで(?:進|達成)|達成(?:でき|した|された)"
        ),
    ),
    ("date", re.compile(r"いつ|何月|何年度?(?:から|まで|に(?!何)|を目安|の予定)|時期")),
    (
        "place",
        re.compile(
            # (「どこと協定を結んだ」「どこから買っている」: the partner or supplier, a place too)
            # (「令和4年度はどこを工事する？」: the part of a facility worked on, a place too)
            r"どこ(?:で|に|と|から|を|の(?!課|部)|[？?]?$)|場所(?:は|って|を教え|[？?]|$)"
            r"|どの地区|どの地域|どの単位"
        ),
    ),
    # (「何を使って周知する？」 asks the means: a method)
    ("method", re.compile(r"どのように|どうやって|どんな方法|方法は|何を(?:使|用い|活用)")),
    ("value", _ASKS_QUANTITY),
)
# 〜はありますか・〜できますか・〜もらえる？: availability, answered はい or not found. Only when
# nothing more specific is asked (「何人ですか」 is a value).
_YES_NO = re.compile(
    r"(?:あり|あるん|ある|ありませ|でき|できる|もらえ|受けられ|使え|出|され|始まら|やって|くれ)"
    r"(?:ます|る|ない|ん)?(?:か|の|かな|でしょうか)?\s*[？?。]?\s*$"
)
# An interrogative in the question's last clause asks for a thing, not a yes or no: 「どの路線の
# 沿線市町と一緒にやってるの？」 wants the lines, 「市からどんな物がもらえる？」 the things given.
# Not its indefinite forms (何か, 誰でも, どこかで, 何度も), which a yes/no question uses:
# 「市は持ち主に何か言ってくれるの？」「誰でも受けられる講習会はありますか？」.
_WHICH_THING = re.compile(
    r"何(?!か|も|度|年も|でも)|なに(?!か|も)|どの|どんな|どこ(?!か|でも)|だれ(?!か|も|でも)"
    r"|誰(?!か|も|でも)|どれ(?!か|も|でも)|いくつ|いくら|いつ(?!でも|も)"
)


def _asks_which(query: str) -> bool:
    """The last clause of ``query`` holds an interrogative (「…、どの路線と…やってるの？」)."""
    return bool(_WHICH_THING.search(re.split(r"[、。,]", query.strip())[-1]))


# One slot per thing asked: 「何台で、何年を目安に」, 「いくらで、そのうち…いくら」.
_SLOT = re.compile(
    rf"何\s*(?:[％%]|{ASKABLE_UNIT}|メートル|ヘクタール)"
    r"|いくら|いくつ|どのくらい|どれくらい|どれだけ|どこまで|いつ|何年|どこで|どこに|どの単位|なぜ|理由"
)
# 「現状値と目標値」「現在何％で、目標は」: the value now and the target are two slots.
_NOW = re.compile(r"現状|現在|今は|今どれ|今何")
_TARGET = re.compile(r"目標|目指")

# Words that say which kind of field holds the answer, by the roles of indexer.chunking.
_ROLE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # (都市計画 is town planning: 「都市計画道路」「都市計画マスタープラン」 ask for no plan)
    ("plan", re.compile(r"予定|(?<!都市)計画|工程|行程|スケジュール")),
    # (a staff member asks a target by where it should get to: 「何基まで増やすつもり？」
    # 「どれくらいの割合にしたい？」「作成率をめざしてる？」)
    (
        "target",
        re.compile(
            r"目標|目指|めざ|指標|現状値|つもり|最終的|まで(?:増や|減ら|伸ば|高め|引き上げ)"
            r"|(?:に|まで)(?:したい|増やしたい|減らしたい)"
        ),
    ),
    (
        "result",
        re.compile(
            r"評価|ランク|達成|実績|成果|状況|どうなった|だった|できた|始めた"
            # what was done, in the past tense of the reports' own verbs (取組状況: 「…を実施した」)
            r"|(?:実施|開催|導入|設置|策定|作成|配信|交付|支給|開設|締結|移管|廃止)(?:し|され)た"
            r"|行った|行われた|開いた|使われた"
        ),
    ),
    ("budget", re.compile(r"予算|事業費|財源|費用|効果額|起債|歳入|歳出|収入")),
)


@dataclass(frozen=True)
class Question:
    """What the scorer needs to know about a question."""

    text: str
    terms: tuple[str, ...]
    years: frozenset[int]
    roles: frozenset[str]
    asks_department: bool
    asks_quantity: bool
    asks_date: bool
    kind: AnswerKind = "fact"
    slots: int = 1  # how many things the question asks at once (two-part questions: 2)
    asks_name: bool = False  # the project's name is what is asked
    cities: frozenset[str] = frozenset()  # the cities the question names (伊勢崎, 伊勢原)
    units: frozenset[str] = frozenset()  # unit classes a number is asked in (何人 → 人, 率 → %)
    # The things the question names in more than one word (公園施設, 市全体, 保健指導), each as
    # (its normalized text, its lemmas): see ``named_phrases``.
    phrases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # The word a 「何を／何の」 question asks about (「何を委託」 → 委託, 「何の検査」 → 検査):
    # the unit that answers prints it (see ``asked_about``).
    focus: str = ""
    # The kind of place a 「どこの／どの」 question asks for (「どこの小学校」 → 小学校,
    # 「どの地区」 → 地区): the unit that answers names one (大山小学校, 赤堀地区).
    place: str = ""
    # The thing whose own name a name question asks (「…研究会の名前は？」 → 研究会, 「協議会は、
    # 何という会？」 → 協議会): not the project's name but one its text gives (``named_thing``).
    thing: str = ""
    # It asks who (「だれに売るの？」「誰が対象？」): the unit that answers names people.
    asks_who: bool = False
    # It asks for a year's initial budget (当初予算), compiled in the year before.
    initial_budget: bool = False
    # What a fiscal year of the question dates (「令和4年度の組織機構改正」), as written: a unit
    # that prints it speaks of that year whatever its column (see ``dated_things``).
    dated: tuple[str, ...] = ()
    # Words of the titles of the plans the question names (「…公約の…」 → マニフェスト).
    documents: frozenset[str] = frozenset()


def content_terms(text: str) -> list[str]:
    """Lemmas of ``text`` without the question words (which no answer contains)."""
    return [t for t in get_analyzer().lemmas(text) if t not in QUESTION_WORDS]


def read_question(query: str) -> Question:
    """Content terms (years and question words removed), fiscal years and the kind of answer."""
    # In the search's own form (service.query.normalize), so that a question without years is
    # the text its parse already tagged; the phrases' tokens come first, since their one tagging
    # also leaves the lemmas for the terms (indexer.analyze).
    yearless = query_form(without_years(query, " "))
    phrases = named_phrases(yearless)
    return Question(
        text=query,
        terms=tuple(dict.fromkeys(content_terms(yearless))),
        # 「令和4年3月1日現在の…」 asks the end of 令和3年度, the column that reports it
        years=frozenset(dated_fiscal_years(query)),
        initial_budget=asks_initial_budget(query),
        dated=dated_things(query),
        roles=frozenset(role for role, cue in _ROLE_CUES if cue.search(query)),
        asks_department=bool(_ASKS_DEPARTMENT.search(query)),
        asks_quantity=bool(_ASKS_QUANTITY.search(query)),
        asks_date=bool(_ASKS_DATE.search(query)),
        kind=question_kind(query),
        slots=question_slots(query),
        asks_name=bool(_ASKS_NAME.search(query)),
        thing=named_thing(yearless),
        asks_who=bool(_WHO.search(query)),
        cities=frozenset(c for c in CITIES if c in query),
        units=asked_units(query),
        phrases=phrases,
        focus=asked_about(yearless),
        place=which_place(yearless),
        documents=frozenset(title for cue, title in _DOCUMENT_CUES if cue.search(query)),
    )


# How a question names a kind of plan, and the word of that plan's title (corpus/documents.json:
# 「市長マニフェストの達成状況」「行政改革推進計画取組結果報告書」「…実施計画」 …).
_DOCUMENT_CUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"公約|マニフェスト"), "マニフェスト"),
    (re.compile(r"アクションプラン"), "アクションプラン"),
    (re.compile(r"行政改革|行革"), "行政改革"),
    (re.compile(r"実施計画"), "実施計画"),
    (re.compile(r"中期戦略|事業プラン"), "事業プラン"),
)


# 「何を委託している」「何の検査」「何が設置された」: the kanji or katakana word after the particle
# 「中身はどんな体験？」: どんな asks which of a kind, named after it (体験)
_FOCUS = re.compile(r"(?:何\s*(?:を|の|が)|どんな)\s*([一-龥々ァ-ヶー]{2,})")


def asked_about(query: str) -> str:
    """The word a 「何を／何の／何が」 question asks about, or "" (a word of one kanji says too
    little: 「何を直す」)."""
    match = _FOCUS.search(query)
    return match.group(1) if match else ""


# 「だれに売るの？」「誰が対象？」「誰を配置した？」; not 「誰にも気づかれない」
_WHO = re.compile(r"(?:だれ|誰)(?:に(?!も)|が|を|と|の)")


# 「研究会の名前を教えて」「協議会は、何という会？」「小冊子、何という名前？」: the noun whose name
# is asked, written before 名前 or before 何という.
_NAME_OF = re.compile(
    r"([一-龥々ァ-ヶー]{2,})(?:の\s*(?:名前|名称)|(?:は|って)?\s*、?\s*(?:何|なん)という)"
)
# The kinds of the plans' own entries: their name is the project's name (「…方針の名前は？」).
_ENTRY = re.compile(r"(?:事業|取組|取り組み|施策|方針|公約|マニフェスト|プロジェクト)$")


def named_thing(query: str) -> str:
    """The thing whose own name the question asks (「フェスティバルの名前は？」 → フェスティバル),
    or "" when it asks none, or the name of a plan's entry (事業, 方針 …: the project's name)."""
    match = _NAME_OF.search(query)
    return match.group(1) if match and not _ENTRY.search(match.group(1)) else ""


# 「令和4年度の組織機構改正」: a fiscal year, の and the compound noun it dates
_DATED = re.compile(rf"((?:{YEAR_WORDS.pattern})\s*の\s*[一-龥々ァ-ヶー]{{2,}})")


# 「令和6年4月から導入した施設は」: a date to the month, printed as such by the line it asks for
# (取組状況 令和5年度: 「・令和6年4月から1施設 平塚公園」), whatever the column's year.
_MONTH_DATE = re.compile(r"(?:令和|平成)\s*(?:元|[0-9]{1,2})\s*年\s*[0-9]{1,2}\s*月")


def dated_things(query: str) -> tuple[str, ...]:
    """The things a question dates by a fiscal year (「令和4年度の組織機構改正で…廃止したものは」
    → 令和4年度の組織機構改正) and the dates it names to the month (令和6年4月), blanks removed
    and NFKC, as ``scoring.year_match`` compares."""
    text = nfkc(query)
    found = [m.group(1) for m in _DATED.finditer(text)] + _MONTH_DATE.findall(text)
    return tuple(re.sub(r"\s", "", d) for d in found)


# 「どこの小学校」「どの地区」: the kanji or katakana word after the interrogative; 「配置しない
# 学校はどこ？」: the word the どこ is asked of
_WHICH = re.compile(r"(?:どこの|どの)\s*([一-龥々ァ-ヶー]{2,})")
# (a kind of place only: 「事業主体はどこ？」 asks who runs it, answered by 「群馬県が事業主体」)
_WHERE_OF = re.compile(r"((?:学校|センター|公園|地区|施設|住宅|会場|工区))(?:は|って)\s*どこ")


def which_place(query: str) -> str:
    """The kind of place a 「どこの／どの」 or 「…学校はどこ」 question asks for, or "" (「どの
    単位」 asks a unit of division, answered by 「圏域ごと」, which names no 単位; 「場所はどこ」
    names no kind of place)."""
    match = _WHICH.search(query) or _WHERE_OF.search(query)
    return match.group(1) if match and match.group(1) not in ("単位", "場所") else ""


# 「令和4年度当初予算」「令和4年度の一般会計当初予算」: a year's initial budget is compiled in the
# year before, and the reports print it in that year's column (取組成果 令和3年度: 「…777億7,000万円
# の予算を編成した」 is the 令和4年度 budget).
_BUDGET_OF_YEAR = re.compile(
    rf"({YEAR_WORDS.pattern})\s*(?:の)?\s*(?:一般会計|特別会計)?\s*(?:の)?\s*当初予算"
)


def asks_initial_budget(query: str) -> bool:
    """The question asks for a named year's initial budget (「令和4年度当初予算」)."""
    return bool(_BUDGET_OF_YEAR.search(query))


def budget_years(text: str) -> set[int]:
    """The years whose initial budget a text names (「令和4年度一般会計当初予算の…」 → 2022)."""
    return {y for m in _BUDGET_OF_YEAR.finditer(text) for y in fiscal_years(m.group(1))}


# Tokens that join a compound noun (総 排出 量, 電気 料); numbers and question words end it.
_PHRASE_POS = frozenset(("名詞", "接頭辞", "接尾辞"))


def named_phrases(query: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The compound nouns of a question (two or more adjacent noun tokens), as normalized text
    with their lemmas: 「公園施設の電気」 names 公園施設, which the sibling project スポーツ施設…
    lacks though it shares both words with the question's other nouns (施設, 電気)."""
    runs: list[list[Token]] = []
    run: list[Token] = []
    for token in (*get_analyzer().tokens(query), None):
        joins = (
            token is not None
            and token.pos in _PHRASE_POS
            and token.pos2 != "数詞"
            and token.lemma not in QUESTION_WORDS
        )
        if token is not None and joins and (not run or run[-1].end == token.start):
            run.append(token)
            continue
        if len(run) >= 2:
            runs.append(run)
        run = [token] if token is not None and joins else []
    found = {normalize(query[r[0].start : r[-1].end]): tuple(t.lemma for t in r) for r in runs}
    return tuple(found.items())


# 「耐震化率はどこまで進んでいる？」: how far a rate has come is its level, a value; a status is
# asked by its own words (達成度, 実施状況, ランク, 評価) or by どこまで of a thing with no rate.
_HOW_FAR = re.compile(r"どこまで(?:進|達成)")
_STATUS_WORDS = re.compile(r"達成度|実施状況|進捗(?!率)|ランク|評価")
_RATE = re.compile(r"率|割合|何\s*[%％]|パーセント")


# A count asked of the things a list cue names (何件, 何事業, いくつ): the count answers
# (いくつも is 「many」: 「窓口をいくつも回らされて」 asks no count).
_COUNTED = re.compile(rf"何\s*(?:{ASKABLE_UNIT}|事業)|いくつ(?!も)")


def question_kind(query: str) -> AnswerKind:
    """What the question asks for (AnswerOut.kind): the first kind whose cue it uses."""
    for kind, cue in _KINDS:
        if cue.search(query):
            if kind == "status" and _asks_a_rates_level(query):
                return "value"
            if kind == "list" and _COUNTED.search(query):
                continue  # 「創業に関係する事業は、令和4年度に何件？」 counts them: a value
            return kind
    return "yesno" if _YES_NO.search(query.strip()) and not _asks_which(query) else "fact"


def _asks_a_rates_level(query: str) -> bool:
    """「…率はどこまで進んだ？」: a status cue that is only どこまで進む, of a rate the question
    names (its level answers, 「31.2％」, where the status line 「C : 一部達成」 does not)."""
    return bool(_HOW_FAR.search(query) and _RATE.search(query) and not _STATUS_WORDS.search(query))


def question_slots(query: str) -> int:
    """How many things the question asks (1–3): 「現状値と目標値は」 asks two.

    Several fiscal years with それぞれ count one slot each (「令和3年度と令和4年度にそれぞれ」),
    and so do two things joined by と (「不妊治療と不育治療の…上限額はそれぞれ」).
    """
    found = len(_SLOT.findall(without_years(query, " ")))
    if _NOW.search(query) and _TARGET.search(query):
        found = max(found, 2)
    if "それぞれ" in query:
        # 「令和3年度と令和4年度にそれぞれ」: one slot a year; 「AとBの…はそれぞれ」: two
        found = max(found, len(fiscal_years(query)), 2 if "と" in query else 1)
    return max(1, min(3, found))
