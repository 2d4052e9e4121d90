#!/usr/bin/env bash
# Load test of the api serving a CLINC150 model, with the bare net/http
# handler (bench/barehttp) measured in the same run as the ceiling:
#   wrk -t2 -c32 (throughput, p99) and wrk -t1 -c1 (p50), rotating through 50
#   real test questions; resident memory after the load; startup to ready.
# Skips cleanly when ../shared/datasets is absent (a user's clone).
set -euo pipefail
cd "$(dirname "$0")/.."
CLINC=${CLINC:-../shared/datasets/clinc150/data_full.json}
DURATION=${DURATION:-15s}
ROUNDS=${ROUNDS:-3}
PORT_API=${PORT_API:-4102}
PORT_BARE=${PORT_BARE:-4103}
if [ ! -f "$CLINC" ]; then
  echo "bench-http: $CLINC not found; skipping the load test"
  exit 0
fi
need() {
  command -v "$1" >/dev/null 2>&1 && return
  if [ "$(id -u)" = 0 ]; then
    echo "bench-http: installing $2 from Debian"
    (apt-get update -qq && apt-get install -y -qq "$2") >/dev/null
  else
    echo "bench-http: $1 is missing: apt-get install $2" >&2; exit 1
  fi
}
need wrk wrk
need jq jq
need curl curl

work=${BENCH_WORK:-$(mktemp -d)}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

go build -o "$work/api" ./api
go build -o "$work/trainer" ./trainer
go build -o "$work/bare" ./bench/barehttp
if [ ! -d "$work/models" ]; then
  jq -c '.train[] | {text: .[0], intent: .[1]}' "$CLINC" >"$work/train.jsonl"
  jq -c '.test[] | {text: .[0], intent: .[1]}' "$CLINC" >"$work/test.jsonl"
  "$work/trainer" train --data "$work/train.jsonl" --valid-data "$work/test.jsonl" --out "$work/models" -q >/dev/null
fi
# 50 questions spread over the intents (every 90th of the 4,500 test rows).
jq -r '.test | to_entries[] | select(.key % 90 == 0) | .value[0] | @uri' "$CLINC" >"$work/questions.txt"
export QUESTIONS="$work/questions.txt"
model_bytes=$(stat -c %s "$(ls -d "$work"/models/*/model.bin | sort -V | tail -1)")

# Startup to ready: from exec to the first 200 on /readyz.
t0=$(date +%s%N)
"$work/api" --models "$work/models" --addr "127.0.0.1:$PORT_API" --access-log=false --log-level warn &
pids+=($!); api_pid=$!
until curl -fs "http://127.0.0.1:$PORT_API/readyz" >/dev/null 2>&1; do sleep 0.002; done
t1=$(date +%s%N)
startup_ms=$(( (t1 - t0) / 1000000 ))
"$work/bare" --addr "127.0.0.1:$PORT_BARE" &
pids+=($!)
until curl -fs "http://127.0.0.1:$PORT_BARE/intent" >/dev/null 2>&1; do sleep 0.01; done

# wrk prints latencies like 812.00us, 1.20ms, 2.00s: convert to microseconds.
to_us() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) {sub(/us/,"",v); print v+0} else if (v ~ /ms$/) {sub(/ms/,"",v); print v*1000} else if (v ~ /s$/) {sub(/s/,"",v); print v*1000000} else print v }'; }
load() { # url conns threads -> "rps p50us p99us"
  local out
  out=$(wrk -t"$3" -c"$2" -d"$DURATION" --latency -s bench/rotate.lua "$1")
  local rps p50 p99
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(to_us "$(awk '$1=="50%" {print $2}' <<<"$out")")
  p99=$(to_us "$(awk '$1=="99%" {print $2}' <<<"$out")")
  local errs; errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")
  [ -n "$errs" ] && echo "bench-http: $1: $errs" >&2
  echo "$rps $p50 $p99"
}
curl -fs "http://127.0.0.1:$PORT_API/intent?query=$(head -1 "$work/questions.txt")" >/dev/null
echo "load test: wrk -c32 -t2 -d$DURATION and -c1 -t1 -d$DURATION, 50 rotating CLINC150 questions, $ROUNDS rounds, $(nproc) cores"
# ROUNDS alternating rounds (bare, api, bare, api, ...); medians reported,
# every round printed, because this machine is shared and noisy.
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
: >"$work/rounds"
for r in $(seq "$ROUNDS"); do
  read -r b_rps _ b_p99 < <(load "http://127.0.0.1:$PORT_BARE" 32 2)
  read -r a_rps _ a_p99 < <(load "http://127.0.0.1:$PORT_API" 32 2)
  read -r _ b_p50 _ < <(load "http://127.0.0.1:$PORT_BARE" 1 1)
  read -r _ a_p50 _ < <(load "http://127.0.0.1:$PORT_API" 1 1)
  echo "$b_rps $b_p99 $b_p50 $a_rps $a_p99 $a_p50" >>"$work/rounds"
  awk -v r="$r" '{printf "  round %d: bare %.0f req/s p99 %.0f us p50 %.0f us | api %.0f req/s p99 %.0f us p50 %.0f us | ratio %.1f %%\n", r, $1, $2, $3, $4, $5, $6, 100*$4/$1}' <(tail -1 "$work/rounds")
done
col() { awk -v c="$1" '{print $c}' "$work/rounds" | median; }
bare_rps=$(col 1); bare_p99=$(col 2); bare_p50=$(col 3)
api_rps=$(col 4); api_p99=$(col 5); api_p50=$(col 6)
ratio=$(awk '{print $4/$1}' "$work/rounds" | median)
p99ratio=$(awk '{print $5/$2}' "$work/rounds" | median)
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$api_pid/status")
bare_rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/${pids[1]}/status")

printf '\nmedians of %s rounds\n%-22s %12s %14s %14s %10s\n' "$ROUNDS" server "req/s (c32)" "p99 c32 (us)" "p50 c1 (us)" "RSS (MiB)"
printf '%-22s %12.0f %14.0f %14.0f %10.1f\n' "bare net/http" "$bare_rps" "$bare_p99" "$bare_p50" "$(awk -v k="$bare_rss_kb" 'BEGIN{print k/1024}')"
printf '%-22s %12.0f %14.0f %14.0f %10.1f\n' "api (CLINC150 model)" "$api_rps" "$api_p99" "$api_p50" "$(awk -v k="$rss_kb" 'BEGIN{print k/1024}')"
awk -v ratio="$ratio" -v p99r="$p99ratio" -v p1="$api_p50" \
    -v rss="$rss_kb" -v mb="$model_bytes" -v st="$startup_ms" 'BEGIN {
  printf "\nthroughput ratio api/bare  %.1f %%   (median of the per-round ratios; target >= 60 %%)\n", 100*ratio
  printf "p99 ratio api/bare         %.2f x   (target <= 2 x)\n", p99r
  printf "p50 at one connection      %.0f us  (target < 200 us)\n", p1
  printf "RSS - model file           %.1f MiB (model %.1f MiB; target <= 60 MiB over it)\n", rss/1024 - mb/1048576, mb/1048576
  printf "startup to ready           %d ms    (target < 300 ms)\n", st
}'
