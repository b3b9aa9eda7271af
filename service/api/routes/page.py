"""The search page (``GET /``), a static file shipped with the package."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parents[2] / "static"

router = APIRouter(include_in_schema=False)


@router.get("/")
def page() -> FileResponse:
    """The search page."""
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")
