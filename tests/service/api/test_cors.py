"""README: ``PLANSEARCH_CORS_ORIGINS`` is a JSON list of origins allowed by CORS; off when empty."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from indexer.settings import Settings
from service.api import create_app

ALLOWED = "https://plans.example.org"
OTHER = "https://elsewhere.example.com"


def _preflight(c: TestClient, origin: str):
    return c.options(
        "/search",
        headers={"origin": origin, "access-control-request-method": "GET"},
    )


@pytest.fixture()
def configured(hashing_engine, hashing_settings, monkeypatch):
    monkeypatch.setenv("PLANSEARCH_CORS_ORIGINS", f'["{ALLOWED}"]')
    monkeypatch.setenv("PLANSEARCH_EMBEDDER", "hashing")
    settings = Settings(index_dir=hashing_settings.index_dir, reload_interval=0)
    assert settings.cors_origins == [ALLOWED]  # read from the environment, as documented
    with TestClient(create_app(settings, hashing_engine)) as c:
        yield c


@pytest.fixture()
def unconfigured(hashing_engine, hashing_settings, monkeypatch):
    monkeypatch.delenv("PLANSEARCH_CORS_ORIGINS", raising=False)
    settings = hashing_settings.model_copy(update={"reload_interval": 0})
    assert settings.cors_origins == []
    with TestClient(create_app(settings, hashing_engine)) as c:
        yield c


def test_preflight_from_an_allowed_origin_is_allowed(configured):
    r = _preflight(configured, ALLOWED)
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == ALLOWED
    assert "GET" in r.headers["access-control-allow-methods"]
    r = configured.get("/search", params={"q": "子育て"}, headers={"origin": ALLOWED})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == ALLOWED


def test_other_origins_get_no_allow_header(configured):
    r = _preflight(configured, OTHER)
    assert r.status_code >= 400
    assert "access-control-allow-origin" not in r.headers
    r = configured.get("/search", params={"q": "子育て"}, headers={"origin": OTHER})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


def test_no_cors_headers_without_configuration(unconfigured):
    for origin in (ALLOWED, OTHER):
        r = _preflight(unconfigured, origin)
        assert r.status_code == 405  # no CORS layer: OPTIONS is just an unknown method
        assert not [h for h in r.headers if h.startswith("access-control-")]
        r = unconfigured.get("/health", headers={"origin": origin})
        assert r.status_code == 200
        assert not [h for h in r.headers if h.startswith("access-control-")]
