#!/usr/bin/env bash
# The quick start: set up what is missing, build the guest image, run the quick suite on
# every backend this host can run (native and QEMU TCG everywhere; KVM and Xen where
# `hvbench doctor` finds them usable — the others are skipped with its reason), then write
# the report and print its overview: backends side by side, ratios to native with
# intervals, and the path of the HTML page.
# Exits 0 only when every case that could run here completed.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-host.sh
bash scripts/node-deps.sh

node bin/hvbench.js image build
# Which backends can run here, and why not: part of the set-up, since the first probe of a
# host boots a KVM canary guest (up to a minute); its verdict is cached for the run below.
echo "setup: hvbench doctor" >&2
node bin/hvbench.js doctor || true

# The run's own table of absolute figures is left out: the report's overview replaces it.
set +e
run_out=$(node bin/hvbench.js run suites/quick.ts --out results)
run_rc=$?
set -e
run_dir=$(printf '%s\n' "$run_out" | sed -n 's/^results: //p' | tail -n 1)
if [ -z "$run_dir" ]; then
  printf '%s\n' "$run_out"
  echo "demo: the run did not finish (exit $run_rc)" >&2
  exit "$((run_rc == 0 ? 1 : run_rc))"
fi
# Cases that could run here and did not complete (skipped backends were named above).
printf '%s\n' "$run_out" | grep -E ': (failed|timed-out)( —|$)' || true

echo
node bin/hvbench.js report "$run_dir" --out "reports/$(basename "$run_dir")"
exit "$run_rc"
