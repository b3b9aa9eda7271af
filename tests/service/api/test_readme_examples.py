"""README.md's curl examples run as written, against a real server.

Every ``curl`` command of README.md's fenced bash blocks (backslash-continued lines joined) is
run by bash, unchanged but for the port, against the app served by uvicorn on 127.0.0.1 with
the hashing index. Each must exit 0, answer HTTP 200 and print JSON; an answer that counts
results counts at least one, so no example shows an empty list.

``curl`` is a shim first on PATH that runs the real curl with ``--noproxy '*'``, a time limit
and ``-w`` writing the status code to stderr, so a piped example (``| python3 -m json.tool``)
still prints only JSON on stdout. Only http://127.0.0.1:<port> is ever asked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from live_server import loopback_env, serve_app

README = ROOT / "README.md"
README_BASE = "http://127.0.0.1:8000"
CURL_MAX_S = 20  # per request, inside curl
COMMAND_MAX_S = 40  # per README command, the whole pipeline
STATUS = "readme-example-status"
FENCE = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)
URL = re.compile(r"https?://[^\s'\"/]+")


def bash_commands(markdown: str) -> list[str]:
    """The logical lines of the fenced bash blocks, continuations joined, comments dropped."""
    commands = []
    for block in FENCE.findall(markdown):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def curl_commands(markdown: str) -> list[str]:
    return [c for c in bash_commands(markdown) if c.split()[0] == "curl"]


COMMANDS = curl_commands(README.read_text(encoding="utf-8"))


def test_every_curl_of_the_readme_is_collected():
    # 11 examples when this test was written; a mention of curl elsewhere in a command (after
    # a pipe, inside $(...)) would be one this test does not run as an example.
    assert len(COMMANDS) >= 11, COMMANDS
    others = [c for c in bash_commands(README.read_text(encoding="utf-8")) if c not in COMMANDS]
    assert not [c for c in others if re.search(r"\bcurl\b", c)]
    for command in COMMANDS:  # each asks the local service, and nothing else
        assert set(URL.findall(command)) == {README_BASE}, command


@pytest.fixture(scope="module")
def base_url(hashing_settings, hashing_engine) -> Iterator[str]:
    with serve_app(hashing_settings, hashing_engine) as url:
        yield url


@pytest.fixture(scope="module")
def shim_env(tmp_path_factory) -> dict[str, str]:
    """PATH with the ``curl`` shim first; no proxy variables."""
    real = shutil.which("curl")
    assert real, "curl is not installed (the README examples need it)"
    shims = tmp_path_factory.mktemp("shims")
    shim = shims / "curl"
    shim.write_text(
        "#!/bin/sh\n"
        f"exec {real} --noproxy '*' --max-time {CURL_MAX_S} "
        f"-w '%{{stderr}}{STATUS} %{{http_code}}\\n' \"$@\"\n",
        encoding="utf-8",
    )
    shim.chmod(0o755)
    env = loopback_env(dict(os.environ))
    env["PATH"] = f"{shims}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.mark.parametrize("command", COMMANDS, ids=[f"curl{n + 1}" for n in range(len(COMMANDS))])
def test_readme_curl_example_runs_as_written(command, base_url, shim_env, tmp_path: Path):
    run = command.replace(README_BASE, base_url)
    assert set(URL.findall(run)) == {base_url}, f"an example asks another host: {command}"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", run],
        cwd=tmp_path,
        env=shim_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMMAND_MAX_S,
    )
    where = f"\n{command}\nstderr: {done.stderr[-1500:]}\nstdout: {done.stdout[:500]}"
    assert done.returncode == 0, f"exit {done.returncode}:{where}"
    statuses = re.findall(rf"^{STATUS} (\d+)$", done.stderr, re.MULTILINE)
    assert statuses == ["200"], f"HTTP {statuses}:{where}"
    try:
        body = json.loads(done.stdout)
    except ValueError:
        pytest.fail(f"not JSON:{where}")
    if isinstance(body, dict) and "total" in body:
        assert body["total"] > 0, f"the example finds nothing:{where}"
