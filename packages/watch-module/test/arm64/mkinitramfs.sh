#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mkinitramfs.sh OUT.cpio.gz ROOT ABI MODULE.ko PWCTL ZEROPAGE [VMLINUZ]: the arm64 twin
# of test/lib/mkinitramfs.sh. ROOT is the extracted arm64 packages (setup.sh): their
# busybox, and with VMLINUZ (the kdump image) their kexec and makedumpfile with the
# libraries those load. The suites are test/guest/'s, shared with x86, plus the arm64
# variants in test/arm64/guest/. Lines of shared suites that only hold on x86 are
# rewritten (arm64_line), each from the kernel's config in ROOT/boot.
set -euo pipefail
out=$1 sysroot=$2 abi=$3 ko=$4 pwctl=$5 zeropage=$6 vmlinuz=${7:-}
here=$(cd "$(dirname "$0")/.." && pwd)
img=$(mktemp -d)
trap 'rm -rf "$img"' EXIT

mkdir -p "$img"/{bin,sbin,proc,sys,dev,tmp,suites,lib/modules/"$abi"/extra}
cp "$sysroot/bin/busybox" "$img/bin/busybox"
# The same busybox release as this host's (both Debian 12's busybox-static), so the
# host's applet list is the guest's.
for app in $(/bin/busybox --list); do
	[ "$app" = busybox ] || ln -sf busybox "$img/bin/$app"
done
cp "$here/guest/init" "$img/init"
chmod 755 "$img/init"
cp "$here"/guest/*.sh "$here"/arm64/guest/*.sh "$img/suites/"
# arm64_line SUITE REGEX REPLACEMENT: a shared suite's one x86-only line, made arm64's;
# the build fails if the suite no longer has exactly that one line.
arm64_line() {
	[ "$(grep -c "$2" "$img/suites/$1")" = 1 ] ||
		{ echo "mkinitramfs: $1 no longer has exactly one line matching $2" >&2; exit 1; }
	sed -i "s#$2#$3#" "$img/suites/$1"
}
config=$sysroot/boot/config-$abi
# arm64 prints no 'address sizes' in /proc/cpuinfo: the width the module checks
# against is PHYS_MASK_SHIFT, i.e. CONFIG_ARM64_PA_BITS.
pa_bits=$(sed -n 's/^CONFIG_ARM64_PA_BITS=\([0-9]*\)$/\1/p' "$config")
[ -n "$pa_bits" ] || { echo "mkinitramfs: no CONFIG_ARM64_PA_BITS in $config" >&2; exit 1; }
arm64_line main.sh '^PB=$(sed -n .s/^address sizes.* /proc/cpuinfo | head -n1)$' "PB=$pa_bits"
# crashkernel=16M@512M (x86) is crashkernel=16M@0x60000000 here: 512 MiB into RAM.
arm64_line seedpanic.sh '^check scratch-at-512M \[ "$S" = $((0x20000000)) \]$' \
	'check scratch-at-512M-into-ram [ "$S" = $((0x60000000)) ]'
aarch64-linux-gnu-strip --strip-debug -o "$img/physwatch.ko" "$ko"
cp "$img/physwatch.ko" "$img/lib/modules/$abi/extra/physwatch.ko"
echo "extra/physwatch.ko:" >"$img/lib/modules/$abi/modules.dep"
cp "$pwctl" "$img/pwctl"
cp "$zeropage" "$img/zeropage"

# add_bin PATH: an arm64 binary from ROOT and, transitively, the libraries it names.
add_bin() {
	local f=$1 lib found d
	[ -e "$img$f" ] && return 0
	mkdir -p "$img$(dirname "$f")"
	cp -L "$sysroot$f" "$img$f"
	for lib in $(aarch64-linux-gnu-readelf -d "$sysroot$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		found=""
		for d in /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu; do
			[ -e "$sysroot$d/$lib" ] && { found=$d/$lib; break; }
		done
		[ -n "$found" ] || { echo "mkinitramfs: $f needs $lib, not in $sysroot" >&2; exit 1; }
		add_bin "$found"
	done
}
if [ -n "$vmlinuz" ]; then
	mkdir -p "$img/lib"
	add_bin /lib/ld-linux-aarch64.so.1
	add_bin /usr/bin/makedumpfile
	crash=$(mktemp)
	(cd "$img" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$crash"
	mv "$crash" "$img/crash-initrd.gz"
	add_bin /sbin/kexec
	cp "$vmlinuz" "$img/vmlinuz"
fi
(cd "$img" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$out"
