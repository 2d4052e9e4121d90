#!/usr/bin/env bash
# make docker-check: prove that trainer.Dockerfile and api.Dockerfile build
# and that the images work, on a machine where no Docker engine runs and no
# base image can be pulled.
#
# With buildah (installed from Debian when missing and we are root), vfs
# storage and chroot isolation:
#  1. assemble local stand-ins for the base images: a Go toolchain image made
#     from this machine's own Go tree (plus a shell and the few coreutils a
#     Dockerfile RUN step uses), and `scratch` for the runtime image;
#  2. serve the modules of go.mod to the build from a read-only file proxy
#     made from the local module cache (GOPROXY=file://..., mounted with
#     --volume): the Go build inside the images never needs the network;
#  3. build both images from the unchanged Dockerfiles, passing the
#     stand-ins as --build-arg GO_IMAGE=... RUNTIME_IMAGE=scratch;
#  4. run the trainer image once on data/sample into a temporary models
#     folder, then the api image on the host network, and check with curl that
#     /intent answers intent 26 for the pregnancy question, and that the
#     image's own HEALTHCHECK command (/api --check) passes.
#
# Where a Docker engine answers (RUNNER=docker, or auto), the same checks run
# with `docker build` and `docker run`, on the real base images when they are
# present or can be pulled, else on local stand-ins made under their names by
# scripts/docker-standins.sh (scripts/docker-base.sh decides).
#
# Time on this 2-core machine: about 2 minutes the first time (assembling the
# Go stand-in, compiling everything), 25-40 s afterwards (the stand-in image
# and buildah's build cache are kept; the built images are removed).
#
# Environment: CHECK_PORT (default 14002) for the api container,
# KEEP_IMAGES=1 keeps the built images, DOCKER_CHECK_STORAGE overrides the
# buildah storage driver (vfs).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# shellcheck source=lib/standin.sh
. scripts/lib/standin.sh

start=$SECONDS
step() { printf '==> [%3ds] %s\n' $((SECONDS - start)) "$*"; }
die() {
	echo "docker-check: $*" >&2
	exit 1
}

port=${CHECK_PORT:-14002}
query='risques poisson cru pendant la grossesse ?'
want_intent=26
version="$(git describe --always --dirty 2>/dev/null || echo dev)-check"

work=$(mktemp -d "${TMPDIR:-/tmp}/docker-check.XXXXXX")
api_pid=
containers=()
images=()
cleanup() {
	local rc=$?
	if [ -n "$api_pid" ]; then
		kill -TERM -- "-$api_pid" 2>/dev/null || true
		wait "$api_pid" 2>/dev/null || true
	fi
	if [ "${#containers[@]}" -gt 0 ]; then
		for c in "${containers[@]}"; do "${B[@]}" rm "$c" >/dev/null 2>&1 || true; done
	fi
	if [ "${KEEP_IMAGES:-0}" != 1 ] && [ "${#images[@]}" -gt 0 ]; then
		for i in "${images[@]}"; do "${B[@]}" rmi -f "$i" >/dev/null 2>&1 || true; done
	fi
	rm -rf "$work"
	if [ "$rc" = 0 ]; then
		step "docker-check passed in $((SECONDS - start))s"
	else
		echo "docker-check FAILED after $((SECONDS - start))s" >&2
	fi
	exit "$rc"
}
B=(buildah --storage-driver "${DOCKER_CHECK_STORAGE:-vfs}")
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_ready URL SECONDS: poll until URL answers 2xx.
wait_ready() {
	local url=$1 deadline=$((SECONDS + $2))
	until curl -fsS --max-time 2 -o /dev/null "$url" 2>/dev/null; do
		if [ -n "$api_pid" ] && ! kill -0 "$api_pid" 2>/dev/null; then
			echo "the api container exited; its log:" >&2
			cat "$work/api.log" >&2 || true
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "no answer from $url after $2s; api log:" >&2
			cat "$work/api.log" >&2 || true
			return 1
		fi
		sleep 0.2
	done
}

# check_answer: query /intent on $port and check the pregnancy intent.
check_answer() {
	local body
	body=$(curl -fsS --max-time 5 -G "http://127.0.0.1:$port/intent" --data-urlencode "query=$query") ||
		die "GET /intent failed"
	echo "    GET /intent?query=$query -> $body"
	# The intent is a JSON number when every label is an integer.
	grep -Eq "\"intent\": *\"?$want_intent\"?[,}]" <<<"$body" ||
		die "expected intent $want_intent, got: $body"
	grep -Eq '"probability": *"[01]\.[0-9]{8}"' <<<"$body" ||
		die "expected a probability string with 8 decimals, got: $body"
}

check_models() {
	local f
	f=$(find "$work/models" -mindepth 2 -maxdepth 2 -name model.bin | head -n1)
	[ -n "$f" ] || die "the trainer image wrote no models/<n>/model.bin"
	echo "    trainer wrote ${f#"$work/"} ($(wc -c <"$f") bytes)"
}

# --- Docker engine: real base images ---------------------------------------
runner=$(RUNNER=${RUNNER:-auto} scripts/runner.sh docker-check 2>/dev/null) ||
	RUNNER=${RUNNER:-auto} scripts/runner.sh docker-check >/dev/null # prints why, fails
if [ "$runner" = docker ]; then
	echo "make docker-check: runner=docker (a Docker engine answers)"
	B=(true) # nothing for cleanup to remove with buildah
	mkdir -p "$work/models"
	step "base images (local stand-ins where they cannot be pulled)"
	scripts/docker-base.sh
	step "docker build trainer.Dockerfile"
	docker build -q -f trainer.Dockerfile --build-arg VERSION="$version" -t intent-trainer:check . >/dev/null
	step "docker build api.Dockerfile"
	docker build -q -f api.Dockerfile --build-arg VERSION="$version" -t intent-api:check . >/dev/null
	step "docker run intent-trainer:check (default command: train on /data/sample)"
	docker run --rm --user "$(id -u):$(id -g)" -v "$work/models:/models" -v "$root/data:/data:ro" intent-trainer:check >"$work/train.log" 2>&1 ||
		{ cat "$work/train.log" >&2; die "the trainer image failed"; }
	check_models
	step "docker run intent-api:check on port $port"
	cid=$(docker run -d --rm --user "$(id -u):$(id -g)" -p "127.0.0.1:$port:4002" -v "$work/models:/models:ro" intent-api:check)
	trap 'docker rm -f "$cid" >/dev/null 2>&1 || true; cleanup' EXIT
	wait_ready "http://127.0.0.1:$port/readyz" 60
	check_answer
	docker exec "$cid" /api --check || die "the HEALTHCHECK command (/api --check) failed"
	echo "    /api --check: ok"
	exit 0
fi

# --- buildah, local stand-ins for the base images ---------------------------
echo "make docker-check: runner=buildah (no Docker engine answers: local stand-ins for the base images)"
if ! command -v buildah >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		step "installing buildah (apt-get)"
		apt-get update -qq >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends buildah >/dev/null
	else
		die "buildah is not installed: apt-get install buildah (as root), or run on a machine with Docker"
	fi
fi
command -v go >/dev/null 2>&1 || die "go is not on PATH: the Go stand-in image is made from this machine's Go"
command -v curl >/dev/null 2>&1 || die "curl is not installed"
export BUILDAH_ISOLATION=chroot

gover=$(go env GOVERSION)
# The stand-in depends only on the Go version and on this recipe: it is
# reused when it exists (vfs makes it slow to make).
standin_rev=1 # bump when the recipe below changes
go_image="localhost/intent-standin-go:${gover#go}-r$standin_rev"

if "${B[@]}" inspect --type image "$go_image" >/dev/null 2>&1; then
	step "Go stand-in image $go_image (reused)"
else
	step "assembling the Go stand-in image $go_image from $(go env GOROOT)"
	ctr=$("${B[@]}" from scratch)
	containers+=("$ctr")
	mnt=$("${B[@]}" mount "$ctr")
	go_rootfs "$mnt"
	"${B[@]}" umount "$ctr" >/dev/null
	envs=()
	for kv in "${go_standin_env[@]}"; do envs+=(--env "$kv"); done
	"${B[@]}" config "${envs[@]}" \
		--workingdir /go "$ctr"
	"${B[@]}" commit -q --rm "$ctr" "$go_image" >/dev/null
	containers=()
	# Stand-ins of other Go versions or recipes are stale now.
	for old in $("${B[@]}" images --format '{{.Name}}:{{.Tag}}' | grep '^localhost/intent-standin-go:' || true); do
		[ "$old" = "$go_image" ] || "${B[@]}" rmi "$old" >/dev/null 2>&1 || true
	done
fi

# The modules of go.mod as a file proxy. `go mod download -json` uses the
# local module cache (the network only for what it lacks, as in .ci/run);
# the build inside the images then reads this proxy only.
step "module proxy for the build (from $(go env GOMODCACHE))"
module_proxy "$work/proxy" "$work" || die "cannot assemble the module proxy"
echo "    $(find "$work/proxy" -name '*.zip' | wc -l) modules, $(du -sh "$work/proxy" | cut -f1)"

bud() {
	local file=$1 tag=$2
	# A kept image of an earlier run would be left untagged: remove it first.
	"${B[@]}" rmi -f "$tag" >/dev/null 2>&1 || true
	"${B[@]}" bud --isolation chroot --format docker --pull=never --quiet \
		--build-arg GO_IMAGE="$go_image" --build-arg RUNTIME_IMAGE=scratch \
		--build-arg VERSION="$version" \
		--volume "$work/proxy:/go/proxy:ro" \
		-f "$file" -t "$tag" . >"$work/build.log" 2>&1 ||
		{ tail -n 40 "$work/build.log" >&2; die "building $file failed"; }
	images+=("$tag")
}

step "buildah bud trainer.Dockerfile (GO_IMAGE=$go_image RUNTIME_IMAGE=scratch)"
bud trainer.Dockerfile localhost/intent-trainer:check
step "buildah bud api.Dockerfile"
bud api.Dockerfile localhost/intent-api:check

# The images' own configuration, as docker would use it.
cfg() { "${B[@]}" inspect --type image --format "$2" "$1"; }
[ "$(cfg localhost/intent-api:check '{{.Docker.Config.User}}')" = 65532:65532 ] || die "api image: not USER 65532:65532"
[ "$(cfg localhost/intent-trainer:check '{{.Docker.Config.User}}')" = 65532:65532 ] || die "trainer image: not USER 65532:65532"
health=$(cfg localhost/intent-api:check '{{if .Docker.Config.Healthcheck}}{{.Docker.Config.Healthcheck.Test}}{{end}}')
[ "$health" = '[CMD /api --check]' ] || die "api image: unexpected HEALTHCHECK: $health"
echo "    USER 65532:65532 in both; api HEALTHCHECK $health"

# entrypoint_cmd IMAGE: the image's ENTRYPOINT followed by its CMD.
entrypoint_cmd() { cfg "$1" '{{range .Docker.Config.Entrypoint}}{{.}} {{end}}{{range .Docker.Config.Cmd}}{{.}} {{end}}'; }

# Folders written by uid 65532 inside the containers.
mkdir -p "$work/models"
chown 65532:65532 "$work/models"

step "buildah run intent-trainer:check: $(entrypoint_cmd localhost/intent-trainer:check)"
ctr=$("${B[@]}" from --pull=never localhost/intent-trainer:check)
containers+=("$ctr")
# buildah run puts the image's VOLUME over a -v on the same path (docker
# does the opposite): drop it from this working container, not the image.
"${B[@]}" config --volume /models- "$ctr"
# shellcheck disable=SC2046 # the default command has no spaces in its words
"${B[@]}" run --isolation chroot -v "$work/models:/models" -v "$root/data:/data:ro" "$ctr" -- \
	$(entrypoint_cmd localhost/intent-trainer:check) >"$work/train.log" 2>&1 ||
	{ cat "$work/train.log" >&2; die "the trainer image failed"; }
grep -iE 'accuracy|macro' "$work/train.log" | head -n 3 | sed 's/^/    /' || true
check_models

step "buildah run intent-api:check on the host network, PORT=$port: $(entrypoint_cmd localhost/intent-api:check)"
if curl -fsS --max-time 1 -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then
	die "port $port is already in use: set CHECK_PORT"
fi
ctr=$("${B[@]}" from --pull=never localhost/intent-api:check)
containers+=("$ctr")
"${B[@]}" config --volume /models- "$ctr"
# A process group of its own, so that cleanup stops buildah and the server.
# Its default command, with PORT moved off 4002 (a dev server may run there).
# shellcheck disable=SC2046
setsid "${B[@]}" run --isolation chroot --network host -e PORT="$port" \
	-v "$work/models:/models:ro" "$ctr" -- \
	$(entrypoint_cmd localhost/intent-api:check) >"$work/api.log" 2>&1 &
api_pid=$!
wait_ready "http://127.0.0.1:$port/readyz" 60
check_answer
"${B[@]}" run --isolation chroot --network host -e PORT="$port" "$ctr" -- /api --check >/dev/null 2>&1 ||
	die "the HEALTHCHECK command (/api --check) failed"
echo "    HEALTHCHECK /api --check: ok"
