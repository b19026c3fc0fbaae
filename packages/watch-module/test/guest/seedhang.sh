# SPDX-License-Identifier: GPL-2.0
# The seed's scenario with its own parameters: poll every 30 ms, halt on the first
# 0x33. The host writes 0x33; the host then checks that the guest's heartbeat stops.
. /suites/lib.sh
plan 2
S=$((0x$(scratch_base)))
poke ram $(hex $S) 1 0
insmod /physwatch.ko paddr_dram_to_watch=$(hex $S) target_dram_val=0x33 \
	watch_interval_ms=30 hang_on_hit=1
check seed-loaded [ $? -eq 0 ]
check seed-watch-listed [ -n "$(grep "paddr=$(hex $S) kind=ram len=1 width=1 cond=equals value=0x33 .*interval_us=30000 action=hang" /proc/physwatch)" ]
heartbeat
sleep 1
poke ram $(hex $S) 1 0x33
sleep 60
