#!/usr/bin/env bash
# Speed and memory benchmark (not a test): 100k-job workloads on a 4,096-GPU platform.
# Reports suanli's simulation wall time, jobs/s and peak RSS, and the ratio of its wall time
# to a bare C++ FIFO event loop (bench/bare_fifo.cpp) on the same workload, same run.
#   usage: scripts/bench.sh [JOBS]   (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-100000}
[ -x build/suanli ] || bash scripts/setup.sh
cmake --build build -j "$(nproc)" --target suanli suanli_bare_fifo >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-8s %-6s %8s %10s %10s %9s %12s %10s\n' workload policy jobs wall_s jobs_per_s rss_mb bare_loop_s ratio
for kind in single multi; do
  python3 bench/gen_bench_workload.py "$kind" --jobs "$jobs" --out "$work/$kind.csv"
  bare=$(./build/suanli_bare_fifo bench/platform_4096.yaml "$work/$kind.csv")
  bare_wall=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["sim_wall_s"])' "$bare")
  for policy in fifo easy; do
    ./build/suanli -q run --platform bench/platform_4096.yaml --workload "$work/$kind.csv" \
      --policy "$policy" --out "$work/out-$kind-$policy" >/dev/null
    python3 - "$work/out-$kind-$policy/summary.json" "$kind" "$policy" "$bare_wall" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
kind, policy, bare = sys.argv[2], sys.argv[3], float(sys.argv[4])
wall = s["sim_wall_s"]
print(f"{kind:<8} {policy:<6} {s['jobs_completed']:>8} {wall:>10.2f} "
      f"{s['jobs_completed'] / wall:>10.0f} {s['peak_rss_mb']:>9.0f} {bare:>12.4f} "
      f"{wall / bare:>10.1f}")
PY
  done
done
