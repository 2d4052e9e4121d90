#!/usr/bin/env bash
# make docker-e2e: the README's Docker path, for real, through the Makefile
# (RUNNER=docker), on a temporary models folder and port:
#  1. make train      builds the trainer image, trains in a container, and the
#                     new version lands in MODELS owned by the calling user;
#  2. make api        builds the api image and serves MODELS on PORT;
#  3. make train      again while it serves: hot reload serves version 2;
#  4. make test       writes PREDICTIONS against it (one row per question);
#  5. docker stop     ends make api cleanly (exit 0, the server's "stopped").
# Prints the time of each step (the first build of an image is cold, later
# ones reuse Docker's layer cache). Needs a Docker engine; where none answers
# it says so and exits 0 (make docker-check covers the buildah route).
#
# Environment: E2E_PORT (default 14012).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if ! RUNNER=docker scripts/runner.sh docker-e2e >/dev/null 2>&1; then
	echo "docker-e2e: no Docker engine answers; skipping (make docker-check covers the buildah route)"
	exit 0
fi
port=${E2E_PORT:-14012}
work=$(mktemp -d "${TMPDIR:-/tmp}/docker-e2e.XXXXXX")
models=$work/models
container=intent-api-e2e-$port
start=$SECONDS
api_pid=
step() { printf '==> [%3ds] %s\n' $((SECONDS - start)) "$*"; }
die() {
	echo "docker-e2e: $*" >&2
	[ -f "$work/api.log" ] && { echo "--- make api output:" >&2; tail -n 30 "$work/api.log" >&2; }
	exit 1
}
cleanup() {
	local rc=$?
	docker rm -f "$container" >/dev/null 2>&1 || true
	[ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null || true
	rm -rf "$work"
	[ "$rc" = 0 ] && step "docker-e2e passed in $((SECONDS - start))s" || echo "docker-e2e FAILED after $((SECONDS - start))s" >&2
	exit "$rc"
}
trap cleanup EXIT

mk() { make --no-print-directory RUNNER=docker MODELS="$models" PORT="$port" API_CONTAINER="$container" "$@"; }
timed() { # timed NAME CMD...: run, print the seconds
	local t0=$SECONDS
	"${@:2}" >"$work/$1.log" 2>&1 || { tail -n 40 "$work/$1.log" >&2; die "$1 failed"; }
	echo "    $1: $((SECONDS - t0)) s"
}

step "make train (RUNNER=docker)"
timed train mk train
[ -f "$models/1/model.bin" ] || die "make train wrote no $models/1/model.bin"
owner=$(stat -c '%u:%g' "$models/1/model.bin")
[ "$owner" = "$(id -u):$(id -g)" ] || die "models/1/model.bin belongs to $owner, not to the caller $(id -u):$(id -g)"
echo "    models/1/model.bin, owned by $owner (the caller)"

step "make api (RUNNER=docker) on port $port"
t0=$SECONDS
mk api >"$work/api.log" 2>&1 &
api_pid=$!
until curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; do
	kill -0 "$api_pid" 2>/dev/null || die "make api exited"
	[ $((SECONDS - t0)) -lt 600 ] || die "the api did not answer within 600 s"
	sleep 0.5
done
echo "    ready after $((SECONDS - t0)) s (image build included)"
body=$(curl -fsS -G "http://127.0.0.1:$port/intent" --data-urlencode "query=risques poisson cru pendant la grossesse ?")
grep -q '"intent": 26' <<<"$body" || die "unexpected answer: $body"
echo "    /intent -> $body"

step "make train again while the api serves: hot reload"
timed train2 mk train
t0=$SECONDS
until curl -fsS "http://127.0.0.1:$port/models/default" 2>/dev/null | grep -q '"default":2'; do
	[ $((SECONDS - t0)) -lt 10 ] || die "version 2 is not the default 10 s after it was written"
	sleep 0.2
done
echo "    version 2 served by default after $((SECONDS - t0)) s"

step "make test against it"
timed test mk test PREDICTIONS="$work/predictions.csv" API_URL="http://127.0.0.1:$port"
rows=$(($(wc -l <"$work/predictions.csv") - 1))
want=$(($(wc -l <data/sample/input_test.csv) - 1))
[ "$rows" = "$want" ] || die "predictions.csv has $rows rows, want $want"
head -n1 "$work/predictions.csv" | grep -q '^ID,question,intent' || die "predictions.csv header: $(head -n1 "$work/predictions.csv")"
echo "    predictions.csv: $rows rows"

step "docker stop $container"
docker stop -t 20 "$container" >/dev/null
rc=0
wait "$api_pid" || rc=$?
api_pid=
[ "$rc" = 0 ] || die "make api exited $rc after docker stop"
grep -q '"msg":"stopped"' "$work/api.log" || die "the server did not log a clean stop"
echo "    make api exited 0; the server logged \"stopped\""
