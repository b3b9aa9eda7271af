#!/usr/bin/env bash
# Install plansearch with its test, evaluation and sentence-transformers extras into
# .venv/ and run the whole test suite. torch is pinned (CPU build) in pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[st,eval,test,scale]'
bash scripts/fetch-synonyms.sh   # Sudachi synonyms for query expansion (npm registry)
.venv/bin/ruff check .
.venv/bin/lint-imports   # indexer/service never import eval; indexer never imports service
.venv/bin/mypy           # type hints of indexer/ and service/ ([tool.mypy] in pyproject.toml)
# tests/service/test_page.py drives Debian's chromium; Playwright never downloads a browser here.
# fonts-noto-cjk: Japanese text in the page (and in scripts/screenshot.py's PNGs), not boxes.
if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=ja 2>/dev/null | grep -q .; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk
fi
exec .venv/bin/python -m pytest "$@"
