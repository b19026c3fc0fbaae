#!/bin/bash
# build-image.sh OUT_DIR [kdump]: the module harness's guest image (busybox, physwatch.ko) plus,
# appended as a second cpio archive (the kernel unpacks both), the chain suite and the
# virtio-net/9p modules of the same Debian kernel. With "kdump" the base is the harness's
# kdump image (kexec, makedumpfile, /vmlinuz, /crash-initrd.gz) and the layer adds the
# crash kernel's suite; the guest appends this layer to /crash-initrd.gz itself before
# `kexec -p`, so the crash kernel gets the 9p modules without a second image build.
# The layer also holds writer/pw_chain_writer.ko (loaded only by the guest command "writer").
# Prints KEY=VALUE lines.
set -euo pipefail
out=$1
kind=${2:-plain}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
wm=$repo/packages/watch-module
mkdir -p "$out"
eval "$("$wm/test/lib/setup-host.sh")"
make -s -C "$wm" KDIR="$PW_KDIR" >"$out/kbuild.log" 2>&1
gcc -static -O2 -o "$out/pwctl" "$wm/test/guest/pwctl.c"
# The hunt test's guest kernel writer, built outside the source tree.
rm -rf "$out/writer" && cp -r "$here/writer" "$out/writer"
make -s -C "$PW_KDIR" M="$out/writer" modules >>"$out/kbuild.log" 2>&1
vmlinuz=
[ "$kind" = kdump ] && vmlinuz=$PW_VMLINUZ
"$wm/test/lib/mkinitramfs.sh" "$out/base.cpio.gz" "$PW_ABI" "$wm/physwatch.ko" "$out/pwctl" $vmlinuz

extra=$(mktemp -d)
trap 'rm -rf "$extra"' EXIT
mkdir -p "$extra/suites" "$extra/chainmods"
strip --strip-debug -o "$extra/pw_chain_writer.ko" "$out/writer/pw_chain_writer.ko"
cp "$here/guest-chain.sh" "$extra/suites/chain.sh"
[ "$kind" = kdump ] && cp "$here/guest-kdump-save.sh" "$extra/suites/chainkdump.sh"
mods=$PW_CACHE/$PW_ABI/root/lib/modules/$PW_ABI/kernel
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover \
	net_failover virtio_net 9pnet 9pnet_virtio netfs fscache 9p; do
	f=$(find "$mods" -name "$m.ko" -o -name "$m.ko.xz" | head -n1)
	[ -n "$f" ] || continue # built into this kernel
	case "$f" in *.xz) xz -dc "$f" >"$extra/chainmods/$m.ko" ;; *) cp "$f" "$extra/chainmods/$m.ko" ;; esac
done
(cd "$extra" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$out/chain.cpio.gz"
cat "$out/base.cpio.gz" "$out/chain.cpio.gz" >"$out/initramfs.cpio.gz"
echo "PW_VMLINUZ=$PW_VMLINUZ"
echo "PW_INITRD=$out/initramfs.cpio.gz"
echo "PW_KO=$wm/physwatch.ko"
echo "PW_ABI=$PW_ABI"
