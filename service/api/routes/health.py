"""Service state: the served index (``GET /health``)."""

from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import EngineDep
from service.api.errors import ERRORS
from service.schemas import DocumentOut, Health

router = APIRouter(tags=["service"], responses=ERRORS)


@router.get("/health", response_model=Health)
def health(engine: EngineDep) -> Health:
    """The served index: format, build time, embedder, documents and counts."""
    m = engine.index.manifest
    counts = m["counts"]["documents"]
    docs = [
        DocumentOut(
            doc_id=d.doc_id,
            city=d.city,
            title=d.title,
            period=d.period,
            projects=counts[d.doc_id]["projects"],
            chunks=counts[d.doc_id]["chunks"],
        )
        for d in engine.index.documents.values()
    ]
    return Health(
        status="ok",
        format_version=m["format_version"],
        built_at=m["built_at"],
        embedder=m["embedder"],
        chunks=m["counts"]["chunks"],
        documents=docs,
    )
