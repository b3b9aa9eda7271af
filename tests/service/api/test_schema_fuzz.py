"""The service conforms to the OpenAPI schema it publishes: schemathesis with every check.

schemathesis runs as its own command, with ``--checks all`` and at least MAX_EXAMPLES cases per
operation in each of its phases (examples, coverage, fuzzing, stateful), against the app served
by uvicorn on 127.0.0.1 with the hashing index. Its configuration and hooks are beside this file
(schemathesis.toml, schemathesis_hooks.py): 422 for schema-valid input is accepted only as one
of the service's refusals on meaning, and one false alarm of schemathesis itself is dropped.
Bounded: the whole run has RUN_MAX_S (about 90 s on 2 cores); the seed is fixed so that CI is
repeatable (PLANSEARCH_FUZZ_SEED picks another).

The other tests pin what the conformance rests on: the status codes every operation documents
and the ``Allow`` header of a 405.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from fastapi.testclient import TestClient
from live_server import loopback_env, serve_app

from service.api import create_app

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "schemathesis.toml"
MAX_EXAMPLES = 100
RUN_MAX_S = 280
SEED = os.environ.get("PLANSEARCH_FUZZ_SEED", "20261201")

OPERATIONS = [
    ("GET", "/search"),
    ("POST", "/search"),
    ("GET", "/projects/search"),
    ("GET", "/projects/search.csv"),
    ("GET", "/answer"),
    ("GET", "/projects"),
    ("GET", "/projects/{doc_id}/{project_key}"),
    ("GET", "/health"),
]


def _schemathesis() -> str:
    beside = Path(sys.executable).with_name("schemathesis")
    found = str(beside) if beside.exists() else shutil.which("schemathesis")
    assert found, "the schemathesis command is missing (pip install -e '.[test]')"
    return found


@pytest.fixture(scope="module")
def base_url(hashing_settings, hashing_engine) -> Iterator[str]:
    with serve_app(hashing_settings, hashing_engine) as url:
        yield url


@pytest.fixture(scope="module")
def client(hashing_settings, hashing_engine) -> Iterator[TestClient]:
    app = create_app(hashing_settings.model_copy(update={"reload_interval": 0}), hashing_engine)
    with TestClient(app) as client:
        yield client


def test_schemathesis_finds_no_failure_with_every_check(base_url: str):
    command = [_schemathesis(), "--no-color", "--config-file", str(CONFIG), "run"]
    command += [f"{base_url}/openapi.json", "--checks", "all"]
    command += ["--max-examples", str(MAX_EXAMPLES), "--seed", SEED]
    command += ["--generation-database", "none", "--continue-on-failure"]
    done = subprocess.run(
        command,
        cwd=ROOT,  # schemathesis.toml names its hooks from the repository root
        env=loopback_env(dict(os.environ)),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=RUN_MAX_S,
    )
    out = done.stdout + done.stderr
    report = f"\n{' '.join(command)}\n{out[-12000:]}"
    assert done.returncode == 0, f"schemathesis failed (exit {done.returncode}):{report}"
    tested = re.search(r"Tested: (\d+)", out)
    assert tested and int(tested.group(1)) == len(OPERATIONS), report
    cases = re.search(r"(\d+) generated", out)
    assert cases and int(cases.group(1)) >= MAX_EXAMPLES * 4, report  # sanity: it did fuzz
    assert "No issues found" in out, report


def test_the_fuzzed_schema_covers_every_public_route(client: TestClient):
    paths = client.get("/openapi.json").json()["paths"]
    published = {(m.upper(), p) for p, ops in paths.items() for m in ops}
    assert published == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_documents_the_errors_it_can_answer(client: TestClient, method, path):
    operation = client.get("/openapi.json").json()["paths"][path][method.lower()]
    documented = set(operation["responses"])
    assert {"200", "404", "413", "422", "503"} <= documented
    # 400 (a body that cannot be parsed) only where a body is read.
    assert ("400" in documented) == ("requestBody" in operation)
    for status in documented - {"200"}:
        schema = operation["responses"][status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorOut"}, status


def test_an_unparseable_body_gets_the_documented_400(client: TestClient):
    json_type = {"content-type": "application/json"}
    r = client.post("/search", content=b'{"q": "\xff"}', headers=json_type)  # not UTF-8
    assert r.status_code == 400
    assert r.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/search", "GET, POST"),
        ("DELETE", "/search", "GET, POST"),
        ("PUT", "/projects/search", "GET"),
        ("OPTIONS", "/projects/isesaki-jisshi-r3/39", "GET"),
        ("POST", "/health", "GET"),
    ],
)
def test_405_lists_every_method_the_schema_documents(client: TestClient, method, path, allow):
    r = client.request(method, path)
    assert r.status_code == 405
    assert r.headers["allow"] == allow
