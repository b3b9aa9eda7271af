#!/usr/bin/env bash
# Install plansearch with its test, evaluation and sentence-transformers extras into
# .venv/ and run the whole test suite. torch is pinned (CPU build) in pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[st,eval,test]'
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
