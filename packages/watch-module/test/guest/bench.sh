# SPDX-License-Identifier: GPL-2.0
# Benchmark (not a test): poll cost of a word and a 4 KiB region next to a bare
# READ_ONCE loop, the hit path's cost and the guest's slowdown under a 64 KiB region
# rewritten wholesale, and host-store -> hit-line latency at 100 us, 1 ms and 30 ms.
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
# --- the hit path under a 64 KiB region the host rewrites wholesale every 2 ms ---
# The guest's own speed: a fixed shell loop, timed by the guest's clock.
busy() {
	local t0 t1 i=0
	t0=$(cut -d' ' -f1 /proc/uptime)
	while [ $i -lt 100000 ]; do i=$((i + 1)); done
	t1=$(cut -d' ' -f1 /proc/uptime)
	echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }'
}
X=$((S + 0x500000))
if cmd add id=3 paddr=$(hex $X) len=65536 width=8 cond=any_change interval_us=100; then
	echo "@@BENCH default budget: 64KiB region at 100 us armed (share_ppm=$(status_field 3 share_ppm))"
else
	echo "@@BENCH default budget: 64KiB region at 100 us refused: $(dmesg | grep 'add id=3:' | tail -n1 | sed 's/.*physwatch: //')"
fi
rmmod physwatch
# Budget off, to compare the hit path itself with the module before the budget existed.
insmod /physwatch.ko poll_budget_ppm=1000000 2>/dev/null || insmod /physwatch.ko
# Hit lines off the serial console here (the worker still prints them to the log):
# the console's cost is not the hit path's, and its lines would cut into ours.
echo 4 > /proc/sys/kernel/printk
idle=$(busy)
cmd add id=3 paddr=$(hex $X) len=65536 width=8 cond=any_change interval_us=100
sleep 2
p0=$(status_field 3 polls)
n0=$(status_field 3 poll_ns_avg)
echo "@@STORM ram $(hex $X) 65536 2 30"
read -r ack
sleep 2
p1=$(status_field 3 polls)
h1=$(status_field 3 hits)
storm=$(busy)
# One snapshot: the storm goes on while the fields are read.
line=$(status_line 3)
p2=$(field "$line" polls)
h2=$(field "$line" hits)
n2=$(field "$line" poll_ns_avg)
s2=$(field "$line" suppressed)
echo "@@BENCH 64KiB region at 100 us, idle: poll_ns_avg=$n0 over $p0 polls"
echo "@@BENCH 64KiB region at 100 us, rewritten every 2 ms: polls=$((p2 - p1)) hits=$((h2 - h1)) poll_ns_avg(all polls)=$n2 lost=$(header_field lost)"
# Time in the timer beyond an idle poll, per hit (all, and those reported as records).
echo "@@BENCH hit path in the timer: $(echo "$n0 $n2 $p2 $h2 $s2" | awk '{ x = ($2 - $1) * $3; printf "%.0f ns per hit, %.0f ns per reported hit", x / $4, x / ($4 - $5) }')"
echo "@@BENCH guest loop: $idle s without watches, $storm s with the region rewritten (slowdown $(echo "$idle $storm" | awk '{ printf "%.0f%%", ($2 / $1 - 1) * 100 }'))"
cmd clear
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
