#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installs the arm64 cross tools and QEMU (idempotent) and fetches, as Debian packages
# extracted under $PW_CACHE/arm64 (never installed), the arm64 kernel of the same ABI
# series as linux-headers-amd64: its headers (+ -common), its image, and arm64 busybox,
# kexec-tools and makedumpfile with the libraries they load. Prints KEY=VALUE lines:
#   PW_A64_ABI, PW_A64_KDIR (headers usable for a cross build), PW_A64_VMLINUZ,
#   PW_A64_CONFIG, PW_A64_ROOT (the extracted arm64 root)
set -euo pipefail

PW_CACHE=${PW_CACHE:-/var/cache/physwatch-kernel}
PKGS="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm linux-headers-amd64 python3"
log() { echo "arm64 setup: $*" >&2; }

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	log "adding the arm64 architecture"
	dpkg --add-architecture arm64
	apt-get update -qq >&2
fi
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	log "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# Other jobs on the machine may hold the dpkg lock for minutes.
	# shellcheck disable=SC2086
	apt-get install -y -qq -o DPkg::Lock::Timeout=900 --no-install-recommends $missing >&2 || {
		apt-get update -qq >&2
		# shellcheck disable=SC2086
		apt-get install -y -qq -o DPkg::Lock::Timeout=900 --no-install-recommends $missing >&2
	}
fi

# The same ABI as the x86 suite's kernel (linux-headers-amd64's dependency), never hard-coded.
dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64)
amd_abi=$(echo "$dep" | sed -n 's/.*linux-headers-\([0-9][^ ,]*\)-amd64.*/\1/p')
[ -n "$amd_abi" ] || { log "cannot derive the kernel ABI from: $dep"; exit 1; }
abi=$amd_abi-arm64
series=$(echo "$amd_abi" | cut -d. -f1,2)
kbuild_ver=$(dpkg-query -W -f='${Version}' "linux-kbuild-$series")
hdr_ver=$(dpkg-query -W -f='${Version}' "linux-headers-$amd_abi-amd64")

dest=$PW_CACHE/arm64/$abi
root=$dest/root
kdir=$root/usr/src/linux-headers-$abi
stamp=$dest/.complete-$hdr_ver

# download PKG...: apt-get download, retried once after an update (an old ABI may
# have left the index).
download() {
	(cd "$1" && shift && apt-get download -q "$@" >&2) ||
		{ apt-get update -qq >&2 && (cd "$1" && shift && apt-get download -q "$@" >&2); }
}

if [ ! -e "$stamp" ]; then
	log "fetching the arm64 kernel $abi into $dest"
	rm -rf "$dest"
	mkdir -p "$dest/dl" "$root"
	chmod 755 "$dest/dl" # apt's _apt user writes there
	download "$dest/dl" "linux-headers-$abi:arm64" "linux-headers-$amd_abi-common" \
		"linux-image-$abi:arm64" busybox-static:arm64 kexec-tools:arm64 makedumpfile:arm64
	# The libraries kexec and makedumpfile load, found by walking their package
	# dependencies (libraries only: nothing here is installed, only unpacked).
	libs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances kexec-tools:arm64 makedumpfile:arm64 |
		sed -n 's/^ *\(Pre\)\?Depends: \(\(lib\|zlib1g\)[^ <>]*:arm64\)$/\2/p' | sort -u)
	# shellcheck disable=SC2086
	download "$dest/dl" $libs
	for deb in "$dest"/dl/*.deb; do
		case $deb in */linux-image-*) continue ;; esac
		dpkg -x "$deb" "$root"
	done
	# Of the image only boot/ is needed: the vmlinuz (an uncompressed Image) and config.
	dpkg-deb --fsys-tarfile "$dest"/dl/linux-image-"$abi"_*.deb | tar -x -C "$root" ./boot
	rm -f "$dest"/dl/linux-image-*.deb
	# The headers point at /usr/src/...-common and ../../lib/linux-kbuild-X: use this
	# host's own kbuild tools (fixdep, modpost, ... built for amd64) of the same version.
	sed -i "s|^include /usr/src/|include $root/usr/src/|" "$kdir/Makefile"
	rm -rf "$root/usr/lib/linux-kbuild-$series"
	ln -sfn "/usr/lib/linux-kbuild-$series" "$root/usr/lib/linux-kbuild-$series"
	touch "$stamp"
fi

arm_ver=$(dpkg-deb -f "$dest"/dl/linux-headers-"$abi"_*.deb Version)
if [ "$arm_ver" != "$kbuild_ver" ]; then
	log "linux-headers-$abi $arm_ver needs linux-kbuild-$series $arm_ver, this host has $kbuild_ver"
	exit 1
fi
[ -s "$root/boot/vmlinuz-$abi" ] || { log "no vmlinuz in $root/boot"; exit 1; }

echo "PW_A64_ABI=$abi"
echo "PW_A64_KDIR=$kdir"
echo "PW_A64_VMLINUZ=$root/boot/vmlinuz-$abi"
echo "PW_A64_CONFIG=$root/boot/config-$abi"
echo "PW_A64_ROOT=$root"
