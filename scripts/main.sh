#!/usr/bin/env bash
# The main job: set up the host, run the quick density-cpu campaign on all three backends,
# execute the notebooks against it and render the offline HTML report.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
node bin/guestbench.js doctor --cached || true
node bin/guestbench.js run density-cpu --backends native,docker,kvm --profile "${GUESTBENCH_PROFILE:-quick}"
node bin/guestbench.js report
