# SPDX-License-Identifier: GPL-2.0
# cache=: how a RAM poll reaches memory a non-coherent master writes. QEMU models no
# caches, so this proves the choice, the flush path's correctness (every watched line,
# a hit still seen at region edges) and what it costs under TCG, not that a cacheable
# read would miss on real hardware (test/arm64/README.md).
. /suites/lib.sh
plan 9
S=$((0x$(scratch_base)))
insmod /physwatch.ko poll_budget_ppm=1000000
cmd add id=1 paddr=$(hex $S) width=8 cond=any_change interval_us=1000
check cache-default-flush-on-arm64 [ "$(status_field 1 cache)" = flush ]
cmd add id=2 paddr=$(hex $((S + 0x1000))) len=65536 width=8 cond=equals value=0x77 interval_us=1000 cache=flush
poke ram $(hex $((S + 0x1000 + 0xfff8))) 8 0x77
expect_event cache-flush-region-last-word "id=2 offset=0xfff8 new=0x77"
cmd add id=3 paddr=$(hex $((S + 0x20000))) len=65536 width=8 cond=any_change interval_us=1000 cache=coherent
check cache-coherent-listed [ "$(status_field 3 cache)" = coherent ]
poke ram $(hex $((S + 0x20000 + 0x40))) 8 5
expect_event cache-coherent-hit "id=3 offset=0x40 new=0x5"
F=$(status_field 2 cost_ns)
C=$(status_field 3 cost_ns)
echo "@@BENCH cache 64KiB poll cost_ns flush=$F coherent=$C"
check cache-flush-costs-measured [ "$F" -gt 0 ] && check cache-coherent-costs-measured [ "$C" -gt 0 ]
BAR2=$(( $(sed -n 3p /sys/bus/pci/devices/0000:00:04.0/resource | cut -d' ' -f1) ))
mark
out=$(/pwctl cmd "add id=4 paddr=$(hex $((BAR2 + 0x10))) width=4 cond=any_change interval_us=1000 cache=flush")
check cache-on-mmio-refused [ "$out" = err=22 ]
check cache-on-mmio-logged logged_since "add id=4 paddr=$(hex $((BAR2 + 0x10))): cache= is for RAM; MMIO is never cached (-22)"
cmd clear
rmmod physwatch
check cache-no-warn [ -z "$(dmesg | grep -E 'WARNING:|BUG:|Oops')" ]
suite_done
