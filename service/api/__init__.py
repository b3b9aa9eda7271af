"""HTTP API (FastAPI): ``create_app`` builds it; one router per resource under ``routes``."""

from service.api.main import create_app

__all__ = ["create_app"]
