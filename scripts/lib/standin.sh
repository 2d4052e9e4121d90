# Shared by scripts/docker-standins.sh (Docker engine) and
# scripts/docker-check.sh (buildah): how a Go base image stand-in is laid
# out from this machine's Go, and the module proxy a build reads instead of
# the network. Source it; it defines functions only.

# copy_bin SRC DST ROOTFS: a dynamically linked program and its libraries.
copy_bin() {
	local src=$1 dst=$2 rootfs=$3 lib
	install -D -m 0755 "$(readlink -f "$src")" "$rootfs$dst"
	for lib in $(ldd "$src" | grep -oE '/[^ ]+'); do
		[ -e "$rootfs$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$rootfs$lib"
	done
}

# go_rootfs ROOTFS: this machine's Go tree (without its tests and docs), a
# shell and the few tools that RUN steps use, as in golang:*-bookworm.
go_rootfs() {
	local rootfs=$1 t
	mkdir -p "$rootfs/usr/local/go" "$rootfs/go/bin" "$rootfs/go/proxy" "$rootfs/root" "$rootfs/tmp" "$rootfs/etc" "$rootfs/src"
	chmod 1777 "$rootfs/tmp"
	tar -C "$(go env GOROOT)" --exclude=./test --exclude=./doc --exclude=./misc -cf - . | tar -C "$rootfs/usr/local/go" -xf -
	copy_bin "$(type -P dash)" /bin/sh "$rootfs"
	for t in mkdir chmod chown cp rm ls cat env true; do
		copy_bin "$(type -P "$t")" "/bin/$t" "$rootfs"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"
	echo "root:x:0:" >"$rootfs/etc/group"
}

# The environment of the Go stand-in: the module proxy is a folder.
go_standin_env=(
	PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	GOPATH=/go GOTOOLCHAIN=local HOME=/root
	GOPROXY=file:///go/proxy 'GONOSUMDB=*' GOFLAGS=-mod=readonly
)

# module_proxy DIR WORK: the modules of go.mod, from the local module cache,
# as a file proxy in DIR (WORK is scratch space): the zips of the build list
# and the go.mod of every module of the graph (the go command reads them
# all to load it). `go mod download` fills the cache first (the network
# only for what it lacks).
module_proxy() {
	local dir=$1 work=$2 cache f rel
	cache=$(go env GOMODCACHE)/cache/download
	go mod download -json >"$work/mods.json" || {
		echo "go mod download failed (is the module cache complete?)" >&2
		return 1
	}
	{
		grep -oE '"(Info|GoMod|Zip)": "[^"]+"' "$work/mods.json" | sed -E 's/^"[A-Za-z]+": "(.*)"$/\1/'
		go mod graph | tr ' ' '\n' | grep '@' | grep -vE '^(go|toolchain)@' | sort -u |
			sed -E 's/[A-Z]/!\L&/g; s|^(.*)@(.*)$|'"$cache"'/\1/@v/\2.mod|'
	} | sort -u >"$work/files"
	mkdir -p "$dir"
	while read -r f; do
		rel=${f#"$cache"/}
		if [ "$rel" = "$f" ]; then
			echo "unexpected module cache path: $f" >&2
			return 1
		fi
		# A go.mod the local go command never read (pruned graph) is not needed.
		if [ ! -f "$f" ]; then
			case $f in
			*.mod) continue ;;
			*)
				echo "$f is missing from the module cache: run 'go mod download'" >&2
				return 1
				;;
			esac
		fi
		install -D -m 0644 "$f" "$dir/$rel"
	done <"$work/files"
}
