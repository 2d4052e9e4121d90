#!/usr/bin/env bash
# make test: send every question of TEST_DATA to the API at API_URL and write
# PREDICTIONS (predictions.csv: ID,question,intent) at the repository root,
# with `trainer predict --api` (concurrent HTTP requests, progress display).
#
# When no API answers at API_URL, start bin/api on PORT with the models in
# MODELS (training on data/sample first when there is none) for the duration
# of the run, and stop it afterwards.
#
# Environment (set by the Makefile): GO, BIN, MODELS, PORT, API_URL,
# TEST_DATA, PREDICTIONS, GO_LDFLAGS; API_WAIT (seconds to wait for a started
# API to be ready, default 60).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
BIN=${BIN:-bin}
MODELS=${MODELS:-models}
PORT=${PORT:-4002}
# Like the Makefile: the API is looked for on PORT unless API_URL says where.
API_URL=${API_URL:-http://localhost:$PORT}
url=${API_URL%/}
if [ -z "${TEST_DATA:-}" ]; then
	TEST_DATA=data/sample/input_test.csv
	[ -f data/input_test.csv ] && TEST_DATA=data/input_test.csv
fi
OUT=${PREDICTIONS:-predictions.csv}
API_WAIT=${API_WAIT:-60}

die() {
	echo "make test: $*" >&2
	exit 1
}
build() {
	"$GO" build -trimpath -ldflags "${GO_LDFLAGS:-}" -o "$BIN/$1" "./$1"
}
answers() { curl -fsS --max-time 2 -o /dev/null "$1" 2>/dev/null; }

[ -f "$TEST_DATA" ] || die "TEST_DATA=$TEST_DATA does not exist (make data decrypts the real set; the sample is data/sample/input_test.csv)"
command -v curl >/dev/null 2>&1 || die "curl is needed to find the API: apt-get install curl"
command -v "$GO" >/dev/null 2>&1 || die "$GO is not on PATH: the client (bin/trainer predict --api) is built with Go"

echo "make test: runner=native (the client is bin/trainer predict --api, whatever runs the API)"
build trainer

api_pid=
log=
cleanup() {
	local rc=$?
	if [ -n "$api_pid" ] && kill -0 "$api_pid" 2>/dev/null; then
		echo "make test: stopping the API it started (pid $api_pid)"
		kill -TERM "$api_pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$api_pid" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$api_pid" 2>/dev/null || true
		wait "$api_pid" 2>/dev/null || true
	fi
	[ -z "$log" ] || rm -f "$log"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if answers "$url/readyz"; then
	echo "make test: using the API that answers at $url"
elif answers "$url/healthz"; then
	die "the API at $url is alive (/healthz) but not ready (/readyz: no model loaded?)"
else
	echo "make test: no API answers at $url/readyz: starting bin/api on port $PORT for the duration"
	if ! find "$MODELS" -mindepth 2 -maxdepth 2 -name model.bin 2>/dev/null | grep -Eq '/[1-9][0-9]*/model\.bin$'; then
		echo "make test: no model version in $MODELS/: training on data/sample first"
		"$BIN/trainer" train --data data/sample --out "$MODELS" --quiet
	fi
	build api
	log=$(mktemp "${TMPDIR:-/tmp}/make-test-api.XXXXXX")
	"$BIN/api" --models "$MODELS" --addr "127.0.0.1:$PORT" >"$log" 2>&1 &
	api_pid=$!
	url="http://127.0.0.1:$PORT"
	deadline=$((SECONDS + API_WAIT))
	until answers "$url/readyz"; do
		if ! kill -0 "$api_pid" 2>/dev/null; then
			wait "$api_pid" 2>/dev/null || true
			api_pid=
			echo "make test: the API exited before it was ready; its log:" >&2
			cat "$log" >&2
			exit 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "make test: the API was not ready after ${API_WAIT}s; its log:" >&2
			cat "$log" >&2
			exit 1
		fi
		sleep 0.1
	done
	echo "make test: API ready at $url"
fi

echo "+ $BIN/trainer predict --api $url --data $TEST_DATA --out $OUT"
"$BIN/trainer" predict --api "$url" --data "$TEST_DATA" --out "$OUT"
