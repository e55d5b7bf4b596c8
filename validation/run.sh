#!/usr/bin/env bash
# Runs every validation case (docs/validation.md) and prints suanli's figure beside the
# published one as a markdown table. Each case is validation/<name>/{platform.yaml,
# workload.csv}; the published figures and what they count are in validation/published.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${SUANLI:-build/suanli}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "| run | quantity | published | suanli | error | wall s |"
echo "|---|---|---:|---:|---:|---:|"
tail -n +2 validation/published.csv | while IFS=, read -r name key scale published what; do
  start=$(date +%s.%N)
  "$B" run -q --platform "validation/$name/platform.yaml" --workload "validation/$name/workload.csv" \
    --energy-interval-s 86400 --out "$T/$name" >/dev/null
  wall=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
  python3 - "$T/$name/summary.json" "$name" "$key" "$scale" "$published" "$what" "$wall" <<'PY'
import json, sys
path, name, key, scale, published, what, wall = sys.argv[1:]
ours = json.load(open(path))[key] * float(scale)
published = float(published)
print(f"| {name} | {what} | {published:,.0f} | {ours:,.0f} | {100 * (ours / published - 1):+.1f} % | {wall} |")
PY
  rm -rf "${T:?}/$name"
done
