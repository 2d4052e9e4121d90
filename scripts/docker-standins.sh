#!/usr/bin/env bash
# Usage: scripts/docker-standins.sh
# Makes local stand-ins for the base images that trainer.Dockerfile and
# api.Dockerfile name, on a Docker engine that cannot pull them (no registry
# reachable), so that both Dockerfiles build unchanged:
#
#   golang:<go version>-bookworm             this machine's Go tree, a shell and
#                                            the few tools a RUN step uses, and a
#                                            read-only module proxy (file://) made
#                                            from the local module cache, so that
#                                            `go mod download` needs no network
#   gcr.io/distroless/static-debian12:nonroot  an almost empty root: /etc/passwd
#                                            with nonroot (65532), /tmp
#
# An image that already exists under one of these names is left alone unless
# it is one of ours (label intent.standin) made for another go.mod/go.sum or
# recipe: a user with the real images keeps them. Both are made with
# `docker import` (no build, no pull). Idempotent; about 15 s the first time.
#
# Environment: GO_IMAGE and RUNTIME_IMAGE override the names (they must match
# the Dockerfiles' ARG defaults, which this script reads).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/standin.sh
. scripts/lib/standin.sh

die() {
	echo "docker-standins: $*" >&2
	exit 1
}
command -v docker >/dev/null 2>&1 || die "no docker command"
command -v go >/dev/null 2>&1 || die "go is not on PATH: the Go stand-in is made from this machine's Go"

arg_default() { sed -nE "s/^ARG $1=(.*)$/\1/p" trainer.Dockerfile | head -n1; }
go_image=${GO_IMAGE:-$(arg_default GO_IMAGE)}
runtime_image=${RUNTIME_IMAGE:-$(arg_default RUNTIME_IMAGE)}
[ -n "$go_image" ] && [ -n "$runtime_image" ] || die "cannot read the ARG GO_IMAGE / RUNTIME_IMAGE defaults of trainer.Dockerfile"
for f in api.Dockerfile; do
	grep -qx "ARG GO_IMAGE=$go_image" "$f" || die "$f does not default GO_IMAGE to $go_image as trainer.Dockerfile does"
	grep -qx "ARG RUNTIME_IMAGE=$runtime_image" "$f" || die "$f does not default RUNTIME_IMAGE to $runtime_image"
done

gover=$(go env GOVERSION)
recipe=2 # bump when what goes into a stand-in changes
# The Go stand-in holds the module proxy of go.mod/go.sum: remake it when they change.
mods=$(cat go.mod go.sum | sha256sum | cut -c1-16)
go_id="go=$gover recipe=$recipe mods=$mods"
runtime_id="runtime recipe=$recipe"

# label IMAGE: our stand-in label, empty when the image is absent or not ours.
label() { docker image inspect --format '{{index .Config.Labels "intent.standin"}}' "$1" 2>/dev/null || true; }
exists() { docker image inspect "$1" >/dev/null 2>&1; }

# needed IMAGE ID: 0 when IMAGE must be (re)made.
needed() {
	local have
	exists "$1" || return 0
	have=$(label "$1")
	if [ -z "$have" ]; then
		echo "docker-standins: $1 exists and is not a stand-in: kept"
		return 1
	fi
	if [ "$have" = "$2" ]; then
		echo "docker-standins: $1 is up to date ($2)"
		return 1
	fi
	return 0
}

work=$(mktemp -d "${TMPDIR:-/tmp}/standins.XXXXXX")
trap 'rm -rf "$work"' EXIT

if needed "$go_image" "$go_id"; then
	echo "docker-standins: making $go_image from $(go env GOROOT) ($gover) and the module cache"
	rootfs=$work/go
	go_rootfs "$rootfs"
	module_proxy "$rootfs/go/proxy" "$work" || die "cannot assemble the module proxy"
	echo "    $(find "$rootfs/go/proxy" -name '*.zip' | wc -l) modules in the file proxy"

	changes=()
	for kv in "${go_standin_env[@]}"; do changes+=(--change "ENV $kv"); done
	tar -C "$rootfs" -cf - . | docker import "${changes[@]}" \
		--change 'WORKDIR /go' \
		--change "LABEL intent.standin=\"$go_id\"" \
		- "$go_image" >/dev/null
	echo "docker-standins: $go_image made"
fi

if needed "$runtime_image" "$runtime_id"; then
	echo "docker-standins: making $runtime_image (empty root with nonroot 65532)"
	rootfs=$work/runtime
	mkdir -p "$rootfs/etc" "$rootfs/tmp" "$rootfs/home/nonroot"
	chmod 1777 "$rootfs/tmp"
	printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$rootfs/etc/passwd"
	printf 'root:x:0:\nnonroot:x:65532:\n' >"$rootfs/etc/group"
	tar -C "$rootfs" --owner=0 --group=0 -cf - . | docker import \
		--change 'USER 65532:65532' --change 'WORKDIR /home/nonroot' \
		--change "LABEL intent.standin=\"$runtime_id\"" \
		- "$runtime_image" >/dev/null
	echo "docker-standins: $runtime_image made"
fi
