#!/usr/bin/env bash
# Runs every validation case (docs/validation.md) and prints suanli's figure beside the
# published one as a markdown table. validation/published.csv: one row per figure, with the
# case (a folder of validation/), the `suanli run` arguments of its files, the summary.json key
# and scale that give suanli's figure, the published figure and what it counts.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${SUANLI:-build/suanli}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "| case | quantity | published | suanli | error | wall s |"
echo "|---|---|---:|---:|---:|---:|"
tail -n +2 validation/published.csv | while IFS=, read -r name args key scale published what; do
  run_args=()
  for a in $args; do run_args+=("${a%%=*}" "validation/$name/${a#*=}"); done
  start=$(date +%s.%N)
  "$B" run -q "${run_args[@]}" --energy-interval-s 86400 --out "$T/out" >/dev/null
  wall=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
  python3 - "$T/out/summary.json" "$name" "$key" "$scale" "$published" "$what" "$wall" <<'PY'
import json, sys
path, name, key, scale, published, what, wall = sys.argv[1:]
ours = json.load(open(path))[key] * float(scale)
published = float(published)
digits = 0 if published >= 100 else 3
print(f"| {name} | {what} | {published:,.{digits}f} | {ours:,.{digits}f} | {100 * (ours / published - 1):+.1f} % | {wall} |")
PY
  rm -rf "${T:?}/out"
done
