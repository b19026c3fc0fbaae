#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mkinitramfs.sh OUT.cpio.gz ABI MODULE.ko PWCTL: a busybox initramfs holding the
# module, the guest helper and the suites from test/guest/.
set -euo pipefail
out=$1 abi=$2 ko=$3 pwctl=$4
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
cp "$ko" "$root/physwatch.ko"
cp "$ko" "$root/lib/modules/$abi/extra/physwatch.ko"
echo "extra/physwatch.ko:" > "$root/lib/modules/$abi/modules.dep"
cp "$pwctl" "$root/pwctl"
(cd "$root" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) | gzip -1 > "$out"
