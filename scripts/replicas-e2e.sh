#!/usr/bin/env bash
# make replicas-e2e: three api replicas (processes) sharing one models
# folder and one PostgreSQL database, behind nginx (examples/replicas/
# nginx.conf), as "Running several replicas" in the README describes. It checks that:
#  1. an example posted through one replica is listed by every replica;
#  2. a training task posted through the load balancer is trained exactly
#     once, and its version is served by all three within 2 s;
#  3. killing (SIGKILL) the replica that trains a task marks that task
#     failed within the lease, and nothing else is lost;
#  4. a rolling restart under wrk load answers every request (0 errors);
# and measures requests per second through nginx with 1 and 3 replicas.
#
# Needs nginx, wrk, curl, jq and a PostgreSQL server: INTENT_TEST_POSTGRES
# (set by .ci/run) or the local default below; skips (exit 0) without
# nginx or PostgreSQL. Environment: BASE_PORT (default 14030), LOAD_SECONDS
# (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
PG=${INTENT_TEST_POSTGRES:-postgres://intent_test:intent-ci@127.0.0.1:5432/intent_test?sslmode=disable}
base=${BASE_PORT:-14030}
secs=${LOAD_SECONDS:-10}
token=replicas-e2e-token
for c in nginx wrk curl jq psql; do
	command -v "$c" >/dev/null 2>&1 || { echo "replicas-e2e: $c is not installed; skipping (apt-get install nginx wrk curl jq postgresql-client)"; exit 0; }
done
if ! psql "$PG" -qAtc 'select 1' >/dev/null 2>&1; then
	echo "replicas-e2e: no PostgreSQL answers at INTENT_TEST_POSTGRES; skipping (.ci/run starts one)"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/replicas-e2e.XXXXXX")
schema=e2e_$$_$RANDOM
db="$PG&search_path=$schema"
[[ $PG == *\?* ]] || db="$PG?search_path=$schema"
start=$SECONDS
step() { printf '==> [%3ds] %s\n' $((SECONDS - start)) "$*"; }
declare -A pid
cleanup() {
	local rc=$?
	for r in "${!pid[@]}"; do kill -9 "${pid[$r]}" 2>/dev/null || true; done
	[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
	psql "$PG" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
	if [ "$rc" != 0 ]; then
		for f in "$work"/replica*.log; do echo "--- $(basename "$f") (last lines)" >&2; tail -n 5 "$f" >&2 || true; done
	fi
	rm -rf "$work"
	[ "$rc" = 0 ] && step "replicas-e2e passed in $((SECONDS - start))s" || echo "replicas-e2e FAILED after $((SECONDS - start))s" >&2
	exit "$rc"
}
trap cleanup EXIT
die() { echo "replicas-e2e: $*" >&2; exit 1; }

step "build, a first model, schema $schema"
go build -o "$work/api" ./api
go build -o "$work/trainer" ./trainer
"$work/trainer" train --data data/sample --out "$work/models" -q >/dev/null
mkdir -p "$work/data" && cp -R data/sample "$work/data/sample"
psql "$PG" -qc "CREATE SCHEMA $schema" >/dev/null

port() { echo $((base + $1)); }
up() { # up R: start replica R (1..3) and wait until it is ready
	local r=$1
	API_TOKEN=$token "$work/api" --models "$work/models" --db "$db" --data-dir "$work/data" --addr "127.0.0.1:$(port "$r")" \
		--task-lease 3s --reload-interval 200ms --access-log=false >>"$work/replica$r.log" 2>&1 &
	pid[$r]=$!
	disown "$!" # its end (a kill is the point) is not a job to report
	local t0=$SECONDS
	until curl -fs -o /dev/null "http://127.0.0.1:$(port "$r")/readyz"; do
		kill -0 "${pid[$r]}" 2>/dev/null || die "replica $r exited at start"
		[ $((SECONDS - t0)) -lt 30 ] || die "replica $r not ready after 30 s"
		sleep 0.1
	done
}
lb() { # lb N: nginx in front of replicas 1..N on port base
	local servers="" r
	for r in $(seq "$1"); do servers+="server 127.0.0.1:$(port "$r") max_fails=0;"$'\n'; done
	sed -e "s|@PREFIX@|$work|g" -e "s|@PORT@|$base|g" -e "s|@SERVERS@|${servers//$'\n'/ }|" \
		examples/replicas/nginx.conf >"$work/nginx.conf"
	if [ -f "$work/nginx.pid" ] && kill -0 "$(cat "$work/nginx.pid")" 2>/dev/null; then
		nginx -p "$work" -c "$work/nginx.conf" -s reload 2>/dev/null
		sleep 0.5
	else
		nginx -p "$work" -c "$work/nginx.conf"
	fi
}
LB=http://127.0.0.1:$base
auth=(-H "Authorization: Bearer $token")

step "three replicas behind nginx"
for r in 1 2 3; do up "$r"; done
lb 3
curl -fsS -G "$LB/intent" --data-urlencode "query=risques poisson cru pendant la grossesse ?" | grep -q '"intent": 26' || die "no answer through nginx"

step "1. an example posted to replica 1 is listed by all"
curl -fsS "${auth[@]}" "http://127.0.0.1:$(port 1)/examples" -d '{"text": "peut-on manger des sushis enceinte ?", "intent": 26}' >/dev/null
for r in 1 2 3; do
	n=$(curl -fsS "http://127.0.0.1:$(port "$r")/examples?intent=26" | jq .total)
	[ "$n" = 1 ] || die "replica $r lists $n examples of intent 26, want 1"
done
echo "    listed by replicas 1, 2 and 3"

step "2. a task posted through nginx is trained exactly once, served by all within 2 s"
id=$(curl -fsS "${auth[@]}" "$LB/train" -d '{"data": "sample", "use_examples": false, "make_default": "always"}' | jq -r .task_id)
t0=$SECONDS
while :; do
	st=$(curl -fsS "$LB/status/$id")
	state=$(jq -r .state <<<"$st")
	[ "$state" = trained ] && break
	[ "$state" = failed ] && die "task $id failed: $(jq -r .error <<<"$st")"
	[ $((SECONDS - t0)) -lt 120 ] || die "task $id not trained after 120 s ($state)"
	sleep 0.2
done
version=$(jq -r .version <<<"$st")
done_at=$(date +%s%N)
for r in 1 2 3; do
	until curl -fsS "http://127.0.0.1:$(port "$r")/models/default" | jq -e ".default == $version" >/dev/null; do
		[ $((($(date +%s%N) - done_at) / 1000000)) -lt 2000 ] || die "replica $r does not serve version $version 2 s after it was trained"
		sleep 0.05
	done
done
served_ms=$((($(date +%s%N) - done_at) / 1000000))
runs=$(grep -l "\"task\":\"$id\".*training task started\|training task started.*\"task\":\"$id\"" "$work"/replica*.log | wc -l)
[ "$runs" = 1 ] || die "task $id was started by $runs replicas"
[ "$(ls -d "$work"/models/*/ | wc -l)" = 2 ] || die "expected 2 versions in the shared folder: $(ls "$work/models")"
echo "    task $id trained once (version $version), served by all three after $served_ms ms"

step "3. kill -9 the replica that trains: its task fails, nothing else is lost"
id=$(curl -fsS "${auth[@]}" "$LB/train" -d '{"data": "sample", "use_examples": false, "make_default": "never", "search": {"budget": 200, "space": {"c": [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50], "solvers": ["l2", "cs"], "class_weights": ["none", "balanced"], "min_df": [1, 2], "word_ngrams": [1, 2]}}}' | jq -r .task_id)
victim=
t0=$SECONDS
until [ -n "$victim" ]; do
	for r in 1 2 3; do grep -q "training task started.*$id\|$id.*training task started" "$work/replica$r.log" && victim=$r; done
	[ $((SECONDS - t0)) -lt 30 ] || die "no replica started task $id"
	sleep 0.1
done
kill -9 "${pid[$victim]}"
unset "pid[$victim]"
killed_at=$SECONDS
while :; do
	st=$(curl -fsS "$LB/status/$id")
	[ "$(jq -r .state <<<"$st")" = failed ] && break
	[ $((SECONDS - killed_at)) -lt 20 ] || die "task $id is $(jq -r .state <<<"$st") 20 s after its replica was killed"
	sleep 0.2
done
echo "    replica $victim killed; task $id failed after $((SECONDS - killed_at)) s: $(jq -r .error <<<"$st")"
n=$(curl -fsS "$LB/examples?intent=26" | jq .total)
[ "$n" = 1 ] || die "the example is lost after the kill ($n)"
curl -fsS -G "$LB/intent" --data-urlencode "query=risques poisson cru pendant la grossesse ?" | grep -q '"intent": 26' || die "no answer after the kill"
up "$victim"
echo "    the example is still listed, /intent answers; replica $victim restarted"

step "4. rolling restart under wrk load ($((secs * 2)) s)"
q=$(jq -rn --arg q "risques poisson cru pendant la grossesse ?" '$q|@uri')
wrk -t2 -c16 -d$((secs * 2))s --latency "$LB/intent?query=$q" >"$work/wrk-rolling.txt" &
wrk_pid=$!
sleep 1
for r in 1 2 3; do
	kill -TERM "${pid[$r]}"
	while kill -0 "${pid[$r]}" 2>/dev/null; do sleep 0.05; done
	up "$r"
	sleep 1
done
wait "$wrk_pid"
errors=$(awk '/Non-2xx|Socket errors/ {print}' "$work/wrk-rolling.txt")
rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk-rolling.txt")
[ -z "$errors" ] || die "errors during the rolling restart: $errors"
echo "    0 errors while each replica restarted in turn ($rps req/s)"

step "requests per second through nginx, 1 and 3 replicas ($secs s each)"
for n in 1 3; do
	lb "$n"
	out=$(wrk -t2 -c32 -d${secs}s --latency "$LB/intent?query=$q")
	echo "    $n replica(s): $(awk '/^Requests\/sec/ {print $2}' <<<"$out") req/s, p99 $(awk '$1=="99%" {print $2}' <<<"$out")$(awk '/Non-2xx|Socket errors/ {printf ", %s", $0}' <<<"$out")"
done
