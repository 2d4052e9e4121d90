#!/usr/bin/env bash
# make compose-e2e: bring up examples/compose.yaml with Debian's
# docker-compose (or `docker compose`) on a temporary models folder and
# port: the trainer runs once, then the api starts, becomes healthy (its
# HEALTHCHECK) and answers the seed question; then everything is taken
# down. Needs a Docker engine and a compose tool; skips (exit 0) without.
#
# Environment: COMPOSE_PORT (default 14022).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! RUNNER=docker scripts/runner.sh compose-e2e >/dev/null 2>&1; then
	echo "compose-e2e: no Docker engine answers; skipping"
	exit 0
fi
if command -v docker-compose >/dev/null 2>&1; then
	compose=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
	compose=(docker compose)
else
	echo "compose-e2e: neither docker-compose nor docker compose is installed; skipping (apt-get install docker-compose)"
	exit 0
fi
port=${COMPOSE_PORT:-14022}
project=intent-e2e-$port
work=$(mktemp -d "${TMPDIR:-/tmp}/compose-e2e.XXXXXX")
mkdir -p "$work/models"
start=$SECONDS
step() { printf '==> [%3ds] %s\n' $((SECONDS - start)) "$*"; }
export MODELS_DIR=$work/models API_PORT=$port HOST_UID=$(id -u) HOST_GID=$(id -g)
dc() { "${compose[@]}" -p "$project" -f examples/compose.yaml "$@"; }
cleanup() {
	local rc=$?
	[ "$rc" = 0 ] || { echo "--- compose logs:" >&2; dc logs --tail 30 >&2 || true; }
	dc down -v --remove-orphans >/dev/null 2>&1 || true
	rm -rf "$work"
	[ "$rc" = 0 ] && step "compose-e2e passed in $((SECONDS - start))s" || echo "compose-e2e FAILED after $((SECONDS - start))s" >&2
	exit "$rc"
}
trap cleanup EXIT
scripts/docker-base.sh >/dev/null

step "${compose[*]} up -d --build (the trainer runs once, then the api)"
dc up -d --build >"$work/up.log" 2>&1 || { tail -n 30 "$work/up.log" >&2; exit 1; }
[ -f "$work/models/1/model.bin" ] || { echo "compose-e2e: the trainer wrote no models/1/model.bin" >&2; exit 1; }
trainer=$(dc ps -q trainer)
code=$(docker inspect -f '{{.State.ExitCode}}' "$trainer")
[ "$code" = 0 ] || { echo "compose-e2e: the trainer exited $code" >&2; exit 1; }
echo "    the trainer exited 0 and wrote models/1/model.bin"

step "waiting for the api to be healthy"
api=$(dc ps -q api)
t0=$SECONDS
until [ "$(docker inspect -f '{{.State.Health.Status}}' "$api")" = healthy ]; do
	[ $((SECONDS - t0)) -lt 90 ] || { echo "compose-e2e: the api is not healthy after 90 s" >&2; exit 1; }
	sleep 1
done
echo "    healthy after $((SECONDS - t0)) s"
body=$(curl -fsS -G "http://127.0.0.1:$port/intent" --data-urlencode "query=risques poisson cru pendant la grossesse ?")
grep -q '"intent": 26' <<<"$body" || { echo "compose-e2e: unexpected answer $body" >&2; exit 1; }
echo "    /intent -> $body"
