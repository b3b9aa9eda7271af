"""The search page end to end, in a real headless browser (Playwright with Debian's chromium).

The app runs under uvicorn in a background thread on 127.0.0.1 with the real engine (one server
for the module: the Portuguese question, 「asdfghjkl」 and the known project cards are about
retrieval quality, which the hashing encoder does not have). Outside CI the tests are skipped
when /usr/bin/chromium or the playwright package is missing; in CI (``CI`` set) they fail
instead, because scripts/test.sh installs both. Answers of kinds the real engine may not give
for a fixed question (several parts, a list) are rendered from fixed responses.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from scripts.screenshot import VIEWPORTS, serve
from service.limits import MAX_QUERY_CHARS, MAX_TOP_K

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page, Route

TIMEOUT_MS = 30_000  # the first question also warms up the model
DESKTOP = VIEWPORTS["desktop"]
PHONE = VIEWPORTS["phone"]

QUESTION = "子どもを少しの時間だけ近所の人に預かってもらえますか"
FAMILY_SUPPORT = '.card[data-doc="isesaki-jisshi-r3"][data-key="39"]'
NONSENSE = "おいしいラーメンの作り方は？"
BROAD = "事業の取組"  # more than MAX_TOP_K projects match
PORTUGUESE = "Onde posso deixar meu filho por algumas horas?"
CHILDCARE = re.compile("子ども|子育て|児童|保育|預かり")
# English words in a message shown to a Japanese reader (the API's detail leaking through).
ENGLISH = re.compile(r"\b(no|matches|cannot|read|the|query|valid|unknown|input)\b", re.I)


@pytest.fixture(scope="module")
def base_url(real_settings, real_engine) -> Iterator[str]:
    """The app over the real engine, served by uvicorn on a free port of 127.0.0.1."""
    from service.api import create_app

    with serve(create_app(real_settings, real_engine), timeout=30) as url:
        yield url


def _new_page(browser: Browser, viewport: dict[str, int]) -> Iterator[Page]:
    """A fresh page (its own storage); uncaught script errors fail the test at teardown."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport=viewport, locale="ja-JP", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[Any] = []
    page.on("pageerror", lambda error: errors.append(error))
    yield page
    context.close()
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A desktop-width page."""
    yield from _new_page(browser, DESKTOP)


@pytest.fixture
def phone(browser: Browser, base_url: str) -> Iterator[Page]:
    """A page 375 px wide."""
    yield from _new_page(browser, PHONE)


def ask(page: Page, base_url: str, question: str, label: str = "質問・キーワード") -> None:
    """Open the page, type the question and submit it with Enter."""
    page.goto(base_url + "/")
    box = page.get_by_label(label)
    box.fill(question)
    box.press("Enter")


def cards(page: Page) -> Locator:
    return page.locator("#cards > .card")


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_question_shows_project_card_and_answer(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    ask(page, base_url, QUESTION)
    card = page.locator(FAMILY_SUPPORT)
    expect(card.locator("h3")).to_contain_text("ファミリー・サポート・センター事業")
    expect(card.locator("h3 .num")).to_have_text("39")
    expect(card).to_contain_text("こども保育課")
    expect(card).to_contain_text("実施計画")
    expect(card.locator(".badge.city")).to_have_text("伊勢崎市")  # the city, visible
    expect(card.locator(".badge.rel")).to_have_text(re.compile("^関連度: [高中低]$"))
    expect(card.locator(".evidence li").first).to_be_visible()
    assert not re.search(r"\d\.\d\d", card.inner_text())  # no raw score
    # The answer box is filled either way: an answer with its citation, or the kind not-found
    # message with the closest projects (this question sits near the threshold).
    answer = page.locator("#answer")
    expect(answer.locator("h2")).to_have_text("回答")
    expect(answer.locator(".answer-text, .not-found").first).to_be_visible()
    expect(answer.locator(".citation a.detail, .near a.detail").first).to_be_visible()
    expect(answer.locator(".badge.city").first).to_have_text(re.compile("^伊勢(崎|原)市$"))
    expect(page.locator("#status")).to_contain_text("件")
    assert "?q=" in page.url
    expect(page.locator(".source-note")).to_have_count(0)  # the page is Japanese


def test_relevance_labels_follow_the_ranking(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    ask(page, base_url, "がん検診の受診率の目標は？")
    expect(cards(page)).to_have_count(10)
    order = {"high": 0, "mid": 1, "low": 2}
    levels = [
        order[v]
        for v in cards(page)
        .locator(".badge.rel")
        .evaluate_all("badges => badges.map(b => b.dataset.level)")
    ]
    assert levels == sorted(levels)  # scores fall with rank, so labels never rise
    assert levels[0] == 0  # a staff question naming its project: its first card is 高


def test_example_question_gets_an_answer_with_citation(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(base_url + "/")
    page.get_by_role("button", name="子育て支援に取り組んでいる事業は？").click()
    expect(page.get_by_label("質問・キーワード")).to_have_value(
        "子育て支援に取り組んでいる事業は？"
    )
    # A list question: the answer is a list of projects, each with its line of evidence.
    answer = page.locator("#answer")
    expect(answer.locator(".badge.kind")).to_have_text("質問の種類: 一覧")
    items = answer.locator(".items > .item")
    expect(items.first).to_be_visible()
    assert items.count() >= 3
    expect(items.first.locator("a.detail")).to_be_visible()
    expect(items.first.locator(".evidence-line")).not_to_be_empty()
    expect(answer.locator(".parts")).to_have_count(0)  # not the same projects twice
    expect(answer.locator(".confidence")).to_contain_text("%")
    expect(cards(page).first).to_be_visible()


WHERE = {
    "doc_id": "isesaki-gyokaku-r2-r5",
    "doc_title": "伊勢崎市行政改革推進計画取組結果報告書",
    "city": "伊勢崎市",
    "project_id": "1-(1)-③",
    "project_key": "1-(1)-③",
    "project_name": "<b>名前</b>",
    "department": "行政改革課",
    "section_path": ["1 市民サービス", "(1) 窓口"],
}


def _project(text: str, highlights: list[list[int]], **more: Any) -> dict[str, Any]:
    where = {**WHERE, **more}
    hit = {**where, "rank": 1, "score": 2.9, "field": "取組内容", "text": text, "chunk_id": 1}
    hit |= {"highlights": highlights, "related": []}
    return {**where, "rank": where.get("rank", 1), "score": 2.9, "evidence": [hit], "related": []}


def _fixed(page: Page, base_url: str, replies: dict[str, dict[str, Any]]) -> None:
    """Answer /projects/search and /answer with ``replies`` instead of the engine."""

    def reply(route: Route) -> None:
        path = route.request.url.split("?")[0].removeprefix(base_url)
        route.fulfill(json=replies[path])

    page.route(f"{base_url}/projects/search?*", reply)
    page.route(f"{base_url}/answer?*", reply)


def test_highlights_citation_and_data_as_text(page: Page, base_url: str) -> None:
    """Rendering of fixed responses: spans in code points, merged overlaps, no highlight inside
    a 【label】, no HTML from data."""
    from playwright.sync_api import expect

    text = '𠮷田さんの子育て支援【子育て】支援<img src=x onerror="window.pwned=1">'
    # [0,1) 𠮷; [5,8) + [6,10) merge to 子育て支援; [10,17) covers the label and 支援 after it.
    project = _project(text, [[0, 1], [5, 8], [6, 10], [10, 17]])
    citation = {**WHERE, "field": "取組内容", "year": "令和4年度"}
    answer = {"text": "子育て支援<script>", "found": True, "confidence": 0.83, "citation": citation}
    _fixed(
        page,
        base_url,
        {
            "/projects/search": {"query": "x", "total": 1, "projects": [project], "facets": {}},
            "/answer": {"query": "x", "answer": answer, "projects": [project]},
        },
    )
    ask(page, base_url, "x")
    card = page.locator('.card[data-key="1-(1)-③"]')
    expect(card.locator(".passage mark")).to_have_text(["𠮷", "子育て支援", "支援"])
    expect(card.locator(".passage")).to_contain_text(
        '【子育て】支援<img src=x onerror="window.pwned=1">'
    )
    expect(card.locator("h3 a")).to_have_text("<b>名前</b>")
    expect(page.locator("#answer .answer-text")).to_have_text("子育て支援<script>")
    citation_text = page.locator("#answer .citation")
    expect(citation_text).to_contain_text("事業番号 1-(1)-③")
    expect(citation_text).to_contain_text("取組内容")
    expect(citation_text).to_contain_text("令和4年度")
    expect(citation_text.locator(".badge.city")).to_have_text("伊勢崎市")
    expect(page.locator("#answer .confidence")).to_contain_text("83%")
    assert page.locator("img, b, #answer script").count() == 0
    assert page.evaluate("window.pwned") is None


def test_a_two_part_answer_shows_a_citation_per_part(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    first = _project("現状値 16.6%", [], project_id="58", project_key="58", rank=1)
    second = _project("目標値 17.0%", [], project_id="59", project_key="59", rank=2)

    def cite(p: dict[str, Any], quote: str, card: int) -> dict[str, Any]:
        number = {k: p[k] for k in ("project_id", "project_key")}
        return {**WHERE, **number, "field": "指標", "year": None, "quote": quote, "card": card}

    citations = [cite(first, "現状値 16.6%", 1), cite(second, "目標値 17.0%", 2)]
    answer = {
        "text": "現状値 16.6%\n目標値 17.0%",
        "found": True,
        "confidence": 0.9,
        "citation": citations[0],
        "citations": citations,
        "kind": "value",
        "items": [],
    }
    _fixed(
        page,
        base_url,
        {
            "/projects/search": {
                "query": "x",
                "total": 2,
                "projects": [first, second],
                "facets": {},
            },
            "/answer": {"query": "x", "answer": answer, "projects": [first, second]},
        },
    )
    ask(page, base_url, "がん検診の受診率の現状値と目標値は？")
    parts = page.locator("#answer .parts > .part")
    expect(parts).to_have_count(2)
    expect(parts.locator(".answer-text")).to_have_text(["現状値 16.6%", "目標値 17.0%"])
    expect(parts.nth(0).locator(".citation")).to_contain_text("1つ目の出典")
    expect(parts.nth(1).locator(".citation a.detail")).to_contain_text("事業番号 59")
    expect(page.locator("#answer .badge.kind")).to_have_text("質問の種類: 数値")
    parts.nth(1).get_by_role("button", name="2番目の事業へ").click()
    expect(page.locator('.card[data-rank="2"] h3 a.detail')).to_be_focused()


def test_a_list_answer_is_a_list(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    projects = [
        _project(
            f"子育て支援 {i}",
            [],
            project_id=str(i),
            project_key=str(i),
            rank=i,
            project_name=f"子育て事業{i}",
        )
        for i in (1, 2, 3)
    ]
    items = [
        {
            **{k: v for k, v in p.items() if k not in ("score", "evidence", "related")},
            "field": "事業概要",
            "evidence": f"子育てを支える取組 {p['rank']}",
        }
        for p in projects
    ]
    answer = {
        "text": "",
        "found": True,
        "confidence": 0.8,
        "citation": None,
        "citations": [],
        "kind": "list",
        "items": items,
    }
    _fixed(
        page,
        base_url,
        {
            "/projects/search": {"query": "x", "total": 3, "projects": projects, "facets": {}},
            "/answer": {"query": "x", "answer": answer, "projects": projects},
        },
    )
    ask(page, base_url, "子育て支援に取り組んでいる事業は？")
    listed = page.locator("#answer .items > .item")
    expect(listed).to_have_count(3)
    expect(listed.locator("a.detail")).to_have_text(["子育て事業1", "子育て事業2", "子育て事業3"])
    expect(listed.nth(1)).to_contain_text("子育てを支える取組 2")
    expect(listed.nth(1).locator(".badge.city")).to_have_text("伊勢崎市")
    listed.nth(2).get_by_role("button", name="3番目の事業へ").click()
    expect(page.locator('.card[data-rank="3"] h3 a.detail')).to_be_focused()
    expect(page.locator("#answer .badge.kind")).to_have_text("質問の種類: 一覧")


def test_nonsense_question_is_kindly_not_found(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/?q={quote(NONSENSE)}")  # a shared link runs its search
    expect(page.get_by_label("質問・キーワード")).to_have_value(NONSENSE)
    message = page.locator("#answer .not-found")
    expect(message).to_contain_text("見つかりませんでした")
    expect(page.locator("#answer .answer-text")).to_have_count(0)
    expect(page.locator("#answer .near a.detail").first).to_be_visible()  # closest projects


def test_no_match_says_so_and_lists_the_nearest(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    ask(page, base_url, "asdfghjkl")
    expect(page.locator("#answer .no-match")).to_have_text("該当する事業は見つかりませんでした")
    expect(page.locator("#answer .near a.detail").first).to_be_visible()
    expect(page.locator("#projects-h")).to_have_text("近い事業")
    expect(page.locator("#status")).to_contain_text("該当する事業は見つかりませんでした")
    levels = cards(page).locator(".badge.rel").evaluate_all("b => b.map(x => x.dataset.level)")
    assert levels and set(levels) == {"low"}


def test_more_pages_up_to_the_limit(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    ask(page, base_url, BROAD)
    expect(cards(page)).to_have_count(10)
    first_ten = cards(page).evaluate_all("cs => cs.map(c => c.dataset.doc + '/' + c.dataset.key)")
    more = page.get_by_role("button", name="もっと見る")
    more.click()
    expect(cards(page)).to_have_count(20)
    after = cards(page).evaluate_all("cs => cs.map(c => c.dataset.doc + '/' + c.dataset.key)")
    assert after[:10] == first_ten and len(set(after)) == 20  # appended, none twice
    expect(cards(page).nth(10).locator("h3 a.detail")).to_be_focused()  # the first new card
    expect(page.locator("#csv")).to_contain_text("20件")
    for shown in range(30, MAX_TOP_K + 1, 10):
        more.click()
        expect(cards(page)).to_have_count(shown)
    expect(more).to_be_hidden()  # the API's limit
    expect(page.locator("#more-end")).to_contain_text(f"{MAX_TOP_K}件")


def test_the_csv_download_holds_the_listed_projects(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    ask(page, base_url, QUESTION)
    expect(cards(page)).to_have_count(10)
    listed = cards(page).locator("h3 a.detail").all_inner_texts()
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("CSVでダウンロード")).click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), "rb") as fh:
        content = fh.read()
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads it as UTF-8
    header, *rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    assert header[:4] == ["順位", "事業番号", "事業名", "担当課"] and "リンク" in header
    assert [row[2] for row in rows] == listed
    assert any(row[1] == "39" and row[3] == "こども保育課" for row in rows)
    assert all(row[-1].startswith(base_url + "/#/p/") for row in rows)


def test_japanese_error_messages_from_the_codes(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    ask(page, base_url, QUESTION)
    expect(cards(page).first).to_be_visible()
    page.locator("#filters summary").click()
    page.locator("#year").fill("いつか")
    page.get_by_role("button", name="検索", exact=True).click()
    error = page.get_by_role("alert")
    expect(error).to_contain_text("年度「いつか」を読み取れませんでした")
    assert not ENGLISH.search(error.inner_text())
    expect(page.locator("#results")).to_be_hidden()

    page.locator("#year").fill("")
    page.locator("#department").fill("宇宙開発課")
    page.get_by_role("button", name="検索", exact=True).click()
    expect(error).to_contain_text("絞り込みの条件に合う記述がありません")
    expect(error).to_contain_text("担当課: 宇宙開発課")
    assert not ENGLISH.search(error.inner_text())

    page.goto(f"{base_url}/#/p/isesaki-jisshi-r3/99999")
    expect(page.get_by_role("alert")).to_contain_text("99999")
    expect(page.get_by_role("alert")).to_contain_text("見つかりませんでした")


def test_loading_dims_the_old_results(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    ask(page, base_url, QUESTION)
    expect(page.locator(FAMILY_SUPPORT)).to_be_visible()
    held: list[Route] = []
    page.route(f"{base_url}/projects/search?*", lambda route: held.append(route))  # hold it
    page.get_by_label("質問・キーワード").fill("防災に関する事業")
    page.get_by_label("質問・キーワード").press("Enter")
    output = page.locator("#output")
    expect(output).to_have_attribute("aria-busy", "true")
    expect(page.locator("#loading")).to_be_visible()
    expect(page.locator("#loading")).to_contain_text("検索中")
    # dimmed, still there (the dimming fades in over .15 s: wait for it, not for a frame of it)
    page.wait_for_function(
        "() => parseFloat(getComputedStyle(document.querySelector('#output')).opacity) < 0.6",
        timeout=5000,
    )
    expect(page.locator(FAMILY_SUPPORT)).to_be_attached()
    assert held
    held[0].continue_()
    expect(page.locator("#loading")).to_be_hidden()
    expect(output).not_to_have_attribute("aria-busy", "true")


def test_a_long_question_is_shortened_with_a_notice(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    long_question = ("子育て支援の事業について教えてください。" * 120)[: MAX_QUERY_CHARS * 2]
    ask(page, base_url, long_question)
    notice = page.locator("#notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(f"{MAX_QUERY_CHARS:,}")
    expect(notice).to_contain_text(f"{len(long_question):,}")
    expect(cards(page).first).to_be_visible()  # searched, not refused
    assert len(page.get_by_label("質問・キーワード").input_value()) == MAX_QUERY_CHARS
    page.get_by_label("質問・キーワード").fill(QUESTION)
    page.get_by_label("質問・キーワード").press("Enter")
    expect(notice).to_be_hidden()


def _focused(page: Page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return (e.closest('.card') ? 'card:' + e.closest('.card').dataset.rank + ':' : '')"
        " + e.tagName + '#' + e.id + '.' + e.className; }"
    )


def _tabs_to_first_card(page: Page, limit: int = 40) -> int:
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if _focused(page).startswith("card:1:"):
            return presses
        assert ".chip" not in _focused(page), "a facet chip comes before the first result"
    raise AssertionError(f"the first result is not reached in {limit} Tab presses")


def test_keyboard_path_from_the_search_box_and_the_skip_link(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    ask(page, base_url, QUESTION)
    expect(cards(page)).to_have_count(10)
    page.get_by_label("質問・キーワード").focus()
    presses = _tabs_to_first_card(page)
    # Between them only: the search button, the 2 examples, the filters, the answer's links
    # and buttons, the CSV link (33 presses before, facet chips first).
    in_answer = page.locator("#answer a, #answer button").count()
    assert presses == 4 + in_answer + 2, (presses, in_answer)
    expect(cards(page).first.locator("h3 a.detail")).to_be_focused()

    page.goto(page.url)  # the shared link of these results, opened afresh
    expect(cards(page)).to_have_count(10)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="検索結果へ移動")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["height"] >= 44  # shown when focused
    page.keyboard.press("Enter")
    expect(page.locator("#cards")).to_be_focused()
    page.keyboard.press("Tab")
    expect(cards(page).first.locator("h3 a.detail")).to_be_focused()


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_focus_ring_has_contrast(page: Page, base_url: str) -> None:
    """From the keyboard (so :focus-visible applies): the skip link and the language switch on
    the dark header, the search box and the search button on the white form."""
    page.goto(base_url + "/")
    order = [("#skip", "header"), ("#lang", "header"), ("#q", "#form"), ("#go", "#form")]
    for selector, ground in order:
        page.keyboard.press("Tab")
        focused = page.locator(selector)
        assert focused.evaluate("e => e === document.activeElement"), selector
        style = focused.evaluate(
            "e => { const s = getComputedStyle(e);"
            " return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
        )
        behind = page.locator(ground).evaluate("e => getComputedStyle(e).backgroundColor")
        assert style[0] == "solid" and float(style[1].removesuffix("px")) >= 2, style
        assert _contrast(style[2], behind) >= 3, (selector, style, behind)


def test_phone_touch_targets_and_results_before_facets(phone: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    ask(phone, base_url, QUESTION)
    expect(cards(phone)).to_have_count(10)
    phone.locator("#filters summary").click()
    phone.locator("#facets summary").click()
    expect(phone.locator(".chip").first).to_be_visible()
    targets = phone.locator(
        "button:visible, input:visible, select:visible, summary:visible, #csv, .card h3 a.detail,"
        " #answer a.detail"
    )
    small = []
    for target in targets.all():
        box = target.bounding_box()
        assert box is not None
        if box["height"] < 44 or box["width"] < 44:
            small.append((target.evaluate("e => e.outerHTML.slice(0, 80)"), box))
    assert targets.count() > 30 and not small, small
    # Results come before the facets in the document, hence in tab order.
    assert phone.evaluate(
        "document.querySelector('#cards').compareDocumentPosition("
        "document.querySelector('#facets')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    phone.get_by_label("質問・キーワード").focus()
    _tabs_to_first_card(phone)  # fails if a facet chip comes first


def test_phone_width_has_no_horizontal_scroll(phone: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    ask(phone, base_url, QUESTION)
    expect(phone.locator(FAMILY_SUPPORT)).to_be_visible()
    phone.locator("#filters summary").click()
    phone.locator("#facets summary").click()
    for button in phone.locator(".card button.link").all()[:5]:
        button.click()  # whole passages, the longest text on the page
    assert horizontal_overflow(phone) == 0
    phone.locator(f"{FAMILY_SUPPORT} a.detail").first.click()
    expect(phone.locator("#detail h2")).to_contain_text("ファミリー・サポート・センター事業")
    assert horizontal_overflow(phone) == 0


def test_language_switch_and_a_question_in_portuguese(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(base_url + "/")
    page.get_by_label("言語 / Language").select_option("pt")
    expect(page.locator("html")).to_have_attribute("lang", "pt")
    expect(page.get_by_role("button", name="Buscar", exact=True)).to_be_visible()
    expect(page.locator("h1")).to_have_text("Busca nos planos municipais")
    page.reload()  # remembered
    expect(page.locator("html")).to_have_attribute("lang", "pt")
    expect(page.get_by_label("Idioma / Language")).to_have_value("pt")

    ask(page, base_url, PORTUGUESE, label="Pergunta ou palavras-chave")
    expect(cards(page)).to_have_count(10)
    names = cards(page).locator("h3 a.detail").all_inner_texts()
    assert any(CHILDCARE.search(name) for name in names[:5]), names
    notes = cards(page).locator(".source-note")
    expect(notes).to_have_count(10)  # on every result
    expect(notes.first).to_have_text("O texto original está em japonês.")
    expect(cards(page).first.locator(".passage").first).to_have_attribute("lang", "ja")
    expect(page.locator("#status")).to_contain_text("Idioma da pergunta: português")
    expect(page.locator("#projects-h")).to_have_text("Projetos relacionados")

    page.get_by_label("Idioma / Language").select_option("vi")  # results re-labelled in place
    expect(page.locator("#projects-h")).to_have_text("Dự án liên quan")
    expect(notes.first).to_have_text("Văn bản gốc bằng tiếng Nhật.")
    page.get_by_label("Ngôn ngữ / Language").select_option("ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator(".source-note")).to_have_count(0)


def test_project_record_opens_and_goes_back(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    ask(page, base_url, QUESTION)
    link = page.locator(f"{FAMILY_SUPPORT} h3 a.detail")
    link.click()
    expect(page).to_have_url(f"{base_url}/?q={quote(QUESTION)}#/p/isesaki-jisshi-r3/39")
    heading = page.locator("#detail h2")
    expect(heading).to_contain_text("ファミリー・サポート・センター事業")
    expect(heading).to_be_focused()
    expect(page.locator("#detail h3", has_text="具体的方法")).to_be_visible()
    expect(page.locator("#detail")).to_contain_text("援助会員")
    page.get_by_role("button", name="検索結果に戻る").click()
    expect(page.locator(FAMILY_SUPPORT)).to_be_visible()
    expect(link).to_be_focused()

    # Keys with brackets, circled digits and blanks survive the URL; unknown keys show the detail.
    page.goto(f"{base_url}/#/p/isesaki-gyokaku-r2-r5/{quote('1-(1)-③')}")
    expect(page.locator("#detail h2 .num")).to_have_text("1-(1)-③")
    page.goto(f"{base_url}/#/p/isesaki-action-plan-r7/{quote('1-1 方針2')}")
    expect(page.locator("#detail h2 .num")).to_have_text("1-1 方針2")

    # A printed table (「項目 | 令和3年度 | 令和4年度」 lines in the record) is shown as a table.
    page.goto(f"{base_url}/#/p/isehara-chuki-r3-r4/8-103")
    table = page.locator("#detail section", has_text="事業行程").locator("table")
    expect(table.locator("thead th")).to_have_text(["項目", "令和3年度", "令和4年度"])
    row = table.locator("tbody tr", has_text="婚活セミナー等の開催")
    expect(row.locator("th, td")).to_have_text(["婚活セミナー等の開催", "見送り", "継続 1 回実施"])
    expect(page.locator("#detail")).not_to_contain_text("項目 | 令和3年度")

    # The 実施計画's tables too: 3-1-1's まちづくりの指標 (a section record of 第2部).
    page.goto(f"{base_url}/#/p/isesaki-jisshi-r3/section-41")
    # A section record is titled by the heading it sits under (it has no number or name).
    expect(page.locator("#detail h2")).to_have_text("3-1-1 危機管理体制の充実")
    table = page.locator("#detail section", has_text="まちづくりの指標").locator("table")
    expect(table.locator("thead th")).to_have_text(
        ["指標名", "基準値 (H30年度)", "現状値 (R元年度)", "目標値 (R6年度)", "解説・算出方法など"]
    )
    row = table.locator("tbody tr", has_text="災害時協力協定締結数")
    expect(row.locator("th, td")).to_have_text(
        [
            "災害時協力協定締結数",
            "62件",
            "65件",
            "72件",
            "他の自治体や民間企業との災害時協力協定を締結した数",
        ]
    )


def test_facets_filter(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    ask(page, base_url, QUESTION)
    chip = page.locator('.chip[data-facet="city"][data-value="伊勢原市"]')
    chip.click()
    expect(chip).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#city")).to_have_value("伊勢原市")
    docs = cards(page).evaluate_all("cards => cards.map(c => c.dataset.doc)")
    assert docs and set(docs) == {"isehara-chuki-r3-r4"}

    page.locator("#year").fill("令和4年度")  # 和暦 is accepted as it is written
    page.get_by_role("button", name="検索", exact=True).click()
    expect(page.locator('.chip[data-facet="year"][data-value="2022"]')).to_be_visible()
    # Most passages first, as the API counts them: every passage found names 2022 (a page that
    # listed the years in numeric order hid 2022 behind eight earlier ones).
    expect(page.locator('.chip[data-facet="year"]').first).to_have_attribute("data-value", "2022")
    expect(page.locator("#error")).to_be_hidden()
