"""Project records: every project (``GET /projects``) and one with all its fields."""

from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import EngineDep
from service.api.errors import ERRORS
from service.schemas import FieldOut, ProjectDetail, ProjectList, ProjectSummary

router = APIRouter(prefix="/projects", tags=["projects"], responses=ERRORS)


@router.get("", response_model=ProjectList)
def list_projects(engine: EngineDep, doc_id: str | None = None) -> ProjectList:
    """Every project (optionally of one document), in document order."""
    documents = engine.index.documents
    projects = [ProjectSummary.from_record(r, documents[r.doc_id]) for r in engine.projects(doc_id)]
    return ProjectList(total=len(projects), projects=projects)


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
