#!/usr/bin/env bash
# Install plansearch into .venv/ and serve the API and search page on localhost.
# Builds the index first when it is missing (about 7 minutes on 2 cores, once).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
bash scripts/fetch-synonyms.sh   # Sudachi synonyms for query expansion (npm registry)
exec .venv/bin/plansearch serve "$@"
