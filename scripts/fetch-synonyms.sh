#!/usr/bin/env bash
# Install the Sudachi synonym dictionary (npm package, Apache-2.0) and build the table that
# the query analyzer reads: var/synonyms/sudachi_synonyms.tsv. Skipped when already built.
# Without npm (or the registry) the service still runs, on the curated synonym list only.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=18.0.0
TARGET=var/synonyms/sudachi_synonyms.tsv
[ -s "$TARGET" ] && exit 0
if ! command -v npm >/dev/null \
    || ! npm install --silent --no-audit --no-fund --prefix var/npm \
        "sudachi-synonyms-dictionary@$VERSION"; then
    echo "warning: could not install the Sudachi synonym dictionary; curated synonyms only" >&2
    exit 0
fi
.venv/bin/python -m service.synonym_source \
    var/npm/node_modules/sudachi-synonyms-dictionary/sudachi-synonyms-dictionary.json "$TARGET"
