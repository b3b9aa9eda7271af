"""Project records: every project (``GET /projects``) and one with all its fields; the
projects for a question as a CSV file to take away (``GET /projects/search.csv``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.api.deps import EngineDep, FiltersDep, QueryParam, TopKParam
from service.api.errors import ERRORS
from service.limits import DEFAULT_TOP_K
from service.schemas import FieldOut, ProjectDetail, ProjectList, ProjectResult, ProjectSummary

router = APIRouter(prefix="/projects", tags=["projects"], responses=ERRORS)

CSV_COLUMNS = ("順位", "事業番号", "事業名", "担当課", "市", "文書", "分野", "リンク")
# Excel reads a CSV file as the machine's legacy code page (Shift_JIS on a Japanese Windows)
# unless it starts with the UTF-8 byte order mark.
BOM = "\ufeff"
# A cell starting with one of these is run as a formula by Excel and its kin (CSV injection);
# a leading apostrophe makes it text. No number, name or heading of the corpus starts so.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the ranked projects as CSV (UTF-8 with a byte order mark, CRLF), one "
        f"row per project under the header {','.join(CSV_COLUMNS)}",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@router.get("", response_model=ProjectList)
def list_projects(engine: EngineDep, doc_id: str | None = None) -> ProjectList:
    """Every project (optionally of one document), in document order."""
    documents = engine.index.documents
    projects = [ProjectSummary.from_record(r, documents[r.doc_id]) for r in engine.projects(doc_id)]
    return ProjectList(total=len(projects), projects=projects)


@router.get("/search.csv", response_class=Response, responses=CSV_RESPONSE)
def search_projects_csv(
    request: Request,
    engine: EngineDep,
    q: QueryParam,
    filters: FiltersDep,
    top_k: TopKParam = DEFAULT_TOP_K,
) -> Response:
    """The projects of ``GET /projects/search`` (same parameters) as a CSV file for Excel:
    rank, number, name, department, city, document, section and a link to the project's record
    on the search page."""
    found = engine.search_projects_full(q, top_k, filters)
    text = projects_csv(found.projects, page_url=str(request.base_url))
    return Response(
        (BOM + text).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="plansearch-projects.csv"'},
    )


def projects_csv(projects: Sequence[ProjectResult], page_url: str) -> str:
    """``projects`` as CSV text with a header row; links open the record on the page at
    ``page_url`` (``#/p/<doc_id>/<project_key>``, the page's own route)."""
    out = io.StringIO()
    writer = csv.writer(out)  # quotes what needs it; rows end in CRLF, as Excel writes them
    writer.writerow(CSV_COLUMNS)
    for p in projects:
        link = f"{page_url}#/p/{quote(p.doc_id, safe='')}/{quote(p.project_key, safe='')}"
        row = (p.rank, p.project_id, p.project_name, p.department, p.city, p.doc_title)
        writer.writerow([_cell(v) for v in (*row, " › ".join(p.section_path), link)])
    return out.getvalue()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


@router.get("/{doc_id}/{project_key}", response_model=ProjectDetail)
def get_project(engine: EngineDep, doc_id: str, project_key: str) -> ProjectDetail:
    """One project with all its fields. ``project_key`` is the printed number
    (URL-encoded), or ``<number>_2`` for the second project printed with the same number."""
    r = engine.project(doc_id, project_key)
    return ProjectDetail.from_record(
        r,
        engine.index.documents[r.doc_id],
        fields=[FieldOut.model_validate(f) for f in r.fields],
        related=list(r.related),
        related_projects=engine.links.get((r.doc_id, r.project_key), []),
    )
