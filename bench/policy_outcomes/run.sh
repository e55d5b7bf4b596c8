#!/usr/bin/env bash
# The policy suite on real traces, for the paper-outcome tables of docs/results.md (not a
# test: it needs ../shared and takes minutes). Prints one markdown table per experiment
# (times in hours).
#   usage: bench/policy_outcomes/run.sh [SUANLI] [SHARED]
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build/suanli}
S=${2:-../shared/traces}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
T="$S/gavel/simulation_throughputs.json"
row() {  # policy, then suanli run arguments; prints one markdown row of the summary's figures
  local label=$1
  shift
  "$B" -q run "$@" --out "$work/o" >/dev/null
  python3 - "$label" "$work/o/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[2]))
h = 3600
print(f"| `{sys.argv[1]}` | {s['mean_jct_s']/h:.1f} | {s['p99_jct_s']/h:.0f} | "
      f"{s['makespan_s']/h:.0f} | {s['mean_ftf_rho']:.2f} | {s['max_ftf_rho']:.1f} | "
      f"{s['jain_fairness']:.3f} | {s['preemptions']:,} | {s['decision_wall_s']:.1f} | "
      f"{s['sim_wall_s']:.1f} |")
PY
  rm -rf "$work/o"
}
header() {
  echo
  echo "$1"
  echo
  echo "| policy | mean JCT | p99 JCT | makespan | mean ρ | max ρ | Jain | preemptions | decide_s | wall_s |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
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
for p in fifo easy greedy conservative qssf las tiresias srtf themis; do
  row "$p" --platform bench/policy_outcomes/gavel_homogeneous.yaml "${GAVEL[@]}" --policy "$p"
done
header "msr seed=0 on 300 V100 + 300 P100 + 300 K80 (gavel_heterogeneous.yaml), Gavel's throughputs"
for p in fifo las tiresias gavel gavel-max-throughput; do
  row "$p" --platform bench/policy_outcomes/gavel_heterogeneous.yaml "${GAVEL[@]}" --policy "$p"
done
