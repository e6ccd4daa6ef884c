#!/bin/sh
# scripts/install-deps.sh - install every Debian package mxaudit needs to
# build and run its tests (the list is scripts/debian-packages.txt).
# Works as root, and as a normal user through sudo.  Non-interactive.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
list="$here/debian-packages.txt"
[ -r "$list" ] || { echo "install-deps.sh: cannot read $list" >&2; exit 1; }

# One package a line; '#' starts a comment.
pkgs=$(sed -e 's/#.*//' "$list" | tr -s ' \t' '\n\n' | grep -v '^$' | sort -u | tr '\n' ' ')

if [ "$(id -u)" -eq 0 ]; then
	as_root=""
elif command -v sudo >/dev/null 2>&1; then
	as_root="sudo"
else
	echo "install-deps.sh: run as root, or install sudo (apt-get install sudo) first" >&2
	exit 1
fi

# sudo drops most of the environment: pass DEBIAN_FRONTEND through env.
# No stdin is needed (CI runs this with none).
echo "install-deps.sh: apt-get install $pkgs"
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update </dev/null
# shellcheck disable=SC2086 # one word per package
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkgs </dev/null
