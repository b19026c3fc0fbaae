# SPDX-License-Identifier: GPL-2.0
# The seed's panic with kdump, on its real case: the seed's parameters watch the byte
# of empty_zero_page (address found through a sym= watch), the host writes 0x33,
# the kernel panics into the crash kernel, which saves a vmcore and prints its dmesg
# (suite kdumpsave). The host checks that dmesg holds the hit line.
. /suites/lib.sh
plan 3
kexec -p /vmlinuz --initrd=/crash-initrd.gz \
	--append="console=ttyS0 panic=-1 irqpoll nr_cpus=1 reset_devices nokaslr pw.suite=kdumpsave"
check kexec-loaded [ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ]
insmod /physwatch.ko
cmd add id=1 sym=empty_zero_page width=1 cond=any_change interval_us=1000
Z=$(status_field 1 paddr)
rmmod physwatch
check zero-page-found [ -n "$Z" ]
insmod /physwatch.ko paddr_dram_to_watch=$Z target_dram_val=0x33 \
	watch_interval_ms=30 panic_on_hit=1
check seed-loaded [ $? -eq 0 ]
poke ram $Z 1 0x33
sleep 60
