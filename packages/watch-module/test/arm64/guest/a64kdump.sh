# SPDX-License-Identifier: GPL-2.0
# arm64 twin of kdump.sh: the seed's parameters on the zero page (address from user
# space, zeropage helper), crash kernel loaded with kexec -p on ttyAMA0; the host
# writes 0x33, the kernel panics into the crash kernel, which runs kdumpsave.sh.
. /suites/lib.sh
plan 4
kexec -p /vmlinuz --initrd=/crash-initrd.gz \
	--append="console=ttyAMA0 panic=-1 irqpoll nr_cpus=1 reset_devices nokaslr pw.suite=kdumpsave"
check kexec-loaded [ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ]
Z=$(/zeropage addr)
check zero-page-found [ -n "$Z" ]
check zero-page-reads-zero [ "$(/zeropage byte)" = 0x0 ]
insmod /physwatch.ko paddr_dram_to_watch=$Z target_dram_val=0x33 \
	watch_interval_ms=30 panic_on_hit=1
check seed-loaded [ $? -eq 0 ]
poke ram $Z 1 0x33
sleep 60
