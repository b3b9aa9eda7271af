"""The answer a ranking makes, by the kind of question: up to three units, a list, or はい.

- Agreement with the cards: the answer comes from the top-ranked project shown beside it (card
  #1) unless a unit of another project scores better by ``config.agree_margin`` (fitted on dev;
  ``config.open_agree_margin`` for an open question); every citation says which card it comes
  from.
- Several things asked (「現状値と目標値は？」, 「いくらで、そのうち起債は」): units of the same
  project are added, best first, while they bring a figure or date the answer lacks (at most
  ``config.max_parts``).
- A department question that names no city gets the department of each document whose
  department unit scores within ``config.agree_margin`` of the best (the same topic is often
  run by different departments in the two cities and in the plans of different years: 空き家対策
  is 建築住宅課 in 伊勢原 and 環境保全課 in 伊勢崎's 実施計画); each with its citation.
- A question that asks for the name (「…方針の名前は？」) starts with the project's name.
- A list question lists the projects of the cards (the ones ``/projects/search`` ranks), one
  evidence line each; a yes/no question answers 「はい、…」 with the project and its line.

Below ``config.found_threshold`` (``config.open_threshold`` for an open question) the answer is
``found=False`` with ``text=""`` and no citation.
Pure: the ranking and the listed projects in, an AnswerOut out.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from service.answer.confidence import MARGIN_CAP, Evidence, confidence
from service.answer.config import AnswerConfig
from service.answer.patterns import asked_quantities, figures
from service.answer.question import Question, read_question
from service.answer.scoring import Scored
from service.answer.units import Unit, split_sentences
from service.schemas import AnswerItem, AnswerKind, AnswerOut, Citation, Hit, ProjectResult

if TYPE_CHECKING:
    from service.answer.ranking import Ranking

ProjectId = tuple[str, str]

# Questions whose answer is the project that addresses them, not one fact of it: their units
# score lower for the same rightness, so the confidence curve gives them their own bias.
OPEN_KINDS: frozenset[str] = frozenset(("yesno", "fact", "list", "method"))

_DATE = re.compile(r"[0-9０-９元]{1,2}\s*月|年度|まで|以降|から")


def card_ranks(hits: Sequence[Hit], projects: Sequence[ProjectResult]) -> dict[ProjectId, int]:
    """Rank (1 = first card) of each project: the listed projects', else first-seen in hits."""
    if projects:
        return {(p.doc_id, p.project_key): p.rank for p in projects}
    ranks: dict[ProjectId, int] = {}
    for hit in hits:
        ranks.setdefault((hit.doc_id, hit.project_key), len(ranks) + 1)
    return ranks


def _project(ranking: Ranking, s: Scored) -> ProjectId:
    hit = ranking.hits[s.unit.passage]
    return hit.doc_id, hit.project_key


def _of_card(
    ranking: Ranking, cards: dict[ProjectId, int], units: Iterable[Scored], rank: int | None
) -> Iterator[Scored]:
    """The units of card #``rank`` among ``units``, in their order (best first)."""
    return (s for s in units if cards.get(_project(ranking, s)) == rank)


def citation(hit: Hit, unit: Unit, card: int | None = None) -> Citation:
    """Where the unit comes from: document, project, field, fiscal year, its text and card."""
    return Citation.from_project(hit, field=unit.name, year=unit.year, quote=unit.text, card=card)


def agree_margin(ranking: Ranking) -> float:
    """How much better a unit of a lower card must score to answer instead of card #1's: an
    open question (yes/no, list, fact, method) is answered by a project, the one ranked first."""
    question = ranking.question or read_question("")
    config = ranking.config
    return config.open_agree_margin if answered_by_project(question) else config.agree_margin


def answered_by_project(question: Question) -> bool:
    """An open question, but not one that asks a year's column (``asks_a_years_column``): that
    asks a fact like a value or a date, and a lower card's row that says it may answer as for
    those (``config.agree_margin``)."""
    return (
        question.kind in OPEN_KINDS
        and not asks_a_years_column(question)
        # 「…研究会の名前は？」 asks a name that one line gives, a fact like a value's figure
        and not question.thing
    )


def asks_a_years_column(question: Question) -> bool:
    """An open fact question that names a fiscal year: 「…は令和4年度に何をする予定？」 asks
    what one year's column of a project says (answered by the items of that column)."""
    return question.kind == "fact" and bool(question.years)


def candidates(ranking: Ranking) -> list[Scored]:
    """The units that may answer: those of the city the question names, and of the plan it
    names (a fact question), when any is listed; of them, for a value question those holding a
    quantity in the asked unit (「何回」 → 回), when any does; else every unit."""
    question = ranking.question or read_question("")
    units = ranking.units
    if question.cities:
        # 「…を、伊勢原市は令和4年度に何％にしたい？」: the named city's plans answer, when
        # any is retrieved; card #1 may be the other city's project of the same topic
        own = [s for s in units if _in_named_city(ranking, question, s)]
        units = own or units
    if question.documents and not answered_by_project(question):
        # 「…という公約の…」: the plan the question names answers it, when it is listed
        named = [s for s in units if _in_named_plan(ranking, question, s)]
        units = named or units
    if question.kind == "value":
        held = [s for s in units if s.kind >= 1]
        if held:
            return held
    return units


def _in_named_city(ranking: Ranking, question: Question, s: Scored) -> bool:
    city = ranking.hits[s.unit.passage].city
    return any(name in city for name in question.cities)


def _in_named_plan(ranking: Ranking, question: Question, s: Scored) -> bool:
    title = ranking.hits[s.unit.passage].doc_title or ""
    return any(word in title for word in question.documents)


def choose(ranking: Ranking, cards: dict[ProjectId, int]) -> Scored:
    """The best candidate unit, from the first card unless another project's is better by the
    margin (a value question: among the units that hold the asked quantity); then a unit
    within ``config.phrase_margin`` of it that prints more of the things the question names."""
    units = candidates(ranking)
    best = units[0]
    top = next(_of_card(ranking, cards, units, 1), None)
    if top is None or top is best:
        chosen = best
    else:
        chosen = best if best.total - top.total >= agree_margin(ranking) else top
    first = _first_card_instead(ranking, cards, chosen)
    return first if first is not None else names_more(ranking, units, chosen)


def _first_card_instead(
    ranking: Ranking, cards: dict[ProjectId, int], chosen: Scored
) -> Scored | None:
    """Card #1's best unit, when a lower card's unit was chosen for a value question only by
    the figure card #1 lacks: card #1 holds no quantity in the asked unit, and the chosen unit
    names clearly less of the question than card #1's best unit (its lexical overlap lower
    by ``config.lexical_agree_margin``), so the figure is that of something else. Else None.

    「ファミリー・サポート・センターの会員数の目標は？」 answered 市民活動サポートセンターの年間
    利用者数 (lexical 0.50 against card #1's 0.79), an absent topic's 「パッカー車…導入台数の
    目標」 card #2's 可燃ごみの排出量 (0.13 against 0.25); dev's citizen-worded 「…何件使われた」
    is rightly answered by card #2's count (0.06 against 0.09: no unit names the question)."""
    question = ranking.question or read_question("")
    if question.kind != "value" or cards.get(_project(ranking, chosen)) == 1:
        return None
    own = list(_of_card(ranking, cards, ranking.units, 1))
    if not own or any(asked_quantities(s.unit.body, question.units) for s in own):
        return None
    first = own[0]
    if chosen.named and chosen.named >= first.named:
        # the chosen unit prints every compound noun of the question that card #1's prints
        # (「…生活ガイドブックを何部配る」: card #3's 生活ガイドブックの配布数 row, where card
        # #1's 目指すべき姿 sentence names the guidebook in more of the question's words but
        # counts nothing): its figure is of the thing asked, not of something else
        return None
    margin = ranking.config.lexical_agree_margin
    return first if chosen.lexical <= first.lexical - margin else None


def names_more(ranking: Ranking, units: Sequence[Scored], chosen: Scored) -> Scored:
    """The best unit within ``config.phrase_margin`` of ``chosen`` that prints every compound
    noun of the question ``chosen`` prints and more, and holds the asked kind and field role as well
    (「公園施設の…」: 公園施設's project, not the スポーツ施設 sibling ranked
    above it); else ``chosen``. Value and place questions, and fact questions with a focus
    (「何を実施する？」); not every fact question (with date questions, on dev it moved two
    citizen/staff answers off card #1 and two detail answers off their field), nor other
    kinds: on dev it moved a department answer off its 【担当】 line (which prints no
    compound), reason answers off their cause and answered an absent topic's status
    question. A place question's sentence that prints what is asked (「…の事業主体はどこ？」:
    「…群馬県が事業主体になり行います」) changed no dev answer."""
    question = ranking.question or read_question("")
    # a fact question naming what it asks about (「何を実施する？」: the focus 実施) wants a
    # fact as a value question does, where an unfocused one is often a citizen's (the project)
    naming = question.kind in ("value", "place") or (question.kind == "fact" and question.focus)
    if not naming or not question.phrases:
        return chosen
    floor = chosen.total - ranking.config.phrase_margin
    # no worse at what is asked: every slot's figure, if the chosen unit held them all, and
    # the kind of field (「配信した…何件」 asks a 取組状況, not the indicator that names
    # 情報メール: dev's ans-dev-170)
    better = [
        s
        for s in itertools.takewhile(lambda s: s.total >= floor, units)
        if s.named > chosen.named and s.kind >= chosen.kind and s.role >= chosen.role
    ]
    if not better:
        return chosen
    # Of the units that name as much, one of the chosen unit's own project: the answer stays
    # with the card it was chosen from when another card's unit names nothing more
    # (「新保健センターには何箇所の保健施設を統合する？」: card #1's 取組状況 prints both
    # compounds as card #2's 主な取組 does, 0.11 below it).
    most = max(len(s.named) for s in better)
    widest = [s for s in better if len(s.named) == most]
    project = _project(ranking, chosen)
    return next((s for s in widest if _project(ranking, s) == project), widest[0])


def card_gap(hits: Sequence[Hit], projects: Sequence[ProjectResult]) -> float:
    """(card #1's score − card #2's) / card #1's: the listed projects' scores, else the best
    passage score of the first two projects among the hits; 1 when only one project is there."""
    if projects:
        scores = [p.score for p in projects[:2]]
    else:
        best: dict[ProjectId, float] = {}
        for hit in hits:
            key = (hit.doc_id, hit.project_key)
            best[key] = max(best.get(key, hit.score), hit.score)
        scores = sorted(best.values(), reverse=True)[:2]
    if not scores or scores[0] <= 0:
        return 0.0
    if len(scores) < 2:
        return 1.0
    return max(0.0, min(1.0, (scores[0] - scores[1]) / scores[0]))


def evidence(
    ranking: Ranking,
    cards: dict[ProjectId, int],
    main: Scored,
    projects: Sequence[ProjectResult] = (),
) -> Evidence:
    """The features of the confidence of an answer whose main unit is ``main``."""
    project = _project(ranking, main)
    other = next((s for s in ranking.units if _project(ranking, s) != project), None)
    # the next card: card #2, or card #1 when the main unit is another card's
    rival = min((rank for p, rank in cards.items() if p != project), default=None)
    # no other card: no unit to lead (the units of no card, sections, are no card's)
    second = None if rival is None else next(_of_card(ranking, cards, ranking.units, rival), None)
    question = ranking.question or read_question("")
    return Evidence(
        score=main.total,
        relevance=ranking.relevance,
        open_question=question.kind in OPEN_KINDS,
        margin=main.total - other.total if other is not None else MARGIN_CAP,
        first_card=cards.get(project) == 1,
        kind_match=main.kind > 0,
        card_gap=round(card_gap(ranking.hits, projects), 4),
        uncovered=ranking.uncovered,
        lead=main.total - second.total if second is not None else MARGIN_CAP,
        kind=question.kind,
    )


def _adds(question: Question, unit: Unit, shown: str) -> bool:
    """The unit brings what the shown answer lacks: a date, or a quantity in an asked unit
    (any figure when the question names no unit)."""
    if question.asks_date and _DATE.search(unit.body) and not _DATE.search(shown):
        return True
    if len(question.units) >= 2:
        # 「いくらで、対前年度比何％増？」: a part brings a unit the answer has no figure in yet
        have = {u for _, u in asked_quantities(shown, question.units)}
        return bool({u for _, u in asked_quantities(unit.text, question.units)} - have)
    if question.units:
        figs = {f for f, _ in asked_quantities(unit.text, question.units)}
        return bool(figs - {f for f, _ in asked_quantities(shown, question.units)})
    return bool(figures(unit.text) - figures(shown))


def _filled(question: Question, text: str) -> int:
    """How many of the question's slots a text fills: its quantities in the asked units (its
    figures when the question names none)."""
    if question.units:
        return len(asked_quantities(text, question.units))
    return len(figures(text))


def widest(ranking: Ranking, main: Scored) -> Scored:
    """The unit of the same project that holds the main one whole and more (the total with its
    breakdown), if it scores within ``part_margin``; else the main unit."""
    project = _project(ranking, main)
    for s in ranking.units:
        if (
            s is not main
            and _project(ranking, s) == project
            and main.unit.text in s.unit.text
            and s.total >= main.total - ranking.config.part_margin
        ):
            return s
    return main


_ITEM = re.compile(r"^[・●○◆■□]")


def items_with(ranking: Ranking, main: Scored) -> list[Scored]:
    """The main unit and the other items of its field, in reading order (up to ``max_parts``):
    「令和4年度に行ったことは？」 asks for the year's column, and one item of its list is not
    all it did (「・市広報紙等での啓発」「・情報収集及びパトロール調査」「・持ち去り行為…」)."""
    if not _ITEM.match(main.unit.body):
        return [main]
    same = [
        s
        for s in ranking.units
        if s.unit.passage == main.unit.passage
        and s.unit.label == main.unit.label
        and _ITEM.match(s.unit.body)
        and s.total >= main.total - ranking.config.part_margin
    ]
    same.sort(key=lambda s: s.unit.position)
    if len(same) > ranking.config.max_parts:  # the main item and the ones nearest it
        at = same.index(main)
        start = max(0, min(at - 1, len(same) - ranking.config.max_parts))
        same = same[start : start + ranking.config.max_parts]
    return same or [main]


def parts_for(ranking: Ranking, question: Question, main: Scored) -> list[Scored]:
    """The main unit, and units of its project that bring what it lacks for the slots asked."""
    if asks_a_years_column(question) or question.kind == "place":
        # a place is often one item of a year's list, and the items of a list score alike
        # (「令和4年度に新しく始めたがん検診の会場はどこ？」: 7 items of 取組状況 令和4年度 tie, the
        # first is 「・感染対策を行いながら検診を実施した」, the next 「・ショッピングモールでの…」)
        return items_with(ranking, main)
    main = widest(ranking, main)
    chosen = [main]
    wanted = question.slots
    if wanted <= 1 or _filled(question, main.unit.text) >= wanted:
        return chosen
    project = _project(ranking, main)
    # The main project's own units first; then, for a slot it cannot fill, another project's
    # (「不妊治療と不育治療の…上限額はそれぞれ」: two projects, one figure each).
    for same in (True, False):
        for s in ranking.units:
            if len(chosen) >= min(wanted, ranking.config.max_parts):
                return chosen
            if s in chosen or (_project(ranking, s) == project) != same:
                continue
            shown = "\n".join(c.unit.text for c in chosen)
            if s.unit.text in shown or s.total < main.total - ranking.config.part_margin:
                continue
            if _adds(question, s.unit, shown):
                chosen.append(s)
    return chosen


def departments_for(ranking: Ranking, question: Question, main: Scored) -> list[Scored]:
    """The main department unit and those of other documents within ``agree_margin`` of it
    (up to ``max_parts``), unless the question names the city (then only the main unit's)."""
    chosen = [main]
    if question.cities or main.unit.kind != "department":
        return chosen
    docs = {ranking.hits[main.unit.passage].doc_id}
    for s in ranking.units:
        if len(chosen) >= ranking.config.max_parts:
            break
        doc = ranking.hits[s.unit.passage].doc_id
        if s.unit.kind != "department" or doc in docs:
            continue
        if s.total >= main.total - ranking.config.agree_margin:
            chosen.append(s)
            docs.add(doc)
    return chosen


def _evidence_line(ranking: Ranking, project: ProjectResult) -> tuple[str, str, Hit | None]:
    """(line, field, hit) that shows why a listed project answers: its best unit, else the
    first sentence of its first evidence passage."""
    key = (project.doc_id, project.project_key)
    for s in ranking.units:
        if _project(ranking, s) == key:
            return s.unit.body.split("\n")[0], s.unit.name, ranking.hits[s.unit.passage]
    if project.evidence:
        hit = project.evidence[0]
        body = hit.text.split("\n")[0]
        first = split_sentences(body.split("】", 1)[-1]) or [body]
        return first[0], hit.field, hit
    return project.project_name or "", "", None


def list_answer(ranking: Ranking, projects: Sequence[ProjectResult], conf: float) -> AnswerOut:
    """The listed projects, one evidence line each."""
    items, cites = [], []
    for p in projects:
        line, field, hit = _evidence_line(ranking, p)
        items.append(
            AnswerItem(
                **p.model_dump(include=set(AnswerItem.model_fields) - {"field", "evidence"}),
                field=field,
                evidence=line,
            )
        )
        if hit is not None:
            cites.append(Citation.from_project(p, field=field, year=None, quote=line, card=p.rank))
    text = "\n".join(f"・{i.project_name or i.project_key}：{i.evidence}" for i in items)
    return AnswerOut(
        text=text,
        found=bool(items),
        confidence=conf,
        citation=cites[0] if cites else None,
        citations=cites,
        kind="list",
        items=items,
    )


def threshold(config: AnswerConfig, kind: str) -> float:
    """The confidence below which a question of ``kind`` gets no answer box: an open question
    is answered by its first card, and needs more certainty for the same precision."""
    return config.open_threshold if kind in OPEN_KINDS else config.found_threshold


def not_found(kind: AnswerKind, conf: float = 0.0) -> AnswerOut:
    """The answer when nothing answers: empty, no citation."""
    return AnswerOut(text="", found=False, confidence=conf, citation=None, kind=kind)


def unless_no_match(answer: AnswerOut, no_match: bool) -> AnswerOut:
    """The answer, or not found when the search found nothing about the question (its
    ``no_match``): an answer box beside 「近い事業」 would claim what the listing denies."""
    if not no_match or not answer.found:
        return answer
    return not_found(answer.kind, answer.confidence)


def compose(ranking: Ranking, projects: Sequence[ProjectResult] = ()) -> AnswerOut:
    """The AnswerOut of a ranking and the projects listed beside it (see the module doc)."""
    question = ranking.question or read_question("")
    kind = question.kind
    if not ranking.units:
        return not_found(kind)
    cards = card_ranks(ranking.hits, projects)
    main = choose(ranking, cards)
    conf = round(confidence(evidence(ranking, cards, main, projects), ranking.config), 4)
    if conf < threshold(ranking.config, kind):
        return not_found(kind, conf)
    if kind == "list" and projects:
        return list_answer(ranking, projects, conf)
    if question.kind == "department":
        parts = departments_for(ranking, question, main)
    else:
        parts = parts_for(ranking, question, main)
    cites = [
        citation(ranking.hits[s.unit.passage], s.unit, cards.get(_project(ranking, s)))
        for s in parts
    ]
    text = "\n".join(s.unit.text for s in parts)
    if question.asks_name and kind != "yesno":
        hit = ranking.hits[main.unit.passage]
        text = f"「{hit.project_name or hit.doc_title}」\n{text}"
    if kind == "yesno":
        hit = ranking.hits[main.unit.passage]
        who = f"（{hit.department}）" if hit.department else ""
        name = hit.project_name or hit.doc_title
        text = f"はい、「{name}」{who}があります。\n{text}"
    return AnswerOut(
        text=text,
        found=True,
        confidence=conf,
        citation=cites[0],
        citations=cites,
        kind=kind,
    )
