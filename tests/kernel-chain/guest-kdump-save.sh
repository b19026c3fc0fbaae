# SPDX-License-Identifier: GPL-2.0
# Crash kernel side of the kdump chain test (pw.suite=chainkdump on the `kexec -p` command
# line): what kdump-tools does on a real host. The dump goes to the persistent export
# (a host directory the next boot mounts again) in kdump-tools' layout
# <crashDir>/<YYYYMMDDHHMM>/{dump.<stamp>,dmesg.<stamp>}, written as dump-incomplete and
# renamed when complete, so a reader never takes a partial file for a dump. Then reboot:
# QEMU resets and boots the first kernel again, whose agent reports the dump.
# On any failure it exits, and /init powers off: QEMU exits and the test fails fast.
echo "@@KDUMP-CRASH-KERNEL $(cut -d' ' -f1 /proc/uptime)"
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci \
	9pnet 9pnet_virtio netfs fscache 9p; do
	[ -e /chainmods/$m.ko ] && insmod /chainmods/$m.ko 2>/dev/null
done
mkdir -p /persist
# No cache: every byte is on the host before the reboot.
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 persist /persist ||
	{ echo "@@KDUMP-ERROR cannot mount the persistent export"; exit 1; }
# kdump-tools' stamp has minutes only: a second crash within the same minute waits for the
# next one rather than overwrite the first dump.
stamp=$(date -u +%Y%m%d%H%M)
while [ -e "/persist/crash/$stamp" ]; do
	sleep 1
	stamp=$(date -u +%Y%m%d%H%M)
done
dir=/persist/crash/$stamp
mkdir -p "$dir"
makedumpfile --dump-dmesg /proc/vmcore "$dir/dmesg.$stamp" >/tmp/mkd-dmesg.log 2>&1 ||
	{ echo "@@KDUMP-ERROR makedumpfile --dump-dmesg: $(tail -n1 /tmp/mkd-dmesg.log)"; exit 1; }
# -d 31 and lzo as kdump-tools' defaults would (it uses -c; -l is faster under TCG).
makedumpfile -l -d 31 /proc/vmcore "$dir/dump-incomplete" >/tmp/mkd.log 2>&1 ||
	{ echo "@@KDUMP-ERROR makedumpfile: $(tail -n1 /tmp/mkd.log)"; exit 1; }
mv "$dir/dump-incomplete" "$dir/dump.$stamp"
sync
umount /persist
echo "@@KDUMP-SAVED crash/$stamp/dump.$stamp $(cut -d' ' -f1 /proc/uptime)"
reboot -f
