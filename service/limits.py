"""Limits of the service, one constant each; the routes, the schemas and the CLI read them here.

Defaults sit next to their bounds so that changing one shows the other.
"""

from __future__ import annotations

MAX_QUERY_CHARS = 1000
"""Longest question accepted, in characters after whitespace is collapsed."""

MAX_TOP_K = 100
"""Most passages (``/search``) or projects (``/projects/search``) one request may ask for."""
DEFAULT_TOP_K = 10

MAX_ANSWER_TOP_K = 20
"""Most closest projects listed with an answer."""
DEFAULT_ANSWER_TOP_K = 5

MAX_PROJECT_PREFIX_CHARS = 40
"""Longest project-number prefix filter (``project=19-``)."""

EVIDENCE_PER_PROJECT = 3
"""Passages shown as evidence for each ranked project."""
