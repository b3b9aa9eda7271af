#!/usr/bin/env bash
# Install the Sudachi synonym dictionary (npm package, Apache-2.0) and build the table that
# the query analyzer reads: var/synonyms/sudachi_synonyms.tsv. Skipped when already built.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=18.0.0
TARGET=var/synonyms/sudachi_synonyms.tsv
[ -s "$TARGET" ] && exit 0
npm install --silent --no-audit --no-fund --prefix var/npm "sudachi-synonyms-dictionary@$VERSION"
.venv/bin/python -m service.synonym_source \
    var/npm/node_modules/sudachi-synonyms-dictionary/sudachi-synonyms-dictionary.json "$TARGET"
