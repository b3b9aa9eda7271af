"""How fiscal years and figures are written in the plans, shared by units, question and scoring.

A figure next to a fiscal year (``令和4年度``, ``H30年度``, ``2022年``) is no figure of an
answer: both the table-header test and the "holds a quantity" feature strip years first.
"""

from __future__ import annotations

import re

from indexer.textclean import nfkc
from indexer.years import fiscal_years, western_year

ERA = r"(?:令和|平成|昭和)\s*(?:元|[0-9０-９]{1,2})\s*年度?"
DIGIT = re.compile(r"[0-9０-９]")
YEAR_WORDS = re.compile(rf"{ERA}|(?:19|20)[0-9]{{2}}\s*年度?|[RH][0-9]{{1,2}}年度?")


# A calendar date with its month (「令和6年3月1日現在」「2024年3月末」): a fiscal year runs from
# April to March, so a date of January to March is in the fiscal year before its calendar year.
_DATED_MONTH = re.compile(
    r"(?:(令和|平成|昭和)\s*(元|[0-9]{1,2})|((?:19|20)[0-9]{2}))\s*年\s*([0-9]{1,2})\s*月"
)


def _date_as_fiscal_year(match: re.Match[str]) -> str:
    era, number, western, month = match.groups()
    year = int(western) if western else western_year(era, number)
    return f"{year - 1 if 1 <= int(month) <= 3 else year}年度"


def dated_fiscal_years(text: str) -> set[int]:
    """The fiscal years a text names (indexer.years.fiscal_years), a date with its month
    counted in the fiscal year it falls in: 「令和6年3月1日現在、…充足率は91.7%」 (the
    取組成果 令和5年度 of 行政改革's 消防団員) states the figure at the end of 令和5年度."""
    return fiscal_years(_DATED_MONTH.sub(_date_as_fiscal_year, nfkc(text)))


def without_years(text: str, blank: str = "") -> str:
    """``text`` with every fiscal-year expression replaced by ``blank``."""
    return YEAR_WORDS.sub(blank, text)


def has_figure(text: str) -> bool:
    """A digit remains once fiscal years are taken out (``17.0%``, not ``(H30年度)``)."""
    return bool(DIGIT.search(without_years(text)))


# A figure of an answer (「1,185件」, 「16.2%」, 「745億3,000万円」); years are taken out first.
_FIGURE = re.compile(r"[0-9０-９][0-9０-９,，.．]*")
_LABEL = re.compile(r"【[^】]*】")  # field labels: 「事業費総額(2年間の…)」 is no figure


def figures(text: str) -> set[str]:
    """The figures of a text, fiscal years left out (「令和4年度: 17.0%」 → {"17.0"})."""
    bare = without_years(_LABEL.sub(" ", text), " ")
    return {m.group().rstrip(",.，．") for m in _FIGURE.finditer(bare)}


# -- quantities: a figure with its unit ---------------------------------------------------------
# A value question wants a number of the kind it asks for (何人 → 人, 何％ and 率 → %, いくら →
# 円): 「2-1-2① 土地区画整理事業の推進」 holds digits but no quantity, and 「1,420件」 does not
# answer 「何％」. Units are compared by class: 千円, 万円 and 円 are all 円; か所 and 箇所 are one.
_UNIT_CLASS = {
    **dict.fromkeys(("千円", "万円", "億円", "円"), "円"),
    **dict.fromkeys(("人", "名"), "人"),  # both count people: 「何人」 is answered by 「73名」
    **dict.fromkeys(("%", "パーセント"), "%"),
    **dict.fromkeys(("か所", "カ所", "ヶ所", "ケ所", "箇所", "ヵ所"), "箇所"),
    **dict.fromkeys(("km", "キロ"), "km"),
    **dict.fromkeys(("t", "トン"), "t"),
    **dict.fromkeys(("m2", "㎡", "平方メートル"), "m2"),
    **dict.fromkeys(("m", "メートル"), "m"),  # 「L=550m」 answers 「何メートル」
    **dict.fromkeys(("ha", "ヘクタール"), "ha"),
    **dict.fromkeys(("か月", "ヶ月", "カ月", "ヵ月"), "か月"),
    # a weight per person and day (「1人1日あたりのごみの排出量 900 g」) answers 「何グラム」
    **dict.fromkeys(("g", "グラム"), "g"),
}
_UNITS = (
    *_UNIT_CLASS,
    *("人", "件", "回", "戸", "基", "食", "店", "店舗", "歳", "倍", "割", "名", "校", "台", "本"),
    *("社", "点", "棟", "床", "園", "団体", "施設", "世帯", "ホール", "枚", "冊", "頭"),
    *("事業所", "地区", "路線", "便", "日", "時間", "分", "週", "kW", "人分", "区画", "つ", "か国"),
    *("自治会", "イベント", "講座", "教室", "コース", "人日", "橋"),
)
_UNIT = "|".join(re.escape(u) for u in sorted(set(_UNITS), key=len, reverse=True))
_KNOWN_CLASSES = frozenset((*_UNIT_CLASS.values(), *_UNITS))
_UNITS_LONGEST_FIRST = sorted(set(_UNITS), key=len, reverse=True)
# The units 「何X」 may ask for: every unit but those whose 何X reads otherwise (何日 is a date,
# 何分 also 何分野, 何つ is no word); a question's kind and slots read them (question.py).
ASKABLE_UNIT = "|".join(
    re.escape(u)
    for u in sorted(
        set(_UNITS) - {"日", "分", "つ", "m", "t", "km", "ha", "kW", "g"}, key=len, reverse=True
    )
)
# 「1,185件」「16.2 km」「134,060 (千円)」「283万人」「8千万円」 (NFKC: full-width is ASCII here)
_QUANTITY = re.compile(rf"([0-9][0-9,.]*)\s*[(]?\s*(?:万|億|千)?\s*({_UNIT})")
# What 「何X」 asks for besides the 何 + unit form, by unit class.
_ASKED_BY_WORD: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"率|割合|何\s*[%％]|パーセント"), "%"),
    (re.compile(r"いくら|金額|額は|額を|事業費|予算|費用|助成額"), "円"),
    # a count named by its unit: 利用件数 → 件, 参加者数・人数 → 人, 開催回数 → 回; members
    # are people (会員数, 団員数, 職員数)
    (re.compile(r"(?:人|者|名|員)数"), "人"),
    # a road's width, or any length, is printed in metres (「L=約580m、W=16m」); not 延長 alone,
    # which is also a prolongation (「定年延長は何年度から」)
    (re.compile(r"幅員|長さ|距離"), "m"),
)
_ASKED_UNIT = re.compile(rf"何\s*({_UNIT})(?!野)")  # 何分野 asks no minutes
# 「何階層に分けて」「何号給加算」「何年くらい」: a counter no list above holds, asked by 何 and
# printed after the figure that answers (「9階層」「4号給」「約10年」). Not a date (何年度, 何月,
# 何日, 何時), a language (何語) or a word that only starts with 何 (何度も, 何処, 何故, 何者);
# 何年 counts years only as a length (くらい, 間, 以上, 「何年で1期」, 「建ってから何年たつ」 …;
# 「何年ですか」 asks a year). 何事 is 「what」, but 何事業 counts projects (「事後評価を何事業で
# 実施した」 → 「事後評価:255事業」). A counter of three kanji too: 「何自治体で作った」 →
# 「5自治体による…協議会」.
COUNTER = (
    r"何\s*(?:(?![年月日時曜語度処故者色部])(?!事(?!業))(?!課(?!で|に))([一-龥]{1,3}|[ァ-ヶ][一-龥])"
    r"(?=に|で|を|が|は|の|と|まで|くらい|ぐらい|ほど|間|以上|かか|ある|です|[？?]|$)"
    r"|(年)(?=くらい|ぐらい|ほど|間|以上|かか|で(?!き|す|しょ)|たっ|たつ|経|が経|が過))"
)
_COUNTER = re.compile(COUNTER)
# 「ガイドブックを何部配る」「何部発行した」: 部 counts copies when a verb of making or handing
# out copies follows; otherwise 何部 is a department (「何部の担当？」), which COUNTER leaves out.
COPIES = r"何\s*(部)(?=\s*(?:を|ずつ)?\s*(?:配|発行|作|印刷|刷|用意|刊行|増刷))"
_COPIES = re.compile(COPIES)
# 「重点施策はいくつ？」「いくつの分団がある？」: what is counted, printed after its count
# (「36 の重点施策を設定し」「45の分団の中には」), or the count in つ (「5つにパッケージ化」).
_HOW_MANY_OF = re.compile(r"いくつの([一-龥ァ-ヶー]{2,})")
# (「…防災設備がある公園、今いくつ？」: the noun before a comma, as a staff member asks)
_HOW_MANY = re.compile(
    r"([一-龥ァ-ヶー]{2,})(?:は|が|、|,)\s*(?:今|いま|現在)?\s*(?:全部で|合わせて)?\s*いくつ"
)
# 「定期点検する橋の数は？」: a short noun counted by its own name, printed after the count
# (「定期点検 | — | 175 橋」). Only a noun of one or two kanji standing alone: 「利用者の数」 is
# counted in 人, which no part of the noun says.
_NUMBER_OF = re.compile(r"(?<![一-龥々ァ-ヶー])([一-龥]{1,2})の数(?:は|を|が|って|[？?]|$)")


# The manifesto's status letters carry the legend of their scale (「C : 一部達成（進捗率50%
# 程度）」): a percentage of every status line alike, no quantity of the project. 「汚水処理人口
# 普及率は現在どこまで進んでいる？」 took it for the rate asked.
_STATUS_LEGEND = re.compile(r"[（(]\s*進捗率\s*[0-9０-９]+\s*[%％]\s*(?:程度)?\s*[）)]")


def _quantity_text(text: str) -> str:
    """``text`` as its quantities are read: NFKC, without labels, fiscal years and the status
    legend."""
    return nfkc(without_years(_LABEL.sub(" ", _STATUS_LEGEND.sub(" ", text)), " "))


def unit_class(unit: str) -> str:
    """The class a unit is compared by (千円 → 円, ％ → %, カ所 → 箇所)."""
    unit = nfkc(unit)
    return _UNIT_CLASS.get(unit, unit)


def quantities(text: str) -> set[tuple[str, str]]:
    """(figure, unit class) of each quantity of a text, fiscal years and labels left out
    (「【財政効果額】134,060 (千円)」 → {("134,060", "円")}); a status letter's legend
    (「C : 一部達成（進捗率50%程度）」) holds none."""
    bare = _quantity_text(text)
    return {(m.group(1).rstrip(",."), unit_class(m.group(2))) for m in _QUANTITY.finditer(bare)}


# 「利用件数は」「導入台数の目標」「開催回数」: a count named by its unit.
_COUNT_OF = re.compile(rf"({ASKABLE_UNIT})数")


def asked_units(question: str) -> frozenset[str]:
    """The unit classes a question asks a number in (「何人」 → 人, 「受診率は」 → %, 「利用件数」
    → 件); empty when it names none (「どのくらい」: any quantity answers)."""
    text = nfkc(without_years(question, " "))
    found = {unit_class(m.group(1)) for m in _ASKED_UNIT.finditer(text)}
    counters = {m.group(1) or m.group(2) for m in _COUNTER.finditer(text)}
    counted = _HOW_MANY_OF.search(text) or _HOW_MANY.search(text)
    if counted:
        # 市民団体 is counted in 団体, 学校 in 校: a known unit that ends the word is its counter;
        # the word itself counts too (「8公園」, where 園 alone is no counter the figure has)
        noun = counted.group(1)
        known = next((u for u in _UNITS_LONGEST_FIRST if noun.endswith(u)), None)
        found |= {unit_class(known) if known else noun, noun, "つ"}
    numbered = _NUMBER_OF.search(text)
    if numbered:
        noun = numbered.group(1)
        known = next((u for u in _UNITS_LONGEST_FIRST if noun.endswith(u)), None)
        found.add(unit_class(known) if known else noun)
    found |= {c for c in counters if c not in _KNOWN_CLASSES and unit_class(c) == c}
    found |= {m.group(1) for m in _COPIES.finditer(text)}
    found |= {unit_class(m.group(1)) for m in _COUNT_OF.finditer(text)}
    found |= {unit for cue, unit in _ASKED_BY_WORD if cue.search(text)}
    return frozenset(found)


# 「フォロワー数は1,100人増加した」: a reported change, not the level 「どれくらい」 asks for. Bare
# 増/減 stay out: a target is often a change itself (「令和4年度: 5%増」 answers 「目標は？」).
_CHANGE_AFTER = re.compile(r"\s*(?:[)）]\s*)?(?:の)?(?:増加|減少|上昇|低下)")
# 「対前年度比約7,300万円の減」「前年度比3件の増」: compared with the year before, a change too.
_CHANGE_BEFORE = re.compile(r"(?:対)?前年(?:度)?比\s*(?:で)?\s*(?:約|およそ)?\s*$")
ASKS_CHANGE = re.compile(r"増|減|伸び|比べ|前年|差")


def changes_only(text: str, units: frozenset[str]) -> bool:
    """Every quantity of ``text`` in ``units`` is stated as a change (「1,100人増加した」)."""
    bare = _quantity_text(text)
    found = [m for m in _QUANTITY.finditer(bare) if not units or unit_class(m.group(2)) in units]
    return bool(found) and all(
        _CHANGE_AFTER.match(bare, m.end()) or _CHANGE_BEFORE.search(bare, 0, m.start())
        for m in found
    )


# 「23%台が続いている」「1万人台」: a band the figure falls in, not the figure; 台 counting
# machines (「50台」) is the quantity's own unit and is read before this.
_BAND_AFTER = re.compile(r"\s*台")


def bands_only(text: str, units: frozenset[str]) -> bool:
    """Every quantity of ``text`` in ``units`` names a band (「23%台」), none a figure."""
    bare = _quantity_text(text)
    found = [m for m in _QUANTITY.finditer(bare) if not units or unit_class(m.group(2)) in units]
    return bool(found) and all(_BAND_AFTER.match(bare, m.end()) for m in found)


def asked_quantities(text: str, units: frozenset[str]) -> set[tuple[str, str]]:
    """The quantities of ``text`` in one of ``units`` (all of them when ``units`` is empty); a
    counter no unit list holds (``COUNTER``: 階層, 号給) is found after a figure of its own."""
    found = quantities(text)
    if not units:
        return found
    held = {q for q in found if q[1] in units}
    counters = [u for u in units if u not in _KNOWN_CLASSES]
    if counters:
        bare = _quantity_text(text)
        for unit in counters:
            # 年 of a length is no 年度: a plan shortens a fiscal year to its number (「…を決め、
            # 5年度に、総合計画計上し」 of いせさき聖苑, where 「建築後32年」 says how old it is);
            # a length in years is also written 「2か年」「3カ年」
            before, after = (r"(?:[かカヵヶケ箇]\s*)?", r"(?!度)") if unit == "年" else ("", "")
            held |= {
                (m.group(1).rstrip(",."), unit)
                for m in re.finditer(
                    rf"([0-9][0-9,.]*)\s*(?:の\s*)?{before}{re.escape(nfkc(unit))}{after}", bare
                )
            }
    return held
