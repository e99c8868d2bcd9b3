#!/usr/bin/env bash
# The project's whole test run (unit + integration), usable as root on a fresh
# Debian 12: installs the apt packages, installs node deps, runs `npm run check`
# (typecheck + layer lint + format check; a failure stops the run), builds, starts
# the local test cluster, runs every vitest test, and ends with exactly one line
# "N passed, N failed". Exit status is non-zero when any test or step failed.
#
# Test files that take the SLURM controller down (they call stopController() from
# test/support/cluster.ts, or run `test-cluster.sh stop-ctld`) or drain the shared
# node (a comment `test.sh: serial`) would break the other integration files running in parallel, so they run in a second vitest
# pass, one file at a time, after everything else. Extra arguments (file filters,
# vitest flags) are passed to a single vitest run instead.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

step() { printf '\n== test.sh: %s\n' "$*" >&2; }

step "system packages"
bash scripts/test-cluster.sh install

if [[ ! -d node_modules || -n "${CI:-}" ]]; then
  step "npm ci"
  npm ci
fi

step "npm run check (typecheck, layer lint, format)"
npm run check

step "npm run build"
npm run build

step "test cluster up"
bash scripts/test-cluster.sh up

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
reports=()
vitest_failed=0

# run_vitest NAME ARGS...: one vitest run with the default reporter on the
# terminal and the JSON reporter into $tmp/NAME.json.
run_vitest() {
  local name="$1"
  shift
  reports+=("$tmp/$name.json")
  if ! npx vitest run --reporter=default --reporter=json --outputFile="$tmp/$name.json" "$@"; then
    vitest_failed=1
  fi
}

if (($# > 0)); then
  step "vitest run $*"
  run_vitest all "$@"
else
  serial=()
  while IFS= read -r f; do
    serial+=("$f")
  done < <(grep -rlE --include='*.test.ts' --include='*.test.tsx' 'stopController\(|stop-ctld|test\.sh: serial' test | sort)
  excludes=()
  for f in "${serial[@]}"; do excludes+=(--exclude "$f"); done
  step "vitest run: unit + integration${serial[*]:+ (controller-outage files later: ${serial[*]})}"
  run_vitest main "${excludes[@]}"
  if ((${#serial[@]} > 0)); then
    step "vitest run, one file at a time: ${serial[*]}"
    run_vitest serial --no-file-parallelism "${serial[@]}"
  fi
fi

# The last line: counts summed over the JSON reports. A test file that fails to
# load (syntax error, failing import, failing beforeAll) has failed but may report
# no failed test; it counts as one failed test so the line never says 0 failed.
counts_status=0
# The JavaScript is meant literally: no shell expansion inside it.
# shellcheck disable=SC2016
counts="$(node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0, missing = 0;
  for (const file of process.argv.slice(1)) {
    let r;
    try { r = JSON.parse(fs.readFileSync(file, "utf8")); } catch { missing++; continue; }
    passed += Number(r.numPassedTests ?? 0);
    failed += Number(r.numFailedTests ?? 0);
    for (const f of r.testResults ?? []) {
      const results = f.assertionResults ?? [];
      if (f.status === "failed" && !results.some((a) => a.status === "failed")) failed++;
    }
  }
  if (missing > 0) console.error(`test.sh: ${missing} vitest JSON report(s) missing or unreadable`);
  process.stdout.write(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || missing > 0 ? 1 : 0);
' "${reports[@]}")" || counts_status=$?
printf '%s\n' "${counts:-0 passed, 0 failed}"
if ((vitest_failed != 0 || counts_status != 0)); then
  exit 1
fi
