"""Project shapes derive from one base; each field is declared once; no id becomes ""."""

from __future__ import annotations

import inspect

import pytest
from conftest import documents, parsed

from indexer.records import section_record
from service import schemas
from service.schemas import (
    Citation,
    Hit,
    ProjectDetail,
    ProjectIdentity,
    ProjectRef,
    ProjectResult,
    ProjectSummary,
    RelatedLink,
    TitledProject,
)

BASES = (ProjectIdentity, TitledProject, ProjectRef)
SHAPES = (Hit, ProjectSummary, ProjectResult, ProjectDetail, Citation, RelatedLink)


def test_every_project_shape_derives_from_the_base_chain():
    for shape in (Hit, ProjectSummary, ProjectResult, ProjectDetail):
        assert issubclass(shape, ProjectRef)
    assert issubclass(Citation, TitledProject) and issubclass(RelatedLink, ProjectIdentity)
    assert list(ProjectRef.model_fields) == [
        "doc_id",
        "project_id",
        "project_key",
        "project_name",
        "doc_title",
        "city",
        "department",
        "section_path",
    ]


def test_each_base_field_is_declared_once():
    base_fields = set(ProjectRef.model_fields)
    for shape in SHAPES:
        assert not base_fields & set(inspect.get_annotations(shape)), shape
    declared = [f for base in BASES for f in inspect.get_annotations(base)]
    assert sorted(declared) == sorted(base_fields)


def test_summary_from_a_record_keeps_every_field():
    doc = documents()["isesaki-jisshi-r3"]
    record = next(r for r in parsed(doc.doc_id) if r.kind == "project")
    summary = ProjectSummary.from_record(record, doc)
    assert summary.doc_title == doc.title and summary.city == doc.city
    assert (summary.project_id, summary.project_key) == (record.project_id, record.project_key)
    assert summary.section_path == list(record.section_path)


def test_a_missing_project_id_stays_null():
    doc = documents()["isesaki-jisshi-r3"]
    section = section_record(doc, "section-1", ("第1章",), ())
    summary = ProjectSummary.from_record(section, doc)
    assert summary.project_id is None
    assert summary.model_dump(mode="json")["project_id"] is None
    detail = ProjectDetail.from_record(section, doc, fields=[], related=[])
    assert detail.project_id is None and detail.related_projects == []


@pytest.mark.parametrize("name", ["MAX_QUERY_CHARS", "MAX_TOP_K"])
def test_limits_are_the_ones_of_service_limits(name):
    from service import limits

    assert getattr(schemas, name) == getattr(limits, name)


def test_listed_projects_never_carry_an_empty_id(hashing_engine, hashing_settings):
    from fastapi.testclient import TestClient

    from service.api import create_app

    settings = hashing_settings.model_copy(update={"reload_interval": 0})
    with TestClient(create_app(settings, hashing_engine)) as c:
        listed = c.get("/projects").json()["projects"]
    assert listed and all(p["project_id"] != "" for p in listed)
