#!/usr/bin/env bash
# make data: decrypt the real dataset DATA_ARCHIVE (default data/data.tgz.gpg,
# a gpg-symmetric-encrypted tar.gz in the Posos layout) and extract it into
# DATA_DIR (default data/).
#
# The passphrase comes from DATA_PASSPHRASE_FILE (a file whose first line is
# the passphrase) or from the environment variable DATA_PASSPHRASE. It is
# handed to gpg through a file or a file descriptor, never as an argument,
# so `ps` does not show it.
#
# Nothing is extracted unless the whole archive decrypts and unpacks: it is
# decrypted and checked in a temporary folder first.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA_DIR=${DATA_DIR:-data}
DATA_ARCHIVE=${DATA_ARCHIVE:-$DATA_DIR/data.tgz.gpg}

die() {
	echo "make data: $*" >&2
	exit 1
}

command -v gpg >/dev/null 2>&1 || die "gpg is not installed (apt-get install gnupg)"
if [ ! -f "$DATA_ARCHIVE" ]; then
	die "$DATA_ARCHIVE not found: put the encrypted dataset there (it is not in the repository), or set DATA_ARCHIVE=path/to/data.tgz.gpg"
fi

pass_args=()
if [ -n "${DATA_PASSPHRASE_FILE:-}" ]; then
	[ -r "$DATA_PASSPHRASE_FILE" ] || die "DATA_PASSPHRASE_FILE=$DATA_PASSPHRASE_FILE cannot be read"
	pass_args=(--passphrase-file "$DATA_PASSPHRASE_FILE")
	from="DATA_PASSPHRASE_FILE"
elif [ -n "${DATA_PASSPHRASE:-}" ]; then
	# Read by gpg on fd 3, fed from a here-string (not an argument).
	pass_args=(--passphrase-fd 3)
	from="DATA_PASSPHRASE"
else
	die "no passphrase: set DATA_PASSPHRASE (environment) or DATA_PASSPHRASE_FILE (a file holding it), e.g. DATA_PASSPHRASE_FILE=~/.intent-data-pass make data"
fi

mkdir -p "$DATA_DIR"
tmp=$(mktemp -d "$DATA_DIR/.data.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "make data: decrypting $DATA_ARCHIVE (passphrase from $from)"
# --no-symkey-cache: a wrong passphrase must fail even after a right one.
gpg_cmd=(gpg --batch --yes --quiet --pinentry-mode loopback --no-symkey-cache
	"${pass_args[@]}" --output "$tmp/data.tgz" --decrypt "$DATA_ARCHIVE")
if [ "$from" = DATA_PASSPHRASE ]; then
	status=0
	"${gpg_cmd[@]}" 3<<<"$DATA_PASSPHRASE" 2>"$tmp/gpg.err" || status=$?
else
	status=0
	"${gpg_cmd[@]}" 2>"$tmp/gpg.err" || status=$?
fi
if [ "$status" != 0 ]; then
	# gpg starts its own lines with "gpg: ": indent them, without a second prefix.
	sed -e 's/^gpg: //' -e 's/^/  gpg: /' "$tmp/gpg.err" >&2
	die "could not decrypt $DATA_ARCHIVE (wrong passphrase from $from, or not a gpg file)"
fi

mkdir "$tmp/x"
tar -xzf "$tmp/data.tgz" -C "$tmp/x" --no-same-owner --no-same-permissions ||
	die "$DATA_ARCHIVE decrypted, but is not a valid .tgz"

# The Posos files may sit at the top of the archive or in one folder.
src=$tmp/x
if [ ! -e "$src/input_train.csv" ]; then
	inner=$(find "$src" -mindepth 2 -maxdepth 2 -name input_train.csv -printf '%h\n' | head -n1)
	[ -z "$inner" ] || src=$inner
fi
if [ ! -e "$src/input_train.csv" ] || [ ! -e "$src/output_train.csv" ]; then
	echo "make data: warning: no input_train.csv + output_train.csv (Posos layout) in the archive; extracting it as it is" >&2
fi

# Move everything into DATA_DIR: files replace those of a previous run; a
# folder is never merged into or replaced (data/sample stays what it is).
find "$src" -mindepth 1 -maxdepth 1 -not -name '.*' -printf '%f\n' | sort >"$tmp/names"
while IFS= read -r name; do
	if [ -d "$src/$name" ] && [ -e "$DATA_DIR/$name" ]; then
		die "the archive holds a folder $name, and $DATA_DIR/$name exists: move it away first"
	fi
done <"$tmp/names"
while IFS= read -r name; do
	mv -f "$src/$name" "$DATA_DIR/$name"
	echo "  $DATA_DIR/$name"
done <"$tmp/names"
echo "make data: done. Train on it with: make train DATA=$DATA_DIR"
