#!/usr/bin/env bash
# make bench-scale: the whole `trainer train` process on synthetic sets of
# SIZES questions built from CLINC150 (bench/scale: each a training question
# with one edit), wall time and peak RSS, beside scikit-learn's with the
# same recipe when Debian's python3-sklearn is installed. Skips cleanly when
# ../shared/datasets is absent. SIZES defaults to "100000 400000"; add
# 1000000 for the million (about 2 minutes for us, several for sklearn).
set -euo pipefail
cd "$(dirname "$0")/.."
CLINC=${CLINC:-../shared/datasets/clinc150/data_full.json}
SIZES=${SIZES:-100000 400000}
if [ ! -f "$CLINC" ]; then
	echo "bench-scale: $CLINC not found; skipping the scale benchmark"
	exit 0
fi
[ -x /usr/bin/time ] || { echo "bench-scale: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/trainer" ./trainer
go build -o "$work/scale" ./bench/scale
jq -c '.test[] | {text: .[0], intent: .[1]}' "$CLINC" >"$work/test.jsonl"
sk=
/usr/bin/python3 -c 'import sklearn' 2>/dev/null && sk=1
printf '%-10s %12s %14s %12s %14s %s\n' questions "trainer (s)" "peak RSS (MiB)" "sklearn (s)" "peak RSS (MiB)" "ratio"
for n in $SIZES; do
	"$work/scale" -n "$n" -clinc "$CLINC" >"$work/train.jsonl"
	rm -rf "$work/models"
	/usr/bin/time -f "%e %M" -o "$work/t" "$work/trainer" train --data "$work/train.jsonl" --valid-data "$work/test.jsonl" --out "$work/models" -q >/dev/null
	read -r ours ours_kb <"$work/t"
	skw=- sk_mib=- ratio=-
	if [ -n "$sk" ]; then
		/usr/bin/time -f "%e %M" -o "$work/t" /usr/bin/python3 bench/sklearn_scale.py "$work/train.jsonl" >/dev/null
		read -r skw sk_kb <"$work/t"
		sk_mib=$((sk_kb / 1024))
		ratio=$(awk -v a="$ours" -v b="$skw" 'BEGIN{printf "%.2f", a/b}')
	fi
	printf '%-10s %12s %14s %12s %14s %s\n' "$n" "$ours" "$((ours_kb / 1024))" "$skw" "$sk_mib" "$ratio"
done
