#!/usr/bin/env bash
# The quick start: set up what is missing, build the guest image, run the quick suite on
# the local TCG backend, and print the result table.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-host.sh
bash scripts/node-deps.sh

node bin/hvbench.js image build
node bin/hvbench.js run suites/quick.ts --backend tcg
