"""schemathesis hooks of the conformance run (tests/service/api/test_schema_fuzz.py), loaded
through tests/service/api/schemathesis.toml.

The service refuses some schema-valid input on meaning, with 422 and a message that says what
to change: a question of control characters or blanks only, a city or document that is not in
the index, a department or section that matches nothing, a year it cannot read. The schema
cannot say which strings those are (they depend on the index), so schemathesis.toml lets
``positive_data_acceptance`` accept 422 on the operations that take a question and filters.
This check keeps that allowance narrow: a schema-valid request answered 422 must carry one of
those refusals, never a validation error about the request's shape (which would mean the
published schema is wrong).

One filter drops a false alarm of schemathesis 4.32 itself: a negative value of an
array-of-strings query parameter that goes on the wire as ``section=`` is, as sent, the valid
array ``[""]`` (which the service reads as no filter, as documented), but schemathesis
re-reads it as the string ``""`` and reports "schema-violating request accepted". The filter
drops that failure only when the request as sent, every array parameter read as a list of
strings and nothing else coerced loosely, is valid against the published schema.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema_rs
import schemathesis
from schemathesis.core.failures import AcceptedNegativeData

# The messages of service.search.clean_query, service.filters and indexer.years.parse_year.
REFUSED_ON_MEANING = re.compile(
    r"the query is empty"
    r"|the query is not valid Unicode"
    r"|the query contains control characters"
    r"|unknown (doc_id|city) .*; valid: "
    r"|no (department|section) matches "
    r"|cannot read the year ",
    re.DOTALL,  # the values are echoed, line breaks included
)


@schemathesis.check
def refused_only_on_meaning(ctx, response, case) -> bool | None:
    """A 422 to schema-valid (positive) input names a refusal on meaning."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    detail = response.json().get("detail")
    if not (isinstance(detail, str) and REFUSED_ON_MEANING.match(detail)):
        raise AssertionError(
            f"schema-valid input was refused with 422 for a reason the schema could state: "
            f"{detail!r}"
        )
    return None


@schemathesis.hook
def filter_failure(ctx, failure, case, response) -> bool:
    """Keep every failure except "schema-violating request accepted" for a query that is, as
    sent, valid (see the module's docstring)."""
    if not isinstance(failure, AcceptedNegativeData) or case.meta is None:
        return True
    negative = {str(loc.value) for loc, c in case.meta.components.items() if c.mode.is_negative}
    if negative != {"query"}:
        return True
    try:
        return not _query_valid_as_sent(case, response)
    except Exception:  # cannot tell: keep the failure
        return True


def _query_valid_as_sent(case, response) -> bool:
    raw = case.operation.schema.raw_schema["paths"][case.operation.path][case.method.lower()]
    parameters = {p["name"]: p for p in raw.get("parameters", []) if p["in"] == "query"}
    sent = parse_qs(urlsplit(response.request.url).query, keep_blank_values=True)
    if set(sent) - set(parameters):
        return False
    for name, parameter in parameters.items():
        if name not in sent:
            if parameter.get("required"):
                return False
            continue
        value = _as_read(sent[name], parameter["schema"])
        if value is None or not jsonschema_rs.validator_for(parameter["schema"]).is_valid(value):
            return False
    return True


def _as_read(texts: list[str], schema: dict[str, Any]) -> Any:
    """The value a server reads from the texts of one query parameter; None when unsure."""
    types = {s.get("type") for s in schema.get("anyOf", [schema])}
    if "array" in types:
        return texts
    if len(texts) != 1:
        return None
    text = texts[0]
    if "integer" in types:
        return int(text) if re.fullmatch(r"-?[0-9]+", text) else None
    return text if types & {"string", None} else None
