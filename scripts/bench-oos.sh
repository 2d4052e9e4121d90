#!/usr/bin/env bash
# Out-of-scope answers on CLINC150, as its paper measures them: train on
# `train` (in scope only), fit the threshold on `val` + `oos_val`, report on
# `test` + `oos_test` (4,500 in scope, 1,000 out of scope). Prints in-scope
# accuracy and out-of-scope recall and precision for each --oos-max-loss of
# OOS_LOSSES (the in-scope accuracy the threshold may cost on validation).
# Skips cleanly when ../shared/datasets is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
CLINC=${CLINC:-../shared/datasets/clinc150/data_full.json}
OOS_LOSSES=${OOS_LOSSES:-0.005 0.01 0.015 0.02}
if [ ! -f "$CLINC" ]; then
  echo "bench-oos: $CLINC not found; skipping the CLINC150 out-of-scope benchmark"
  exit 0
fi
command -v jq >/dev/null || { echo "bench-oos: jq is needed (apt-get install jq)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jq -c '.train[] | {text: .[0], intent: .[1]}' "$CLINC" >"$work/train.jsonl"
jq -c '(.val[], .oos_val[]) | {text: .[0], intent: .[1]}' "$CLINC" >"$work/valid.jsonl"
jq -c '(.test[], .oos_test[]) | {text: .[0], intent: .[1]}' "$CLINC" >"$work/test.jsonl"
go build -o "$work/trainer" ./trainer
echo "CLINC150 out of scope: train on train; threshold fitted on val + oos_val (3,000 + 100); test + oos_test (4,500 + 1,000)"
echo "  paper (in-scope accuracy / out-of-scope recall): linear SVM 91.0 / 14.5, DialogFlow 91.7 / 14.0, Rasa 91.5 / 45.3, BERT 96.2 / 52.3"
printf '  %-14s %-10s %-22s %-18s %-18s\n' max-loss threshold "test in-scope acc" "test OOS recall" "test OOS precision"
for loss in $OOS_LOSSES; do
  rm -rf "$work/models"
  "$work/trainer" train --data "$work/train.jsonl" --valid-data "$work/valid.jsonl" --test-data "$work/test.jsonl" \
    --oos-label oos --oos-max-loss "$loss" --out "$work/models" -q >/dev/null
  jq -r --arg loss "$loss" '"  \($loss|.+"            "|.[0:14]) \(.model.oos.threshold*10000|round/10000|tostring|.+"          "|.[0:10]) \(.test.oos.in_scope_accuracy*10000|round/100) %               \(.test.oos.oos_recall*10000|round/100) %           \(.test.oos.oos_precision*10000|round/100) %"' \
    "$work"/models/1/report.json
done
