"""Rejoining the PDF-wrapped lines of the 前期アクションプラン (isesaki-action-plan-r7).

The records built from these lines are tested in test_action_plan.py.
"""

from __future__ import annotations

from indexer.parsing.action_plan import join_paragraphs, rejoin_wrapped

from .conftest import ParsedDocument

DOC = ParsedDocument("isesaki-action-plan-r7")


def _raw_passage(first: str, last: str) -> list[str]:
    """Raw lines from the one starting with ``first`` to the one starting with ``last``."""
    lines = DOC.text().split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.strip().startswith(first))
    end = next(i for i, ln in enumerate(lines) if i > start and ln.strip().startswith(last))
    return lines[start : end + 1]


# ------------------------------------------------------------------ line rejoining


def test_rejoin_wrapped_joins_a_wrapped_paragraph() -> None:
    raw = _raw_passage("前期アクションプランでは", "困難なものも存在します")
    assert rejoin_wrapped(raw) == [
        "前期アクションプランでは、本市の課題解決に向けて 36 の重点施策を設定し、"
        "各施策の目指す姿等を明確にしながら、各種取組を推進することとしています。",
        "しかしながら、より複雑かつ大きな課題については、１つの重点施策の推進だけでは"
        "解決することが困難なものも存在します。",
    ]


def test_rejoin_wrapped_never_glues_table_cells() -> None:
    raw = _raw_passage("施策の展開方針 成果指標", "待機児童なし")
    assert rejoin_wrapped(raw) == [
        "施策の展開方針 成果指標",
        "現状値",
        "（令和５年度）",
        "目標値",
        "（令和 11年度）",
        "参照",
        "ページ",
        "重点施策 1-1",
        "方針１：結婚、出産、子育てまでの切れ目のない支援",
        "３歳児健康診査受診率 95.2％ 96.5％ Ｐ.○",
        "重点施策 1-1",
        "方針２：子育て環境の整備と施策の充実",
        "保育所等及び放課後児童クラブの待機児童数",
        "待機児童なし 待機児童なし Ｐ.○",
    ]


def test_rejoin_wrapped_drops_furigana_page_numbers_and_stray_period() -> None:
    ruby = _raw_passage("デジタル化を牽引", "する人材の育成")
    assert "けんいん" in [ln.strip() for ln in ruby]
    assert rejoin_wrapped(ruby) == [
        "デジタル化を牽引する人材の育成や確保に取り組み、デジタル社会を着実に推進します。"
    ]
    # A page number ("11") and a lone "。" left over at a page bottom.
    assert rejoin_wrapped(
        ["人当たりの死亡者数） ", "", "11 ", "。 ", "産業活性化プロジェクト "]
    ) == [
        "人当たりの死亡者数）",
        "産業活性化プロジェクト",
    ]
    # A hiragana-only wrapped line that is text, not a reading, is kept.
    assert rejoin_wrapped(["使うと、分かる", "ことやできるこ", "とが増える "]) == [
        "使うと、分かることやできることが増える"
    ]


def test_rejoin_wrapped_never_glues_a_heading_to_a_diagram_label() -> None:
    raw = _raw_passage("ＤＸ推進プロジェクト", "（３） 重点プロジェクトの数値目標")
    assert rejoin_wrapped(raw)[-1] == "（３） 重点プロジェクトの数値目標"


def test_join_paragraphs_rejoins_a_sentence_broken_at_a_real_space() -> None:
    raw = _raw_passage("この重点プロジェクトでは", "持続可能な共生都市")
    lines = rejoin_wrapped(raw)
    assert len(lines) == 2  # the first block ends in "未来へ " with a real space
    assert join_paragraphs(lines) == (
        [
            "この重点プロジェクトでは、「伊勢崎市人口ビジョン」における本市の人口の現状分析や"
            "将来展望を踏まえ、全庁を挙げて施策横断的に取り組んでいくことにより、"
            "伊勢崎市将来ビジョン「えがお咲く未来へ持続可能な共生都市 いせさき」の"
            "実現を目指します。"
        ],
        [],
    )


def test_join_paragraphs_stops_at_the_table_after_the_prose() -> None:
    lines = rejoin_wrapped(_raw_passage("重点プロジェクトでは、本市の人口ビジョン", "目標値"))
    paragraphs, rest = join_paragraphs(lines)
    assert len(paragraphs) == 2
    assert paragraphs[1].endswith("検証できる指標を設定しています。")
    assert rest == ["プロジェクト指標", "現状値", "（令和５年度）", "目標値"]
