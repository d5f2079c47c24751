#!/usr/bin/env bash
# Installs the Node dependencies with `npm ci` when node_modules is missing or older than
# package-lock.json (the demo and the tests both start here).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund >/dev/null
fi
