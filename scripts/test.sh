#!/usr/bin/env bash
# The test command: sets up what the tests need (packages, Docker engine, images), then runs
# every check: type check, lint, format, layering, and the vitest suites (which use real Docker and real QEMU).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
echo "[test] type check" >&2
npm run --silent typecheck
echo "[test] lint (ESLint) and format (Prettier)" >&2
npm run --silent lint
npm run --silent format:check >/dev/null || { npm run --silent format:check; exit 1; }
echo "[test] layering (dependency-cruiser: docs/architecture.md)" >&2
npm run --silent layers
echo "[test] vitest" >&2
npx vitest run
