"""The search page end to end, in a real headless browser (Playwright with Debian's chromium).

The app runs under uvicorn in a background thread on 127.0.0.1 with the real engine. Outside CI
the tests are skipped when /usr/bin/chromium or the playwright package is missing; in CI (``CI``
set) they fail instead, because scripts/test.sh installs both.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from scripts.screenshot import VIEWPORTS, serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

TIMEOUT_MS = 30_000  # the first question also warms up the model
DESKTOP = VIEWPORTS["desktop"]
PHONE = VIEWPORTS["phone"]

QUESTION = "子どもを少しの時間だけ近所の人に預かってもらえますか"
FAMILY_SUPPORT = '.card[data-doc="isesaki-jisshi-r3"][data-key="39"]'
NONSENSE = "おいしいラーメンの作り方は？"


@pytest.fixture(scope="module")
def base_url(real_settings, real_engine) -> Iterator[str]:
    """The app over the real engine, served by uvicorn on a free port of 127.0.0.1."""
    from service.api import create_app

    with serve(create_app(real_settings, real_engine), timeout=30) as url:
        yield url


def _new_page(browser: Browser, viewport: dict[str, int]) -> Iterator[Page]:
    """A fresh page; uncaught script errors fail the test at teardown."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport=viewport, locale="ja-JP")
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


def ask(page: Page, base_url: str, question: str) -> None:
    """Open the page, type the question and submit it with Enter."""
    page.goto(base_url + "/")
    box = page.get_by_label("質問・キーワード")
    box.fill(question)
    box.press("Enter")


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
    expect(card.locator(".evidence li").first).to_be_visible()
    # The answer box is filled either way: an answer with its citation, or the kind not-found
    # message with the closest projects (this question sits near the threshold).
    answer = page.locator("#answer")
    expect(answer.locator("h2")).to_have_text("回答")
    expect(answer.locator(".answer-text, .not-found")).to_have_count(1)
    expect(answer.locator(".citation a.detail, .near a.detail").first).to_be_visible()
    expect(page.locator("#status")).to_contain_text("件")
    assert "?q=" in page.url


def test_example_question_gets_an_answer_with_citation(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(base_url + "/")
    page.get_by_role("button", name="子育て支援に取り組んでいる事業は？").click()
    expect(page.get_by_label("質問・キーワード")).to_have_value(
        "子育て支援に取り組んでいる事業は？"
    )
    answer = page.locator("#answer")
    expect(answer.locator(".answer-text")).not_to_be_empty()
    expect(answer.locator(".citation a.detail")).to_have_count(1)
    expect(answer.locator(".citation")).to_contain_text("出典")
    expect(answer.locator(".confidence")).to_contain_text("%")
    expect(page.locator(".card").first).to_be_visible()


def test_highlights_citation_and_data_as_text(page: Page, base_url: str) -> None:
    """Rendering of fixed responses: spans in code points, merged overlaps, no HTML from data."""
    from playwright.sync_api import Route, expect

    text = '𠮷田さんの子育て支援<img src=x onerror="window.pwned=1">'
    where = {
        "doc_id": "isesaki-gyokaku-r2-r5",
        "doc_title": "伊勢崎市行政改革推進計画取組結果報告書",
        "city": "伊勢崎市",
        "project_id": "1-(1)-③",
        "project_key": "1-(1)-③",
        "project_name": "<b>名前</b>",
        "department": "行政改革課",
        "section_path": ["1 市民サービス", "(1) 窓口"],
    }
    hit = {
        **where,
        "rank": 1,
        "score": 1.5,
        "field": "取組内容",
        "text": text,
        "chunk_id": 1,
        "highlights": [[0, 1], [5, 8], [6, 10]],
        "related": [],
    }
    project = {**where, "rank": 1, "score": 1.5, "evidence": [hit], "related": []}
    citation = {**where, "field": "取組内容", "year": "令和4年度"}
    answer = {"text": "子育て支援<script>", "found": True, "confidence": 0.83, "citation": citation}
    replies = {
        "/projects/search": {"query": "x", "total": 1, "projects": [project], "facets": {}},
        "/answer": {"query": "x", "answer": answer, "projects": [project]},
    }

    def reply(route: Route) -> None:
        path = route.request.url.split("?")[0].removeprefix(base_url)
        route.fulfill(json=replies[path])

    page.route(f"{base_url}/projects/search?*", reply)
    page.route(f"{base_url}/answer?*", reply)
    ask(page, base_url, "x")
    card = page.locator('.card[data-key="1-(1)-③"]')
    expect(card.locator(".passage mark")).to_have_text(["𠮷", "子育て支援"])
    expect(card.locator(".passage")).to_contain_text('<img src=x onerror="window.pwned=1">')
    expect(card.locator("h3 a")).to_have_text("<b>名前</b>")
    expect(page.locator("#answer .answer-text")).to_have_text("子育て支援<script>")
    citation_text = page.locator("#answer .citation")
    expect(citation_text).to_contain_text("事業番号 1-(1)-③")
    expect(citation_text).to_contain_text("取組内容")
    expect(citation_text).to_contain_text("令和4年度")
    expect(page.locator("#answer .confidence")).to_contain_text("83%")
    assert page.locator("img, b, #answer script").count() == 0
    assert page.evaluate("window.pwned") is None


def test_nonsense_question_is_kindly_not_found(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/?q={quote(NONSENSE)}")  # a shared link runs its search
    expect(page.get_by_label("質問・キーワード")).to_have_value(NONSENSE)
    message = page.locator("#answer .not-found")
    expect(message).to_contain_text("見つかりませんでした")
    expect(page.locator("#answer .answer-text")).to_have_count(0)
    expect(page.locator("#answer .near a.detail").first).to_be_visible()  # closest projects


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
    page.goto(f"{base_url}/#/p/isesaki-jisshi-r3/99999")
    expect(page.get_by_role("alert")).to_contain_text("99999")


def test_facets_filter_and_errors_show_the_detail(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    ask(page, base_url, QUESTION)
    chip = page.locator('.chip[data-facet="city"][data-value="伊勢原市"]')
    chip.click()
    expect(chip).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#city")).to_have_value("伊勢原市")
    docs = page.locator(".card").evaluate_all("cards => cards.map(c => c.dataset.doc)")
    assert docs and set(docs) == {"isehara-chuki-r3-r4"}

    page.locator("#year").fill("令和4年度")  # 和暦 is accepted as it is written
    page.get_by_role("button", name="検索", exact=True).click()
    expect(page.locator('.chip[data-facet="year"][data-value="2022"]')).to_be_visible()
    expect(page.locator("#error")).to_be_hidden()

    page.locator("#year").fill("いつか")
    page.get_by_role("button", name="検索", exact=True).click()
    error = page.get_by_role("alert")
    expect(error).to_contain_text("いつか")  # the server's detail names the bad value
    expect(page.locator("#results")).to_be_hidden()
