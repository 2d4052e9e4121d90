#!/usr/bin/env bash
# /intent under load while training tasks run on the same server (both cores
# busy), against the same load with the server idle. The api serves a
# CLINC150 model and trains CLINC150 again through POST /train, back to back,
# for the whole measurement. Skips cleanly when ../shared/datasets is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
CLINC=${CLINC:-../shared/datasets/clinc150/data_full.json}
DURATION=${DURATION:-15s}
PORT=${PORT_API:-4104}
if [ ! -f "$CLINC" ]; then
  echo "loadtest-training: $CLINC not found; skipping"
  exit 0
fi
for c in wrk jq curl; do command -v $c >/dev/null || { echo "loadtest-training: $c is needed" >&2; exit 1; }; done
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/data"
jq -c '.train[] | {text: .[0], intent: .[1]}' "$CLINC" >"$work/data/train.jsonl"
jq -r '.test | to_entries[] | select(.key % 90 == 0) | .value[0] | @uri' "$CLINC" >"$work/questions.txt"
export QUESTIONS="$work/questions.txt"
go build -o "$work/api" ./api
go build -o "$work/trainer" ./trainer
"$work/trainer" train --data "$work/data/train.jsonl" --out "$work/models" -q >/dev/null
token=loadtest-token
API_TOKEN=$token "$work/api" --models "$work/models" --addr "127.0.0.1:$PORT" --data-dir "$work/data" \
  --access-log=false --log-level warn --keep 2 &
pid=$!
until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do sleep 0.01; done
url="http://127.0.0.1:$PORT"
summary() { awk '/^Requests\/sec/ {r=$2} $1=="99%" {p=$2} END {printf "%.0f req/s, p99 %s", r, p}'; }

idle=$(wrk -t2 -c32 -d"$DURATION" --latency -s bench/rotate.lua "$url" | summary)
# Queue enough tasks to keep training busy for the whole run (a CLINC150
# task takes 2-3 s here; the api queues at most 16); the ones still queued
# at the end show it did.
for i in $(seq 16); do
  curl -fs -o /dev/null "$url/train" -H "Authorization: Bearer $token" \
    -d '{"data": "train.jsonl", "use_examples": false, "make_default": "never"}'
done
sleep 1
busy=$(wrk -t2 -c32 -d"$DURATION" --latency -s bench/rotate.lua "$url" | summary)
trained=$(curl -fs "$url/tasks?state=trained" | jq '.tasks | length')
queued=$(curl -fs "$url/tasks?state=queued" | jq '.tasks | length')
echo "wrk -t2 -c32 -d$DURATION, CLINC150 model, $(nproc) cores"
echo "  idle server:                 $idle"
echo "  while training tasks run:    $busy   ($trained CLINC150 trainings finished meanwhile, $queued still queued)"
[ "$queued" -gt 0 ] || echo "loadtest-training: the queue ran dry before the end; the busy figure is optimistic" >&2
