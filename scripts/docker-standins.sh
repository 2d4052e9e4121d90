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

goroot=$(go env GOROOT)
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

# copy_bin SRC DST ROOTFS: a dynamically linked program and its libraries.
copy_bin() {
	local src=$1 dst=$2 rootfs=$3 lib
	install -D -m 0755 "$(readlink -f "$src")" "$rootfs$dst"
	for lib in $(ldd "$src" | grep -oE '/[^ ]+'); do
		[ -e "$rootfs$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$rootfs$lib"
	done
}

if needed "$go_image" "$go_id"; then
	echo "docker-standins: making $go_image from $goroot ($gover) and the module cache"
	rootfs=$work/go
	mkdir -p "$rootfs/usr/local/go" "$rootfs/go/bin" "$rootfs/go/proxy" "$rootfs/root" "$rootfs/tmp" "$rootfs/etc" "$rootfs/src"
	chmod 1777 "$rootfs/tmp"
	tar -C "$goroot" --exclude=./test --exclude=./doc --exclude=./misc -cf - . | tar -C "$rootfs/usr/local/go" -xf -
	copy_bin "$(type -P dash)" /bin/sh "$rootfs"
	for t in mkdir chmod chown cp rm ls cat env true; do
		copy_bin "$(type -P "$t")" "/bin/$t" "$rootfs"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"
	echo "root:x:0:" >"$rootfs/etc/group"

	# The modules of go.mod as a file proxy: the zips of the build list and
	# the go.mod of every module of the graph (the go command reads them all).
	cache=$(go env GOMODCACHE)/cache/download
	go mod download -json >"$work/mods.json" || die "go mod download failed (is the module cache complete?)"
	{
		grep -oE '"(Info|GoMod|Zip)": "[^"]+"' "$work/mods.json" | sed -E 's/^"[A-Za-z]+": "(.*)"$/\1/'
		go mod graph | tr ' ' '\n' | grep '@' | grep -vE '^(go|toolchain)@' | sort -u |
			sed -E 's/[A-Z]/!\L&/g; s|^(.*)@(.*)$|'"$cache"'/\1/@v/\2.mod|'
	} | sort -u >"$work/files"
	while read -r f; do
		rel=${f#"$cache"/}
		[ "$rel" != "$f" ] || die "unexpected module cache path: $f"
		[ -f "$f" ] || case $f in *.mod) continue ;; *) die "$f is missing from the module cache: run 'go mod download'" ;; esac
		install -D -m 0644 "$f" "$rootfs/go/proxy/$rel"
	done <"$work/files"
	echo "    $(find "$rootfs/go/proxy" -name '*.zip' | wc -l) modules in the file proxy"

	tar -C "$rootfs" -cf - . | docker import \
		--change 'ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'ENV GOPATH=/go' --change 'ENV GOTOOLCHAIN=local' --change 'ENV HOME=/root' \
		--change 'ENV GOPROXY=file:///go/proxy' --change 'ENV GONOSUMDB=*' --change 'ENV GOFLAGS=-mod=readonly' \
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
