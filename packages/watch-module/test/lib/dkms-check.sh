#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dkms-check.sh ABI: builds the module through DKMS from the files git tracks (as a
# package would ship them) for kernel ABI, checks vermagic, and removes it again.
set -euo pipefail
abi=$1
pkg=$(cd "$(dirname "$0")/../.." && pwd)
name=physwatch
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$pkg/dkms.conf")
src=/usr/src/$name-$ver
cleanup() {
	dkms remove -m "$name" -v "$ver" --all >/dev/null 2>&1 || true
	rm -rf "$src"
}
trap cleanup EXIT
cleanup
mkdir -p "$src"
(cd "$pkg" && cp --parents dkms.conf Kbuild Makefile src/*.c src/*.h "$src/")
dkms add -m "$name" -v "$ver" >/dev/null
dkms build -m "$name" -v "$ver" -k "$abi" >/dev/null
ko=$(find "/var/lib/dkms/$name/$ver/$abi" -name "$name.ko*" | head -n1)
magic=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
[ "$magic" = "$abi" ] || { echo "dkms: vermagic $magic != $abi" >&2; exit 1; }
echo "dkms: built $ko for $abi"
