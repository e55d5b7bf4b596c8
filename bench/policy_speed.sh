#!/usr/bin/env bash
# Speed and memory of the scheduling policies (not a test): a 100,000-job Philly-like trace
# (`workload generate`: Philly's GPU-count and duration mix, Poisson arrivals) on the
# 4,096-GPU platform of scripts/bench.sh, under FIFO, EASY, Tiresias and Gavel (and any
# other policy named). Reports each run's wall time, peak RSS, time inside the policy,
# preemptions and mean JCT, with wall time and RSS as ratios to FIFO's measured in the same
# run (the machines are shared: read the ratios, not the seconds).
#   usage: bench/policy_speed.sh [JOBS] [LOAD] [POLICY...]
#   defaults: 100000 jobs, offered load 2.0 (at the generator's reference GPU: about 0.9 of
#   the H100s' time, so that jobs queue and the preemptive policies preempt), and
#   fifo easy tiresias gavel.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-100000}
load=${2:-2.0}
shift $(($# > 2 ? 2 : $#))
policies=("$@")
[ ${#policies[@]} -gt 0 ] || policies=(fifo easy tiresias gavel)
[ -x build/suanli ] || bash scripts/setup.sh
cmake --build build -j "$(nproc)" --target suanli >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./build/suanli -q workload generate --jobs "$jobs" --seed 1 --load "$load" --gpus 4096 \
  -o "$work/jobs.csv" >/dev/null
echo "# $jobs jobs, offered load $load, bench/platform_4096.yaml ($(date -u +%F), $(nproc) cores)"
printf '%-10s %9s %8s %10s %11s %10s %9s %9s %9s\n' policy wall_s rss_mib decide_s preemptions \
  mean_jct_s util x_wall x_rss
fifo_wall="" fifo_rss=""
for policy in fifo "${policies[@]}"; do
  [ "$policy" = fifo ] && [ -n "$fifo_wall" ] && continue
  out="$work/out-$policy"
  /usr/bin/time -f '%e %M' -o "$work/time" ./build/suanli -q run \
    --platform bench/platform_4096.yaml --workload "$work/jobs.csv" --policy "$policy" \
    --out "$out" >/dev/null
  read -r wall rss_kib <"$work/time"
  [ -n "$fifo_wall" ] || { fifo_wall=$wall; fifo_rss=$rss_kib; }
  python3 - "$out/summary.json" "$policy" "$wall" "$rss_kib" "$fifo_wall" "$fifo_rss" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
policy, wall, rss, fwall, frss = sys.argv[2], *map(float, sys.argv[3:])
print(f"{policy:<10} {wall:>9.2f} {rss / 1024:>8.0f} {s['decision_wall_s']:>10.2f} "
      f"{s['preemptions']:>11} {s['mean_jct_s']:>10.0f} {s['gpu_utilization']:>9.3f} "
      f"{wall / fwall:>9.2f} {rss / frss:>9.2f}")
PY
done
