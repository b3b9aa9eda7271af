"""Cross-document links, checked against what the documents print (read by hand).

伊勢崎 マニフェスト item 1-(1)-① prints in 総合計画実施計画の関連事業
「2-2-3①③ 進出企業と市内企業との協業支援 企業誘致事業」 and item 1-(2)-①
「2-2-3① 立地支援策のPR 企業誘致事業」; the 実施計画 prints 企業誘致事業 as project 169
under 施策 2-2-3. Item 1-(1)-② prints 「—」: it cites nothing.
"""

from __future__ import annotations

from functools import cache

from conftest import documents, parsed

from indexer.links import Link, build_links

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


def test_an_item_that_cites_nothing_has_no_link():
    assert _targets(MANIFESTO, "1-(1)-②") == set()


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
