#!/usr/bin/env bash
# `npm test`: everything the tests need, then the type check, format and lint check, and every test. Nothing has to
# run before it: as root the missing Debian packages are installed (otherwise it says what
# to install and stops), `npm ci` runs when node_modules is missing or stale.
# Every skipped test is listed with its reason at the end; with CI set, a skip fails the
# run (test/support/skips.ts). Arguments go to vitest (e.g. a test file).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-host.sh --for-tests
bash scripts/node-deps.sh
node_modules/.bin/tsc --noEmit
# Formatting and lint (biome.json): `npm run format` fixes what it reports about formatting.
node_modules/.bin/biome check --assist-enabled=false .
exec node_modules/.bin/vitest run --reporter=default --reporter=./test/support/skip-reporter.ts "$@"
