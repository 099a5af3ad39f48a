#!/usr/bin/env bash
# The main job: set up the host, run a quick campaign of every experiment (about half an hour on a
# 2-core host whose VMs run under TCG), execute the notebooks against them and render the offline
# HTML report (report/index.html).
#   GUESTBENCH_PROFILE=thesis       the thesis's parameters (hours)
#   GUESTBENCH_EXPERIMENTS="a b"    only these experiments (default: all)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
node bin/guestbench.js doctor --cached || true
profile="${GUESTBENCH_PROFILE:-quick}"
# each experiment runs on every backend that can run it (the backend table says which: the bare host
# does not boot, so latency skips it); `guestbench run --help` says how to choose
# the report shows exactly the campaigns run here (each run's summary line: `campaign ID STATE: ...`),
# not whichever campaign of each experiment the results directory holds
ids=()
for experiment in ${GUESTBENCH_EXPERIMENTS:-density-cpu density-fileio density-mysql latency latency-restore migration footprint}; do
  summary="$(mktemp)"
  node bin/guestbench.js run "$experiment" --profile "$profile" | tee "$summary"
  ids+=("$(awk '$1 == "campaign" { print $2; exit }' "$summary")")
  rm -f "$summary"
done
node bin/guestbench.js report --campaign "$(IFS=,; echo "${ids[*]}")"
