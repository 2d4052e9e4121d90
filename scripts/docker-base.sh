#!/usr/bin/env bash
# Usage: scripts/docker-base.sh
# Makes sure the base images that trainer.Dockerfile and api.Dockerfile name
# (their ARG GO_IMAGE / RUNTIME_IMAGE defaults) are in the local engine
# before a `docker build`: kept when present, pulled when a registry answers,
# and otherwise made as local stand-ins by scripts/docker-standins.sh (this
# machine's Go and an empty runtime root). Run by make train, make api and
# make docker-check on the docker runner. BASE_PULL=0 skips the pull attempt.
set -euo pipefail
cd "$(dirname "$0")/.."

arg_default() { sed -nE "s/^ARG $1=(.*)$/\1/p" trainer.Dockerfile | head -n1; }
missing=0
for name in "$(arg_default GO_IMAGE)" "$(arg_default RUNTIME_IMAGE)"; do
	label=$(docker image inspect --format '{{index .Config.Labels "intent.standin"}}' "$name" 2>/dev/null) || label=absent
	case $label in
	absent)
		if [ "${BASE_PULL:-1}" != 0 ] && timeout 300 docker pull -q "$name" >/dev/null 2>&1; then
			echo "docker-base: pulled $name"
		else
			echo "docker-base: $name is not here and cannot be pulled: using a local stand-in"
			missing=1
		fi
		;;
	"") ;; # a real image: keep it
	*) missing=1 ;; # one of our stand-ins: docker-standins.sh refreshes it if go.mod changed
	esac
done
if [ "$missing" = 1 ]; then
	exec scripts/docker-standins.sh
fi
