#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs what the physwatch tests need (idempotent) and fetches the Debian kernel
# image that matches linux-headers-$PW_FLAVOUR (default amd64: Debian 12's own 6.1;
# also 6.12-amd64, 6.12-rt-amd64). Prints KEY=VALUE lines for the caller to eval:
#   PW_ABI, PW_KDIR (headers), PW_VMLINUZ, PW_SYSMAP, PW_CACHE
set -euo pipefail

PW_CACHE=${PW_CACHE:-/var/cache/physwatch-kernel}
flavour=${PW_FLAVOUR:-amd64}
PKGS="qemu-system-x86 busybox-static linux-headers-amd64 linux-headers-$flavour kmod make
      gcc libc6-dev python3 clang libclang-rt-14-dev kexec-tools makedumpfile dkms"

log() { echo "setup: $*" >&2; }

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	log "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >&2
fi

# The ABI is whatever the flavour's headers package depends on today (never hard-coded).
dep=$(dpkg-query -W -f='${Depends}' "linux-headers-$flavour")
abi=$(echo "$dep" | sed -n 's/.*linux-headers-\([0-9][^ ,]*-amd64\).*/\1/p')
[ -n "$abi" ] || { log "cannot derive kernel ABI from: $dep"; exit 1; }
kdir=/usr/src/linux-headers-$abi
[ -d "$kdir" ] || { log "missing $kdir"; exit 1; }

dest=$PW_CACHE/$abi
vmlinuz=$dest/root/boot/vmlinuz-$abi
if [ ! -s "$vmlinuz" ]; then
	log "fetching linux-image-$abi into $dest"
	mkdir -p "$dest"
	tmp=$(mktemp -d "$dest/dl.XXXXXX")
	(cd "$tmp" && apt-get download -q "linux-image-$abi" >&2 ||
		{ apt-get update -qq >&2 && apt-get download -q "linux-image-$abi" >&2; })
	rm -rf "$dest/root"
	dpkg -x "$tmp"/linux-image-"$abi"_*.deb "$dest/root"
	rm -rf "$tmp"
fi

echo "PW_ABI=$abi"
echo "PW_KDIR=$kdir"
echo "PW_VMLINUZ=$vmlinuz"
echo "PW_SYSMAP=$dest/root/boot/System.map-$abi"
echo "PW_CACHE=$PW_CACHE"
