"""One exception family for plansearch; the CLI and the API map each kind to a message and a
status code, so a user meets a sentence that says what to change, never a traceback.

Every error message is written for the person who caused it: what was wrong and what to do.
``status_code`` is the HTTP status the API answers with; the CLI prints the message and exits 2.
"""

from __future__ import annotations


class PlansearchError(Exception):
    """Base of every error plansearch raises on purpose."""

    status_code = 500


class InputError(PlansearchError, ValueError):
    """The question, a filter or an option is not acceptable; the message says why."""

    status_code = 422


class NotFoundError(PlansearchError, LookupError):
    """A named document or project does not exist; the message lists what does."""

    status_code = 404


class UnavailableError(PlansearchError, RuntimeError):
    """Something the request needs is not there (no index, no model); the message says what
    to run."""

    status_code = 503
