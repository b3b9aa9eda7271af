"""The API's documentation pages: Swagger UI (``GET /docs``) and ReDoc (``GET /redoc``).

FastAPI's own pages load their scripts and styles from a CDN, so they stay blank on a machine
without a network. These load them from this service instead. The ``fastapi-standalone-docs``
package (a dependency of the project; only its files are used) ships Swagger UI's bundle and
stylesheet, ReDoc's standalone script with its logo made local, their licences and FastAPI's
favicon; ``service.api.main`` mounts that folder at ``ASSETS_URL``. Nothing on either page
comes from another host.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs/assets"
ASSETS = Path(str(files("fastapi_standalone_docs") / "static"))
SWAGGER_JS, SWAGGER_CSS = "swagger/swagger-ui-bundle.js", "swagger/swagger-ui.css"
REDOC_JS, REDOC_LOGO = "redoc/redoc.standalone.js", "redoc/logo-mini.svg"
FAVICON = "fastapi/favicon.png"

router = APIRouter(include_in_schema=False)


def assets() -> StaticFiles:
    """The Swagger UI and ReDoc files, to mount at ``ASSETS_URL``."""
    return StaticFiles(directory=ASSETS, check_dir=True)


def _page(request: Request, name: str) -> dict[str, Any]:
    """What both pages take: the schema's URL under the request's root path, and a title."""
    root = request.scope.get("root_path", "").rstrip("/")
    return {
        "openapi_url": f"{root}{request.app.openapi_url}",
        "title": f"{request.app.title} — API ({name})",
    }


def _asset(request: Request, name: str) -> str:
    return f"{request.scope.get('root_path', '').rstrip('/')}{ASSETS_URL}/{name}"


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI over ``/openapi.json``: every operation, with "Try it out"."""
    return get_swagger_ui_html(
        **_page(request, "Swagger UI"),
        swagger_js_url=_asset(request, SWAGGER_JS),
        swagger_css_url=_asset(request, SWAGGER_CSS),
        swagger_favicon_url=_asset(request, FAVICON),
        oauth2_redirect_url=None,  # the public API has no OAuth
        swagger_ui_parameters=request.app.swagger_ui_parameters,
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc over ``/openapi.json``: the same schema as one reference page."""
    return get_redoc_html(
        **_page(request, "ReDoc"),
        redoc_js_url=_asset(request, REDOC_JS),
        redoc_favicon_url=_asset(request, FAVICON),
        with_google_fonts=False,  # fonts.googleapis.com is another host
    )


@router.get("/redoc/logo-mini.svg")
def redoc_logo() -> FileResponse:
    """ReDoc's own logo, which the packaged script asks for beside the page."""
    return FileResponse(ASSETS / REDOC_LOGO, media_type="image/svg+xml")
