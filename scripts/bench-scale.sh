#!/usr/bin/env bash
# make bench-scale: the whole `trainer train` process on CLINC150 itself and
# on synthetic sets of SIZES questions built from it (bench/scale: each a
# training question with one edit): wall time, peak RSS, RSS per question
# once the model's float32 weights (features × intents × 4 bytes, before
# pruning) are taken out, and test accuracy, beside scikit-learn's time and peak RSS with the same
# recipe (bench/sklearn_scale.py) when Debian's python3-sklearn is
# installed, and the ratio of the times. Skips cleanly when
# ../shared/datasets is absent. SIZES defaults to "clinc 100000 400000";
# add 1000000 for the million (about 3 minutes for us; scikit-learn's part
# is skipped above SKLEARN_MAX, 400000 by default, as it takes many).
set -euo pipefail
cd "$(dirname "$0")/.."
CLINC=${CLINC:-../shared/datasets/clinc150/data_full.json}
SIZES=${SIZES:-clinc 100000 400000}
SKLEARN_MAX=${SKLEARN_MAX:-400000}
if [ ! -f "$CLINC" ]; then
	echo "bench-scale: $CLINC not found; skipping the scale benchmark"
	exit 0
fi
[ -x /usr/bin/time ] || { echo "bench-scale: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
command -v jq >/dev/null || { echo "bench-scale: jq is needed (apt-get install jq)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/trainer" ./trainer
go build -o "$work/scale" ./bench/scale
jq -c '.test[] | {text: .[0], intent: .[1]}' "$CLINC" >"$work/test.jsonl"
sk=
/usr/bin/python3 -c 'import sklearn' 2>/dev/null && sk=1
[ -n "$sk" ] || echo "bench-scale: python3-sklearn not installed; scikit-learn's columns stay empty"
printf '%-10s %9s %9s %10s %9s %9s %9s %6s\n' questions "ours (s)" "RSS MiB" "B/q-model" "accuracy" "sk (s)" "sk MiB" "ratio"
for n in $SIZES; do
	if [ "$n" = clinc ]; then
		jq -c '.train[] | {text: .[0], intent: .[1]}' "$CLINC" >"$work/train.jsonl"
	else
		"$work/scale" -n "$n" -clinc "$CLINC" >"$work/train.jsonl"
	fi
	rows=$(wc -l <"$work/train.jsonl")
	rm -rf "$work/models"
	/usr/bin/time -f "%e %M" -o "$work/t" "$work/trainer" train --data "$work/train.jsonl" --valid-data "$work/test.jsonl" --out "$work/models" -q >/dev/null
	read -r ours ours_kb <"$work/t"
	report="$work/models/1/report.json"
	acc=$(jq -r '.accuracy * 10000 | round / 100' "$report")
	model_kb=$(jq -r '(.train.features_before_pruning * (.labels | length) * 4 / 1024) | floor' "$report")
	skw=- sk_mib=- ratio=-
	if [ -n "$sk" ] && [ "$rows" -le "$SKLEARN_MAX" ]; then
		/usr/bin/time -f "%e %M" -o "$work/t" /usr/bin/python3 bench/sklearn_scale.py "$work/train.jsonl" >/dev/null
		read -r skw sk_kb <"$work/t"
		sk_mib=$((sk_kb / 1024))
		ratio=$(awk -v a="$ours" -v b="$skw" 'BEGIN{printf "%.2f", a/b}')
	fi
	printf '%-10s %9s %9s %10s %9s %9s %9s %6s\n' "$rows" "$ours" "$((ours_kb / 1024))" "$(((ours_kb - model_kb) * 1024 / rows))" "$acc" "$skw" "$sk_mib" "$ratio"
done
