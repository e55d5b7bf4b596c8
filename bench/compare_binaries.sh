#!/usr/bin/env bash
# Speed of one suanli binary against another on the same inputs, same run (not a test): the
# training cases of scripts/bench.sh (100k single- and multi-GPU jobs on 4,096 GPUs, FIFO and
# EASY) and the serving case of scripts/serving_bench.sh (Azure LLM 2023 conversation trace on
# 16 Llama-2-70B replicas, skipped without ../shared). Each case runs old, new, old, new, ...
# (ROUNDS=3 pairs) and reports the best wall time (summary.json's sim_wall_s) of each and
# new / old.
#   usage: bench/compare_binaries.sh OLD_BINARY NEW_BINARY [JOBS]
# e.g. the engine before the one core: git worktree add --detach /tmp/old ec851a6 && build it.
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 jobs=${3:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
wall() {  # sim_wall_s of one run of binary $1 with the rest as arguments
  local bin=$1
  shift
  "$bin" -q run "$@" --out "$work/o" >/dev/null
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sim_wall_s"])' \
    "$work/o/summary.json"
  rm -rf "$work/o"
}
# Old and new alternate (old, new, old, new, ...) so that the machine's load hits both alike;
# each keeps its best of $rounds.
rounds=${ROUNDS:-3}
pair() {
  local o="float('inf')" n="float('inf')"
  for ((k = 0; k < rounds; k++)); do
    o=$(python3 -c "print(min($o, $(wall "$old" "$@")))")
    n=$(python3 -c "print(min($n, $(wall "$new" "$@")))")
  done
  echo "$o $n"
}
printf '%-22s %10s %10s %10s\n' case old_s new_s new/old
report() { python3 -c "print(f'{\"$1\":<22} {$2:>10.2f} {$3:>10.2f} {$3/$2:>10.3f}')"; }
for kind in single multi; do
  python3 bench/gen_bench_workload.py "$kind" --jobs "$jobs" --out "$work/$kind.csv"
  for policy in fifo easy; do
    args=(--platform bench/platform_4096.yaml --workload "$work/$kind.csv" --policy "$policy")
    read -r o n < <(pair "${args[@]}")
    report "$kind-$policy" "$o" "$n"
  done
done
azure=../shared/traces/azure_llm_2023/AzureLLMInferenceTrace_conv.csv
if [ -f "$azure" ]; then
  args=(--deployment bench/serving_70b_x16.yaml --requests "$azure")
  read -r o n < <(pair "${args[@]}")
  report "serving-azure-conv" "$o" "$n"
fi
