# SPDX-License-Identifier: GPL-2.0
# arm64 twin of kdump.sh: the seed's parameters on the zero page (address from user
# space, zeropage helper), crash kernel loaded with kexec -p on ttyAMA0; the host
# writes 0x33, the kernel panics into the crash kernel, which runs kdumpsave.sh.
. /suites/lib.sh
plan 5
# kexec-tools 2.0.25 takes the kernel image's virtual start from /proc/kallsyms' _text,
# which a kernel without CONFIG_KALLSYMS_ALL (Debian's arm64 6.1) does not list (it is
# before _stext, outside kallsyms' text range): without it the vmcore's ELF headers
# are garbage and makedumpfile cannot read them. Give kexec a kallsyms that has it:
# _text is 64 KiB (arm64's SEGMENT_ALIGN, the .head.text) before _stext.
stext=$(sed -n 's/^\([0-9a-f]*\) T _stext$/\1/p' /proc/kallsyms)
{ printf '%016x T _text\n' $((0x$stext - 0x10000)); cat /proc/kallsyms; } >/tmp/kallsyms
mount --bind /tmp/kallsyms /proc/kallsyms
code=$(sed -n 's/^  \([0-9a-f]*\)-[0-9a-f]* : Kernel code$/\1/p' /proc/iomem)
check kernel-image-2M-aligned [ $(((0x$code - 0x10000) % 0x200000)) -eq 0 ]
kexec -p /vmlinuz --initrd=/crash-initrd.gz \
	--append="console=ttyAMA0 panic=-1 irqpoll nr_cpus=1 reset_devices nokaslr pw.suite=kdumpsave"
check kexec-loaded [ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ]
umount /proc/kallsyms
Z=$(/zeropage addr)
check zero-page-found [ -n "$Z" ]
check zero-page-reads-zero [ "$(/zeropage byte)" = 0x0 ]
insmod /physwatch.ko paddr_dram_to_watch=$Z target_dram_val=0x33 \
	watch_interval_ms=30 panic_on_hit=1
check seed-loaded [ $? -eq 0 ]
poke ram $Z 1 0x33
sleep 60
