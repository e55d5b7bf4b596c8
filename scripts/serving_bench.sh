#!/usr/bin/env bash
# Inference-serving speed and memory benchmark (not a test). Replays
#   azure-conv: the Azure LLM inference trace 2023 (conversation, ~19k requests, one hour;
#               from ../shared/traces, skipped when absent) on 16 Llama-2-70B tp-4 replicas;
#   gen-1m:     a generated trace of N requests (default 1,000,000; Poisson, 100/s, Azure
#               conversation lengths) on 16 Llama-3-8B replicas;
# both on the default platform. Reports suanli's wall time, requests/s, peak RSS, and the
# ratio of the wall time to reading the same trace (`suanli requests stats`), same run.
#   usage: scripts/serving_bench.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
[ -x build/suanli ] || bash scripts/setup.sh
cmake --build build -j "$(nproc)" --target suanli >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
azure=../shared/traces/azure_llm_2023/AzureLLMInferenceTrace_conv.csv
./build/suanli requests generate --count "$count" --seed 1 --rate 100 -o "$work/gen.csv" >/dev/null
seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N);
            python3 -c "print($end - $start)"; }
printf '%-11s %9s %9s %12s %8s %11s %8s\n' trace requests wall_s requests_per_s rss_mb read_s ratio
run_case() {
  local name=$1 trace=$2 deployment=$3
  local read_s
  read_s=$(seconds ./build/suanli requests stats "$trace")
  ./build/suanli -q run --deployment "$deployment" --requests "$trace" --out "$work/$name" >/dev/null
  python3 - "$work/$name/summary.json" "$name" "$read_s" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
name, read = sys.argv[2], float(sys.argv[3])
wall = s["sim_wall_s"]
n = s["requests_total"]
print(f"{name:<11} {n:>9} {wall:>9.2f} {n / wall:>14.0f} {s['peak_rss_mb']:>8.0f} "
      f"{read:>11.3f} {wall / read:>8.1f}")
PY
}
if [ -f "$azure" ]; then
  run_case azure-conv "$azure" bench/serving_70b_x16.yaml
else
  echo "azure-conv: $azure not found, skipped"
fi
run_case gen-$((count / 1000))k "$work/gen.csv" bench/serving_8b_x16.yaml
