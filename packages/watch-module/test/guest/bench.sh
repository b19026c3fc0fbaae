# SPDX-License-Identifier: GPL-2.0
# Benchmark (not a test): poll cost of a word and a 4 KiB region next to a bare
# READ_ONCE loop, and host-store -> hit-line latency at 100 us, 1 ms and 30 ms.
. /suites/lib.sh
plan 0
S=$((0x$(scratch_base)))
W=$((S + 0x400000))
R=$((S + 0x401000))
L=$((S + 0x402000))
insmod /physwatch.ko
insmod /pw_bench.ko paddr=$(hex $R)
echo "@@BENCH $(dmesg | grep 'pw_bench: bare READ_ONCE' | tail -n1 | sed 's/.*pw_bench: //')"
rmmod pw_bench
for iv in 100 1000; do
	cmd add id=1 paddr=$(hex $W) width=8 cond=any_change interval_us=$iv
	cmd add id=2 paddr=$(hex $R) len=4096 width=8 cond=any_change interval_us=$iv
	sleep 3
	echo "@@BENCH interval_us=$iv word: polls=$(status_field 1 polls) poll_ns_avg=$(status_field 1 poll_ns_avg)"
	echo "@@BENCH interval_us=$iv 4KiB region: polls=$(status_field 2 polls) poll_ns_avg=$(status_field 2 poll_ns_avg)"
	cmd clear
done
echo 5 > /proc/sys/kernel/printk
for iv in 100 1000 30000; do
	echo "@@LAT interval_us=$iv"
	cmd add id=10 paddr=$(hex $L) width=8 cond=any_change interval_us=$iv
	n=0
	while [ $n -lt ${PW_TRIALS:-20} ]; do
		n=$((n + 1))
		usleep $((RANDOM % 50000 + 10000))
		poke ram $(hex $L) 8 $((iv * 1000 + n))
		events 1 3000 >/dev/null
	done
	cmd del id=10
done
suite_done
