#!/usr/bin/env bash
# The test command: sets up what the tests need (packages, Docker engine, images), then runs
# every check: type check, lint, format, layering, and the vitest suites (which use real Docker and real QEMU).
# The four static checks only read the sources, so they run at once (each prints its own output
# when it fails); then vitest: the unit project in parallel, then the real-engine project one file
# at a time (vitest.config.ts).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
echo "[test] type check, lint (ESLint), format (Prettier) and layering (dependency-cruiser: docs/architecture.md), at once" >&2
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
declare -A checks=(
  [typecheck]="npm run --silent typecheck"
  [lint]="npm run --silent lint"
  [format]="npm run --silent format:check"
  [layers]="npm run --silent layers"
)
declare -A pids=()
for name in "${!checks[@]}"; do
  bash -c "${checks[$name]}" >"$logs/$name" 2>&1 &
  pids[$name]=$!
done
failed=()
for name in typecheck lint format layers; do
  if ! wait "${pids[$name]}"; then
    failed+=("$name")
    echo "[test] $name FAILED:" >&2
    cat "$logs/$name" >&2
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "[test] failed: ${failed[*]}" >&2
  exit 1
fi
grep -v "^\s*$" "$logs/layers" | tail -n 1 >&2
echo "[test] vitest" >&2
npx vitest run
