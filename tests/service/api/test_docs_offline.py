"""/docs (Swagger UI) and /redoc (ReDoc) work on a machine without a network.

Their scripts, styles and favicon come from the service itself (fastapi-standalone-docs' files,
mounted at /docs/assets), never from a CDN. The HTTP tests read the pages' HTML; the browser
tests open them in headless chromium (Debian's, launched by scripts.screenshot.launch as the
page test does) with every request to a host other than 127.0.0.1 aborted, and see the
operations rendered, and that no other host was even asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient
from live_server import serve_app

from service.api import create_app
from service.api.routes import docs

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

TIMEOUT_MS = 30_000
PAGES = ("/docs", "/redoc")
# Every public operation, as the schema lists them (tests/service/api/test_schema_fuzz.py).
PATHS = ("/search", "/projects/search", "/projects/search.csv", "/answer", "/projects", "/health")


class _References(HTMLParser):
    """Every src and href of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]


@pytest.fixture(scope="module")
def client(hashing_settings, hashing_engine) -> Iterator[TestClient]:
    app = create_app(hashing_settings.model_copy(update={"reload_interval": 0}), hashing_engine)
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize("path", PAGES)
def test_docs_page_references_nothing_off_the_machine(client: TestClient, path: str):
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert not re.findall(r"(?:https?:)?//[\w.-]+", html), "an absolute URL in the page"
    parser = _References()
    parser.feed(html)
    assert parser.urls, "the page loads no script or style"
    for url in parser.urls:
        assert url.startswith(docs.ASSETS_URL + "/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000 or url.endswith(".png"), url


def test_the_assets_are_the_packaged_ones(client: TestClient):
    for name, kind in (
        (docs.SWAGGER_JS, "javascript"),
        (docs.SWAGGER_CSS, "text/css"),
        (docs.REDOC_JS, "javascript"),
        (docs.FAVICON, "image/png"),
        (docs.REDOC_LOGO, "image/svg+xml"),
    ):
        r = client.get(f"{docs.ASSETS_URL}/{name}")
        assert r.status_code == 200, name
        assert kind in r.headers["content-type"], (name, r.headers["content-type"])
        assert r.content == (docs.ASSETS / name).read_bytes()
    logo = client.get("/redoc/logo-mini.svg")  # where ReDoc's script asks for it
    assert logo.status_code == 200
    assert logo.content == (docs.ASSETS / docs.REDOC_LOGO).read_bytes()


def test_docs_pages_are_not_in_the_schema(client: TestClient):
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/docs", "/redoc"))]


# -- in a browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_url(hashing_settings, hashing_engine) -> Iterator[str]:
    with serve_app(hashing_settings, hashing_engine) as url:
        yield url


@pytest.fixture
def offline(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A page on which every request to a host other than 127.0.0.1 is aborted (and listed);
    script errors fail the test."""
    from playwright.sync_api import Route, expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    elsewhere: list[str] = []

    def only_loopback(route: Route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    context.route("**/*", only_loopback)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, elsewhere
    context.close()
    assert not errors, f"script errors on the page: {errors}"


def test_swagger_ui_renders_every_operation_offline(offline, base_url: str):
    from playwright.sync_api import expect

    page, elsewhere = offline
    page.goto(urljoin(base_url, "/docs"))
    operations = page.locator(".opblock")
    expect(operations.filter(has_text="/search").first).to_be_visible()
    for path in PATHS:
        expect(page.locator(f'.opblock-summary-path[data-path="{path}"]').first).to_be_visible()
    assert operations.count() == 8
    # "Try it out" on GET /health asks the service and shows its answer.
    health = page.locator("#operations-service-health_health_get")
    health.locator(".opblock-summary").click()
    health.get_by_role("button", name="Try it out").click()
    health.get_by_role("button", name="Execute").click()
    status = health.locator(".live-responses-table tr.response .response-col_status")
    expect(status.first).to_have_text("200")
    assert elsewhere == [], f"the page asked other hosts: {elsewhere}"


def test_redoc_renders_every_operation_offline(offline, base_url: str):
    from playwright.sync_api import expect

    page, elsewhere = offline
    page.goto(urljoin(base_url, "/redoc"))
    expect(page.locator("h1").first).to_contain_text("plansearch")
    for path in PATHS:
        expect(page.get_by_text(path, exact=True).first).to_be_attached()
    assert elsewhere == [], f"the page asked other hosts: {elsewhere}"
