"""The search page (``GET /``) and its script and style sheet (``GET /static/<name>``), static
files shipped with the package.

The page reads the service's limits (longest question, most projects per request) and the
highest score a project can get from attributes of its ``<html>`` element, filled in here from
``service.limits`` and the fusion settings, so that the page and the API cannot disagree.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

from service.api.deps import SettingsDep
from service.limits import MAX_QUERY_CHARS, MAX_TOP_K
from service.search import FusionConfig

STATIC = Path(__file__).resolve().parents[2] / "static"
ASSETS = {
    "page.js": "text/javascript; charset=utf-8",
    "i18n.js": "text/javascript; charset=utf-8",
    "page.css": "text/css; charset=utf-8",
}

router = APIRouter(include_in_schema=False)


def score_scale(fusion: FusionConfig) -> tuple[float, float]:
    """The highest fused score of a passage (so of a project) for a Japanese question, and for
    one in another language fused with the foreign lexical weight: both lists min-max
    normalised to [0, 1] and weighted, or reciprocal ranks at rank 1."""
    foreign = fusion.foreign_lexical_weight
    weights = fusion.dense_weight + fusion.lexical_weight
    foreign_weights = fusion.dense_weight + (fusion.lexical_weight if foreign is None else foreign)
    per_unit = 1.0 if fusion.method == "weighted" else 1.0 / (fusion.rrf_k + 1)
    return weights * per_unit, foreign_weights * per_unit


def render(template: str, fusion: FusionConfig) -> str:
    """The page with the service's limits and score scale filled in."""
    ja_max, foreign_max = score_scale(fusion)
    values = {
        "{{MAX_QUERY_CHARS}}": str(MAX_QUERY_CHARS),
        "{{MAX_TOP_K}}": str(MAX_TOP_K),
        "{{SCORE_MAX}}": f"{ja_max:.6g}",
        "{{SCORE_MAX_FOREIGN}}": f"{foreign_max:.6g}",
    }
    for placeholder, value in values.items():
        template = template.replace(placeholder, value)
    return template


@router.get("/")
def page(settings: SettingsDep) -> HTMLResponse:
    """The search page."""
    template = (STATIC / "index.html").read_text(encoding="utf-8")
    html = render(template, FusionConfig.from_settings(settings))
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})


@router.get("/static/{name}")
def asset(name: str) -> FileResponse:
    """A script or style sheet of the page; nothing else under static/ is served."""
    if name not in ASSETS:
        raise HTTPException(404, f"no page asset {name}; assets: {', '.join(ASSETS)}")
    return FileResponse(
        STATIC / name, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"}
    )
