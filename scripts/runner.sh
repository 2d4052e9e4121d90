#!/usr/bin/env bash
# Usage: scripts/runner.sh TARGET
# Resolves $RUNNER (auto|docker|native|local) for a make target, prints the
# choice on stderr ("make TARGET: runner=native (why)") and the resolved
# runner (docker or native) on stdout. Exits 1 when RUNNER=docker and no
# Docker engine answers, 2 on an unknown RUNNER.
set -euo pipefail

target=${1:-?}
runner=${RUNNER:-auto}
# `docker info` hangs for a long time on some broken setups: bound it.
timeout_s=${DOCKER_INFO_TIMEOUT:-5}

engine_answers() {
	command -v docker >/dev/null 2>&1 || return 1
	timeout "$timeout_s" docker info >/dev/null 2>&1
}

why_not() {
	if ! command -v docker >/dev/null 2>&1; then
		echo "no docker command"
	else
		echo "no Docker engine answers"
	fi
}

case "$runner" in
auto | "")
	if engine_answers; then
		echo "make $target: runner=docker (a Docker engine answers; RUNNER=native to build natively)" >&2
		echo docker
	else
		echo "make $target: runner=native ($(why_not))" >&2
		echo native
	fi
	;;
docker)
	if ! engine_answers; then
		echo "make $target: RUNNER=docker but $(why_not) ('docker info' failed or took over ${timeout_s}s)." >&2
		echo "  Start a Docker engine, or run natively with RUNNER=native (needs Go)." >&2
		exit 1
	fi
	echo "make $target: runner=docker (RUNNER=docker)" >&2
	echo docker
	;;
native | local)
	echo "make $target: runner=native (RUNNER=$runner)" >&2
	echo native
	;;
*)
	echo "make $target: unknown RUNNER='$runner': use auto, docker, native or local" >&2
	exit 2
	;;
esac
