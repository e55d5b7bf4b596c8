#!/usr/bin/env bash
# FGD's experiment (Weng et al., "Beware of Fragmentation: Scheduling GPU-Sharing Workloads
# with Fragmentation Gradient Descent", ATC'23; artifact hkust-adsl/kubernetes-scheduler-
# simulator) in suanli: an Alibaba openb pod list tuned with clones until its GPU requests
# are 1.3 times the cluster's GPUs and shuffled (`workload scale --tune-gpus --shuffle`), as
# the artifact's experiments do, all arrivals within a few ms (`--time-factor 1e-9`) so
# that every pod arrives before the first one ends, each placed once in arrival order
# (`--policy greedy`) on the openb GPU nodes (1,213 nodes, 6,212 GPUs). For each placement:
# the GPUs allocated when the last pod has arrived (a share counting its fraction), as a
# share of all GPUs, and the pods left waiting. Not a test: it needs ../shared. Prints
# markdown tables (docs/results.md).
#   usage: bench/policy_outcomes/fgd_inflation.sh [SUANLI] [SHARED]
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build/suanli}
S=${2:-../shared/traces}/alibaba_gpu_v2023
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
placements=(fgd best-fit dot-product packing clustering first-fit random)
allocated() {  # jobs.csv -> "allocated_gpus waiting_pods"
  python3 - "$1" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
last = max(float(r["submit_time"]) for r in rows)
first_end = min(float(r["end_time"]) for r in rows)
assert first_end > last, "a pod ended before the last arrived"
started = [r for r in rows if r["start_time"] and float(r["start_time"]) <= last]
gpus = sum(float(r["num_gpus"]) * float(r["gpu_fraction"] or 1) for r in started)
print(f"{gpus:.1f} {len(rows) - len(started)}")
PY
}
table() {  # title, workload
  local total
  total=$(awk -F, 'NR > 1 { n += $4 } END { print n }' "$S/openb_node_list_gpu_node.csv")
  echo
  echo "$1 ($total GPUs)"
  echo
  echo "| placement | allocated GPUs | allocated % | pods waiting |"
  echo "|---|---|---|---|"
  for p in "${placements[@]}"; do
    "$B" -q run --platform "$S/openb_node_list_gpu_node.csv" --workload "$2" --policy greedy \
      --placement "$p" --out "$work/o" >/dev/null
    read -r gpus waiting < <(allocated "$work/o/jobs.csv")
    python3 -c "import sys; g, t = float(sys.argv[2]), float(sys.argv[3]); print(f'| \`{sys.argv[1]}\` | {g:,.1f} | {100 * g / t:.2f} | {sys.argv[4]} |')" \
      "$p" "$gpus" "$total" "$waiting"
    rm -rf "$work/o"
  done
}
# The FGD experiments' setup (experiments/run_scripts/generate_run_scripts.py): the pod list
# tuned to 1.3 x the cluster's GPUs ("-tune 1.3"), pods shuffled ("--shuffle-pod"), seed 42.
total=$(awk -F, 'NR > 1 { n += $4 } END { print n }' "$S/openb_node_list_gpu_node.csv")
target=$(python3 -c "print(1.3 * $total)")
for trace in default gpushare20; do
  "$B" -q workload scale "$S/openb_pod_list_$trace.csv" --tune-gpus "$target" --shuffle \
    --time-factor 1e-9 --seed 42 -o "$work/$trace.csv" >/dev/null
  table "openb_pod_list_$trace, tuned to 1.3 x the GPUs, shuffled (seed 42)" "$work/$trace.csv"
done
"$B" -q workload scale "$S/openb_pod_list_default.csv" --tune-gpus "$target" --time-factor 1e-9 \
  --seed 42 -o "$work/ordered.csv" >/dev/null
table "openb_pod_list_default, tuned to 1.3 x the GPUs, trace order" "$work/ordered.csv"
