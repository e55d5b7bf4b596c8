#!/usr/bin/env bash
# Trace reader benchmark (not a test): rows per second and peak memory of the streaming
# readers on a large trace. Generates, in a temporary directory, a native CSV of ROWS rows
# (job_id,submit_time,num_gpus,duration,gpu_type,user) and an Alibaba GPU 2023 pod list of
# ROWS rows (the bundled or shared openb pod list repeated under new names), then for each:
#   read      the read alone (bench/trace_read.cpp: read_workload, nothing else), in-process
#             wall time, rows/s, peak RSS, sizeof(Job)
#   stats     `suanli workload stats FILE` as a user runs it: wall time and peak RSS
#   baseline  in the same run, on the same file: `wc -l FILE` (one pass finding the line
#             breaks, the least any line reader does) and `awk -F, '{n += $3}'` (mawk on
#             Debian: splits every line into fields and sums one); the read's wall time as a
#             ratio to each (x_wc, x_awk), which says more than seconds on a busy machine
# The requirement ("Real traces in"): > 1 million rows/s for the read, and peak RSS about
# sizeof(Job) x rows plus a little (the records are fixed-size, the file is read in 1 MiB
# chunks, the duplicate-id index keeps only the id bytes and a few bytes per id).
#   usage: bench/trace_read_bench.sh [ROWS] [BUILD_DIR]   (default 5000000, build)
#   POD_LIST=path/openb_pod_list_default.csv picks the Alibaba rows to repeat.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-5000000}
build=${2:-build}
pods=${POD_LIST:-/work/shared/traces/alibaba_gpu_v2023/openb_pod_list_default.csv}
[ -x "$build/suanli" ] || bash scripts/setup.sh
cmake --build "$build" -j "$(nproc)" --target suanli suanli_trace_read >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 bench/gen_trace_rows.py native "$rows" "$work/native.csv"
files=(native)
if [ -r "$pods" ]; then
  python3 bench/gen_trace_rows.py alibaba "$rows" "$work/alibaba.csv" "$pods"
  files+=(alibaba)
else
  echo "no Alibaba pod list at $pods (set POD_LIST): native only" >&2
fi

# wall seconds of a command, its output discarded
wall() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null
  end=$(date +%s%N)
  python3 -c "print(($end - $start) / 1e9)"
}

printf '%-8s %9s %6s %7s %10s %11s %8s %8s %6s %6s %6s %6s\n' trace rows mib read_s rows_per_s \
  read_rss_mib stats_s stats_mib wc_s awk_s x_wc x_awk
for kind in "${files[@]}"; do
  file="$work/$kind.csv"
  cat "$file" >/dev/null  # into the page cache, as for every later read
  lines=$(($(wc -l <"$file") - 1))  # data rows: every line but the header
  wc_s=$(wall wc -l "$file")
  awk_s=$(wall awk -F, '{n += $3} END {print n}' "$file")
  read_json=$("$build/suanli_trace_read" "$file")
  stats=$( { /usr/bin/time -f '%e %M' "$build/suanli" -q workload stats "$file" >/dev/null; } 2>&1 | tail -1)
  python3 - "$kind" "$lines" "$(stat -c %s "$file")" "$read_json" "$stats" "$wc_s" "$awk_s" <<'PY'
import json, sys
kind, rows, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = json.loads(sys.argv[4])
stats_s, stats_kb = sys.argv[5].split()
wc_s, awk_s = float(sys.argv[6]), float(sys.argv[7])
read_s = r["read_s"]
print(f"{kind:<8} {rows:>9} {size / 2**20:>6.0f} {read_s:>7.2f} {rows / read_s:>10.0f} "
      f"{r['peak_rss_mb']:>12.0f} {float(stats_s):>8.2f} {int(stats_kb) / 1024:>9.0f} "
      f"{wc_s:>6.2f} {awk_s:>6.2f} {read_s / wc_s:>6.1f} {read_s / awk_s:>6.2f}")
print(f"         jobs kept {r['jobs']}, sizeof(Job) {r['sizeof_job']} B, "
      f"jobs x sizeof(Job) {r['jobs'] * r['sizeof_job'] / 2**20:.0f} MiB")
PY
done
