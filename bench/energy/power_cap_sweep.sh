#!/usr/bin/env bash
# Cross-check of power limits against a measured sweep (docs/results.md, "Power limits"):
# one 4-GPU training job on an A100 PCIe (the catalog's A100 with its 300 W TDP; idle and the
# power curve rescale with it) under the power limits of the Perseus artifact's A100 sweep
# (ml-energy/zeus branch kronos 38cb3f90, sosp24_data/zeus/csv/A100/zeus_global.csv: 4 x
# A100-80G PCIe, one limit on all GPUs, 175 to 300 W; mean over its 5 models), for MFU 0.4 and
# 0.6. Prints a markdown table: throughput and power relative to the uncapped run, suanli's
# against the measured. Not a test: a figure for the doc.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${SUANLI:-build/suanli}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat > "$T/platform.yaml" <<'YAML'
name: a100-pcie
devices:
  - {name: A100, tdp_w: 300}
sites:
  - name: lab
    clusters:
      - name: box
        nodes: 1
        node: {gpu: {model: A100, count: 4}, static_w: 0}
        fabric: {type: star, switch_w: 0}
YAML
# measured (limit W: throughput, power relative to the 300 W run)
declare -A thr=([175]=0.577 [200]=0.709 [225]=0.832 [250]=0.923 [275]=0.970 [300]=1)
declare -A pow=([175]=0.602 [200]=0.683 [225]=0.766 [250]=0.847 [275]=0.924 [300]=1)
run() {  # mfu cap -> "duration energy"
  printf 'job_id,submit_time,num_gpus,params,tokens,mfu\nj,0,4,1e9,%s,%s\n' 1e10 "$1" > "$T/w.csv"
  "$B" run -q --platform "$T/platform.yaml" --workload "$T/w.csv" --gpu-power-cap-w "$2" \
    --out "$T/o" >/dev/null
  python3 -c 'import csv,sys; r=next(csv.DictReader(open(sys.argv[1]))); print(float(r["end_time"])-float(r["start_time"]), r["energy_j"])' "$T/o/jobs.csv"
  rm -rf "$T/o"
}
echo "| limit W | measured throughput | suanli, MFU 0.4 | suanli, MFU 0.6 | measured power | suanli, MFU 0.4 | suanli, MFU 0.6 |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
declare -A base_t base_p
for mfu in 0.4 0.6; do
  read -r t e < <(run $mfu 300)
  base_t[$mfu]=$t; base_p[$mfu]=$(python3 -c "print($e/$t)")
done
for cap in 175 200 225 250 275 300; do
  row="| $cap | ${thr[$cap]}"
  prow=""
  for mfu in 0.4 0.6; do
    read -r t e < <(run $mfu $cap)
    row+=" | $(python3 -c "print(f'{${base_t[$mfu]}/$t:.3f}')")"
    prow+=" | $(python3 -c "print(f'{($e/$t)/${base_p[$mfu]}:.3f}')")"
  done
  echo "$row | ${pow[$cap]}$prow |"
done
