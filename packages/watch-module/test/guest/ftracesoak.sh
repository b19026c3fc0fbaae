# SPDX-License-Identifier: GPL-2.0
# An ftrace-mode watch on the wake-up path itself (try_to_wake_up, __wake_up), a reader
# blocked on /dev/physwatch the whole time and woken by every hit, the host rewriting
# the watched words every 20 ms, for two minutes: no lockup, no stall, hits delivered.
# Before the hit path was deferred, waking the reader from inside a wake-up of the
# same queue could deadlock on its lock.
. /suites/lib.sh
plan 7
S=$((0x$(scratch_base)))
W=$((S + 0x700000))
poke ram $(hex $W) 8 0
insmod /physwatch.ko
cmd add id=1 paddr=$(hex $W) len=64 width=8 cond=any_change mode=ftrace funcs=try_to_wake_up,__wake_up
check soak-armed [ "$(status_field 1 mode)" = ftrace ]
(n=0; while :; do /pwctl read 1 600000 >/dev/null && n=$((n + 1)) && echo $n >/tmp/reads; done) &
READER=$!
echo "@@STORM ram $(hex $W) 64 20 120"
read -r ack
t0=$(cut -d. -f1 /proc/uptime)
while [ $(($(cut -d. -f1 /proc/uptime) - t0)) -lt 120 ]; do
	sleep 10
	echo "soak: $(($(cut -d. -f1 /proc/uptime) - t0)) s polls=$(status_field 1 polls) hits=$(status_field 1 hits) reads=$(cat /tmp/reads 2>/dev/null)"
done
check soak-polled-on-wakeups [ "$(status_field 1 polls)" -gt 10000 ]
check soak-hits [ "$(status_field 1 hits)" -gt 1000 ]
check soak-reader-woken [ "$(cat /tmp/reads)" -gt 1000 ]
kill $READER
killall pwctl
wait
cmd clear
rmmod physwatch
check soak-unloaded [ ! -e /dev/physwatch ]
check soak-no-lockup [ -z "$(dmesg | grep -E 'rcu: INFO|soft lockup|hard LOCKUP|blocked for more than|BUG:|WARNING:')" ]
check soak-hit-lines-logged [ -n "$(dmesg | grep 'physwatch: hit seq=[0-9]* id=1 .*src=ftrace')" ]
suite_done
