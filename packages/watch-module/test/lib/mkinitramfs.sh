#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mkinitramfs.sh OUT.cpio.gz ABI MODULE.ko PWCTL [VMLINUZ]: a busybox initramfs
# holding the module, the guest helper and the suites from test/guest/. With VMLINUZ
# it is the kdump image: kexec and makedumpfile (with their libraries), the kernel,
# and a copy of the plain image as the crash kernel's initrd.
set -euo pipefail
out=$1 abi=$2 ko=$3 pwctl=$4 vmlinuz=${5:-}
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,suites,lib/modules/"$abi"/extra}
cp /bin/busybox "$root/bin/busybox"
for app in $(/bin/busybox --list); do
	[ "$app" = busybox ] || ln -sf busybox "$root/bin/$app"
done
cp "$here/guest/init" "$root/init"
chmod 755 "$root/init"
cp "$here"/guest/*.sh "$root/suites/"
strip --strip-debug -o "$root/physwatch.ko" "$ko"
cp "$root/physwatch.ko" "$root/lib/modules/$abi/extra/physwatch.ko"
echo "extra/physwatch.ko:" > "$root/lib/modules/$abi/modules.dep"
cp "$pwctl" "$root/pwctl"
# Extra modules for the benchmark (PW_EXTRA_KO="a.ko b.ko").
for extra in ${PW_EXTRA_KO:-}; do
	strip --strip-debug -o "$root/$(basename "$extra")" "$extra"
done

# A dynamic binary and the libraries ldd names, at their own paths.
add_bin() {
	local lib
	mkdir -p "$root$(dirname "$1")"
	cp "$1" "$root$1"
	for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
if [ -n "$vmlinuz" ]; then
	add_bin "$(command -v makedumpfile)"
	# The crash kernel boots the image as it is so far (no kernel, no kexec).
	crash=$(mktemp)
	(cd "$root" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) |
		gzip -1 >"$crash"
	mv "$crash" "$root/crash-initrd.gz"
	add_bin "$(command -v kexec)"
	cp "$vmlinuz" "$root/vmlinuz"
fi
(cd "$root" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) | gzip -1 > "$out"
