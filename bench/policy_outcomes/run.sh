#!/usr/bin/env bash
# The policy suite on real traces, for the paper-outcome tables of docs/results.md (not a
# test: it needs ../shared and takes minutes). Prints one table per experiment.
#   usage: bench/policy_outcomes/run.sh [SUANLI] [SHARED]
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build/suanli}
S=${2:-../shared/traces}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
T="$S/gavel/simulation_throughputs.json"
row() {  # experiment label, then suanli run arguments; prints the summary's figures
  local label=$1
  shift
  "$B" -q run "$@" --out "$work/o" >/dev/null
  python3 - "$label" "$work/o/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[2]))
print(f"{sys.argv[1]:<44} {s['mean_jct_s']/3600:9.2f} {s['p99_jct_s']/3600:9.2f} "
      f"{s['makespan_s']/3600:9.1f} {s['max_ftf_rho']:9.2f} {s['jain_fairness']:6.3f} "
      f"{s['preemptions']:8d} {s['decision_wall_s']:8.2f}")
PY
  rm -rf "$work/o"
}
header() {
  echo
  echo "$1"
  printf '%-44s %9s %9s %9s %9s %6s %8s %8s\n' policy mean_jct_h p99_jct_h makespan_h max_rho jain preempt decide_s
}
# Gavel's Philly-derived msr traces (seed=0), all 15 virtual clusters' jobs together.
python3 - "$S/gavel/traces/msr/seed=0" "$work/msr.trace" <<'PY'
import glob, sys
rows = []
for f in sorted(glob.glob(sys.argv[1] + "/*.trace")):
    rows += [l for l in open(f) if l.strip()]
rows.sort(key=lambda l: float(l.rstrip("\n").split("\t")[5]))  # arrival_time (7-field layout)
open(sys.argv[2], "w").writelines(rows)
PY
GAVEL=(--workload "$work/msr.trace" --format gavel --throughputs "$T" --throughput-fallback linear)
header "msr seed=0 (15,264 jobs) on 500 V100 (bench/policy_outcomes/gavel_homogeneous.yaml)"
for p in fifo las tiresias srtf themis; do
  row "$p" --platform bench/policy_outcomes/gavel_homogeneous.yaml "${GAVEL[@]}" --policy "$p"
done
header "msr seed=0 on 300 V100 + 300 P100 + 300 K80 (gavel_heterogeneous.yaml), Gavel's throughputs"
for p in fifo las tiresias gavel gavel-max-throughput; do
  row "$p" --platform bench/policy_outcomes/gavel_heterogeneous.yaml "${GAVEL[@]}" --policy "$p"
done
