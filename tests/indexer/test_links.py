"""Cross-document links, checked against what the documents print (read by hand).

伊勢崎 マニフェスト item 1-(1)-① prints in 総合計画実施計画の関連事業
「2-2-3①③ 進出企業と市内企業との協業支援 企業誘致事業」 and item 1-(2)-①
「2-2-3① 立地支援策のPR 企業誘致事業」; the 実施計画 prints 企業誘致事業 as project 169
under 施策 2-2-3. The expected links of the other items below were read the same way: the
item's 関連事業 line in corpus/isesaki-manifesto-r6.txt against the 実施計画's 施策 lists
(「● 自主防災組織などの強化 182 地域防災力向上事業」) in corpus/isesaki-jisshi-r3.txt.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from conftest import documents, parsed

from indexer.links import Link, build_links, normalized, spanned_actions

MANIFESTO, JISSHI = "isesaki-manifesto-r6", "isesaki-jisshi-r3"


@cache
def links() -> dict[tuple[str, str], list[Link]]:
    records = [r for doc_id in documents() for r in parsed(doc_id)]
    return build_links(records, documents())


def _targets(doc_id: str, key: str) -> set[tuple[str, str, str]]:
    return {(x.doc_id, x.project_key, x.via) for x in links().get((doc_id, key), [])}


def test_manifesto_items_link_the_project_they_cite():
    assert _targets(MANIFESTO, "1-(1)-①") == {(JISSHI, "169", "関連事業")}
    assert _targets(MANIFESTO, "1-(2)-①") == {(JISSHI, "169", "関連事業")}


def test_links_are_recorded_in_both_directions():
    assert _targets(JISSHI, "169") == {
        (MANIFESTO, "1-(1)-①", "関連事業（被参照）"),
        (MANIFESTO, "1-(2)-①", "関連事業（被参照）"),
    }


def test_an_item_whose_cell_is_empty_has_no_link():
    # 1-(1)-④ prints 「—」 in 関連事業.
    item = next(r for r in parsed(MANIFESTO) if r.project_key == "1-(1)-④")
    assert not item.field_texts("関連事業")
    assert _targets(MANIFESTO, "1-(1)-④") == set()


def _evidence(key: str) -> set[tuple[str, str]]:
    """(実施計画 key, evidence) of the links of manifesto item ``key``."""
    return {(x.project_key, x.evidence) for x in links().get((MANIFESTO, key), [])}


# Manifesto item → (実施計画 project, how it matched), read by hand from both documents.
EXPECTED = {
    # 「1-2-1❷2 保育サービスの充実 特別保育事業」 and 「…「ふたばすくすくプラン」 推進事業」:
    # two projects cited, the second with brackets and a space the 実施計画 does not print.
    "2-(1)-①": {("48", "名称一致"), ("246", "名称一致")},
    # 「心たはすくすくプラン 推進事業」: ふたば damaged by the conversion.
    "2-(1)-⑥": {("246", "名称近似（表記揺れ）: 心たはすくすくプラン推進事業")},
    # 「3-2-2⑩2 積極的な4Rの推進 再資源化推進事業」 (⑩ for ①): 226 ごみ減量化・再資源化推進事業
    # is the one project of 3-2-2 ① ごみ減量化・再資源化の推進.
    "6-(3)-⑯": {("226", "名称包含: 再資源化推進事業")},
    "4-(3)-④": {("226", "名称包含: 再資源化推進事業")},
    # 「3-1-1②1 自主防災組織などの強化 地域防災事業」: the 実施計画 lists
    # 「● 自主防災組織などの強化 182 地域防災力向上事業」 under 3-1-1 ②.
    "3-(1)-⑤": {("182", "施策・主な取組一致、名称近似: 地域防災事業")},
    # 「2-1-7❷3 空き家の利活用の推進 空き家等対策事業」: 「● 空き家の利活用の推進 147
    # 空家等対策推進事業」.
    "4-(2)-①": {("147", "施策・主な取組一致、名称近似: 空き家等対策事業")},
    # 「…土地改良事業によるほ場整備 維持管理適正化事業 小規模農村整備事業 農村地域防災減災事業」:
    # only the first is a 実施計画 project (158 土地改良施設維持管理適正化事業).
    "1-(4)-⑤": {("158", "名称包含: 維持管理適正化事業")},
    # 「医療機関の連携支援と 情報の周知事業」, 「資源物の持ち去り禁止 対策事業」: names broken
    # by a space.
    "5-(1)-②": {("15", "名称一致")},
    "6-(3)-④": {("228", "名称一致")},
    # 「No104~109各事業」 cites numbers of another edition; the third line 「No119~121各事業」 too.
    "4-(5)-①": {("121", "名称一致")},
    # Names this edition does not print (a later edition's): no link, although projects sit
    # under the same 施策 (167 under 2-2-2 ① ● 起業しやすい環境の整備; 234, 274, 327 and 328
    # under 5-2-1 ● 公共施設の統廃合と有効活用 were linked before).
    "1-(1)-⑦": set(),  # 商業振興対策事業
    "1-(1)-②": set(),  # 中小企業振興対策事業 (168 is 中小企業経営基盤強化事業)
    "4-(6)-①": set(),  # 茂呂クリーンセンター維持管理事業
    "1-(3)-③": set(),  # 自立支援給付事業 is not 77 自立支援医療給付事業
    # 「華蔵寺公園遊園地充実事業」 is as near to 173 …修繕事業 as to 174 …保守点検事業.
    "4-(4)-③": set(),
}


def test_manifesto_items_link_what_they_cite_and_nothing_else():
    assert {key: _evidence(key) for key in EXPECTED} == EXPECTED


def test_a_misprinted_name_is_linked_back_from_the_project():
    assert {k for _, k, _ in _targets(JISSHI, "246")} == {"2-(1)-①", "2-(1)-⑥"}


def _items_with_related() -> list:
    return [r for r in parsed(MANIFESTO) if r.kind == "project" and r.field_texts("関連事業")]


def test_how_many_items_link_a_project():
    items = _items_with_related()
    linked = [r for r in items if links().get((MANIFESTO, r.project_key))]
    assert (len(items), len(linked)) == (95, 62)


_CODE = re.compile(r"^\s*(\d+-\d+-\d+)")


def test_every_link_names_a_project_the_item_prints():
    """A link's name (exact) or cited name (approximate) stands in the item's 関連事業 line,
    and an approximate one sits under the 施策 code that line prints."""
    jisshi = {r.project_key: r for r in parsed(JISSHI)}
    for item in _items_with_related():
        lines = [ln for text in item.field_texts("関連事業") for ln in text.splitlines()]
        for link in links().get((MANIFESTO, item.project_key), []):
            target = jisshi[link.project_key]
            if link.evidence == "名称一致":
                assert any(normalized(target.project_name or "") in normalized(ln) for ln in lines)
                continue
            cited = link.evidence.split(": ", 1)[1]
            line = next(ln for ln in lines if cited in normalized(ln))
            code = _CODE.match(line)
            assert code and any(code[1] in s for s in target.section_path), (item, link)


def test_an_action_plan_policy_title_is_no_citation():
    # 2-(4)-⑩ prints 「4-2-5① 1市民1スポーツの推進 保健体育運営事業」; the action plan's
    # 2-4 方針1 is titled 「１市民１スポーツの推進」, a 方針, not a project it cites.
    assert _targets(MANIFESTO, "2-(4)-⑩") == set()
    assert _targets("isesaki-action-plan-r7", "2-4 方針1") == set()


def test_links_never_cross_cities():
    city = {d.doc_id: d.city for d in documents().values()}
    for (doc_id, _), found in links().items():
        assert found
        assert all(city[x.doc_id] == city[doc_id] and x.doc_id != doc_id for x in found)


def test_the_index_serves_the_links_it_stored(hashing_engine):
    served = hashing_engine.links[(JISSHI, "169")]
    assert {(x.doc_id, x.project_key) for x in served} == {
        (MANIFESTO, "1-(1)-①"),
        (MANIFESTO, "1-(2)-①"),
    }
    assert hashing_engine.index.links == links()


# --- the hand audit: eval/gold/manifesto-links.jsonl -----------------------------------------
#
# One line per project name (or number) that a manifesto item's 関連事業 cell prints, read
# against the 実施計画 r3 by hand: class ``a`` when r3 prints that project — the same name,
# or the name damaged by the conversion (「心たはすくすくプラン」), without a bracket or a
# space, shortened or lengthened by a word under the cited 施策 and 主な取組 (「再資源化推進
# 事業」 for 「ごみ減量化・再資源化推進事業」), possibly with a shifted code (「3-2-2⑩2」);
# ``b`` when r3 prints no project of that name (a later edition's name, a renamed project
# whose new name neither document ties to the old one, or another edition's numbers
# 「No104~109各事業」), with the reason; ``none`` for a line that names no project.

GOLD = Path(__file__).resolve().parents[2] / "eval" / "gold" / "manifesto-links.jsonl"


@cache
def gold() -> tuple[dict, ...]:
    return tuple(json.loads(ln) for ln in GOLD.read_text(encoding="utf-8").splitlines())


def _expected(item: str) -> set[tuple[str, str]]:
    return {(JISSHI, g["project_key"]) for g in gold() if g["item"] == item and g["class"] == "a"}


def _linked(item: str) -> set[tuple[str, str]]:
    return {(x.doc_id, x.project_key) for x in links().get((MANIFESTO, item), [])}


def test_the_audit_covers_every_line_the_items_print():
    audited = {(g["item"], g["line"]) for g in gold()}
    printed = {
        (r.project_key, ln)
        for r in _items_with_related()
        for text in r.field_texts("関連事業")
        for ln in text.splitlines()
    }
    assert audited == printed
    for g in gold():
        assert g["class"] in ("a", "b", "none") and g["reason"]
        assert (g["cited"] is None) == (g["class"] == "none")
        if g["cited"] is not None:
            assert normalized(g["cited"]) in normalized(g["line"]), g
        assert (g["project_key"] is not None) == (g["class"] == "a"), g


def test_the_audit_names_projects_as_the_jisshi_prints_them():
    jisshi = {r.project_key: r for r in parsed(JISSHI) if r.kind == "project"}
    for g in (g for g in gold() if g["class"] == "a"):
        assert jisshi[g["project_key"]].project_name == g["project_name"], g


def test_every_project_the_jisshi_prints_is_linked():
    missed = {item: _expected(item) - _linked(item) for item in {g["item"] for g in gold()}}
    assert {item: keys for item, keys in missed.items() if keys} == {}


def test_no_link_the_item_does_not_cite():
    # Over every manifesto item (with or without 関連事業) and every other document.
    items = [r.project_key for r in parsed(MANIFESTO) if r.kind == "project"]
    false = {item: _linked(item) - _expected(item) for item in items}
    assert {item: keys for item, keys in false.items() if keys} == {}


def test_audit_counts():
    items = {g["item"] for g in gold()}
    naming = {g["item"] for g in gold() if g["class"] != "none"}
    printed = {g["item"] for g in gold() if g["class"] == "a"}
    complete = {item for item in printed if _expected(item) <= _linked(item)}
    linked = {item for item in items if _linked(item)}
    assert (len(items), len(naming), len(printed), len(complete), len(linked)) == (
        95,
        94,
        62,
        62,
        62,
    )


def test_a_numberless_initiative_row_belongs_to_the_project_above():
    # 3-1-1 ② prints 「● 自主防災組織などの強化 | 182 | 地域防災力向上事業」, then two 主な取組
    # with empty number cells, then 「● 避難行動要支援者情報の充実 | 183 | …」.
    spanned = spanned_actions(parsed(JISSHI), "事業番号")
    assert spanned["182"] == [
        "実践的な防災訓練の実施による地域防災力の強化",
        "地域防災リーダーの育成",
    ]
    assert "183" not in spanned
    # 「●大都市圏への企業訪問…」「●進出企業と市内企業との協業支援」… below 169 企業誘致事業.
    assert spanned["169"][1] == "進出企業と市内企業との協業支援"
    # 3-(1)-⑦ cites 地域防災事業 under 「実践的な防災訓練の実施による地域防災力の強化」.
    assert _linked("3-(1)-⑦") == {(JISSHI, "182")}
    # 3-(1)-⑩ cites it under 「情報の収集や提供の強化」, which r3 lists under 181 only.
    assert _linked("3-(1)-⑩") == set()


def test_a_name_with_a_bracketed_qualifier_is_linked():
    # 「都市計画道路3・3・3号道路改良事業（足利線以南工区）」, r3 project 112.
    assert {(x.project_key, x.evidence) for x in links()[(MANIFESTO, "4-(5)-③")]} == {
        ("112", "名称一致")
    }
