"""The app served for real on a free port of 127.0.0.1 (``scripts.screenshot.serve``: uvicorn in
a background thread), for tests that speak HTTP from outside the process: curl (the README
examples), a browser (the docs pages) and schemathesis (conformance).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from scripts.screenshot import serve
from service.api import create_app

STARTUP_S = 20.0
# Loopback traffic goes straight to 127.0.0.1, never through a proxy.
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")
PROXY_VARIABLES += ("all_proxy",)


@contextmanager
def serve_app(settings, engine) -> Iterator[str]:
    """``create_app(settings, engine)`` (no reload watcher) at ``http://127.0.0.1:<port>``."""
    app = create_app(settings.model_copy(update={"reload_interval": 0}), engine)
    with serve(app, timeout=STARTUP_S) as url:
        yield url


def loopback_env(environ: dict[str, str]) -> dict[str, str]:
    """``environ`` without proxy variables, and with loopback exempt from any proxy."""
    env = {k: v for k, v in environ.items() if k not in PROXY_VARIABLES}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env
