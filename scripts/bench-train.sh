#!/usr/bin/env bash
# The whole `trainer train` process on CLINC150 (read, featurize, fit,
# calibrate, evaluate, export): train on `train`, report on `test` (in-scope),
# RUNS times; prints the median wall time and peak RSS, the model size and
# the quality figures. Skips cleanly when ../shared/datasets is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
CLINC=${CLINC:-../shared/datasets/clinc150/data_full.json}
RUNS=${RUNS:-3}
if [ ! -f "$CLINC" ]; then
  echo "bench-train: $CLINC not found; skipping the CLINC150 training benchmark"
  exit 0
fi
command -v jq >/dev/null || { echo "bench-train: jq is needed (apt-get install jq)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench-train: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jq -c '.train[] | {text: .[0], intent: .[1]}' "$CLINC" >"$work/train.jsonl"
jq -c '.test[] | {text: .[0], intent: .[1]}' "$CLINC" >"$work/test.jsonl"
go build -o "$work/trainer" ./trainer

: >"$work/runs"
for i in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %M" -o "$work/time" \
    "$work/trainer" train --data "$work/train.jsonl" --valid-data "$work/test.jsonl" --out "$work/models" -q >/dev/null
  cat "$work/time" >>"$work/runs"
done
last=$(ls -d "$work"/models/*/ | sort -V | tail -1)
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
wall=$(awk '{print $1}' "$work/runs" | median)
rss=$(awk '{print $2}' "$work/runs" | median)
size=$(stat -c %s "$last/model.bin")
echo "trainer train on CLINC150 (15,000 train, 4,500 test, 150 intents), $RUNS runs, $(nproc) cores"
echo "  wall times (s): $(awk '{printf "%s ", $1}' "$work/runs")"
jq -r --arg wall "$wall" --arg rss "$rss" --arg size "$size" '
  "  median wall time      \($wall) s   (target <= 5.0 s, stretch 3 s)",
  "  median peak RSS       \(($rss|tonumber)/1024|floor) MiB (target <= 1536 MiB)",
  "  model file            \(($size|tonumber)/1048576*10|round/10) MiB (target <= 40 MB)",
  "  accuracy              \(.accuracy*10000|round/100) %   (target >= 92.5 %)",
  "  macro-F1              \(.macro_f1*10000|round/100) %   (target >= 92.4 %)",
  "  ECE before / after    \(.ece_before*10000|round/10000) / \(.ece_after*10000|round/10000) (target after <= 0.03)",
  "  features              \(.n_features)"' "$last/report.json"
