"""Screenshots of the search page for reviewers: one question at desktop and phone width.

    .venv/bin/python scripts/screenshot.py          # docs/page-desktop.png, docs/page-phone.png
    .venv/bin/python scripts/screenshot.py --query "空き家対策" --out /tmp

Serves the published index (``PLANSEARCH_INDEX_DIR``, default var/index) on a free port of
127.0.0.1 and drives Debian's chromium. Both come with scripts/test.sh, which installs Debian's
``chromium`` and ``fonts-noto-cjk``: without a Japanese font the PNGs would show empty boxes, so
the script refuses to take them.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import uvicorn

from indexer.settings import get_settings
from service.api import create_app

if TYPE_CHECKING:  # the page test imports this module without needing playwright
    from playwright.sync_api import Browser, Playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUERY = "子育て支援に取り組んでいる事業は？"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 812}}
# How much of the page each PNG shows: the answer and the first result cards.
SHOT_HEIGHT = {"desktop": 1600, "phone": 1500}


class ServerDidNotStart(RuntimeError):
    """uvicorn stopped or took too long before it was listening."""


@contextmanager
def serve(app: Any, timeout: float = 120) -> Iterator[str]:
    """``app`` under uvicorn in a background thread on a free port of 127.0.0.1; yields its URL.

    The page test (tests/service/test_page.py) serves its app through this too.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise ServerDidNotStart("the server did not start")
            time.sleep(0.05)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def launch(pw: Playwright) -> Browser:
    """Debian's chromium, headless, through Playwright (never a downloaded browser)."""
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def has_japanese_font() -> bool:
    """Whether fontconfig knows a font for Japanese (else the PNGs show empty boxes)."""
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True, check=False)
    return bool(out.stdout.strip())


def shrink(path: Path) -> None:
    """Re-save as a 256-colour PNG (a third of the size) when Pillow is installed."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def shoot(query: str, out_dir: Path) -> list[Path]:
    """Ask ``query`` at each width and save the visible part of the page as PNG."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    from playwright.sync_api import expect, sync_playwright

    with serve(create_app(get_settings())) as base, sync_playwright() as pw:
        browser = launch(pw)
        for name, viewport in VIEWPORTS.items():
            page = browser.new_page(viewport=viewport, locale="ja-JP")
            page.goto(f"{base}/?q={quote(query)}")
            expect(page.locator("#answer")).to_be_visible(timeout=60_000)
            expect(page.locator(".card").first).to_be_visible(timeout=60_000)
            path = out_dir / f"page-{name}.png"
            size = {"x": 0, "y": 0, "width": viewport["width"], "height": SHOT_HEIGHT[name]}
            page.screenshot(path=str(path), full_page=True, clip=size)
            shrink(path)
            written.append(path)
            page.close()
        browser.close()
    return written


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", default=QUERY, help="the question to show")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="directory for the PNGs")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    if not has_japanese_font():
        sys.exit("no Japanese font: apt-get install -y fonts-noto-cjk (scripts/test.sh does)")
    try:
        written = shoot(args.query, args.out)
    except ServerDidNotStart as exc:
        sys.exit(str(exc))
    for path in written:
        print(f"{path} ({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
