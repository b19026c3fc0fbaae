# SPDX-License-Identifier: GPL-2.0
# The seed's parameters given on the kernel command line (physwatch.NAME=...), the
# module loaded by modprobe; the host writes 0x33 and expects a panic.
. /suites/lib.sh
plan 4
S=$((0x$(scratch_base)))
check scratch-at-512M [ "$S" = $((0x20000000)) ]
poke ram $(hex $S) 1 0
modprobe physwatch
check seed-modprobe [ $? -eq 0 ]
check seed-cmdline-param [ "$(cat /sys/module/physwatch/parameters/panic_on_hit)" = Y ]
check seed-cmdline-interval [ "$(cat /sys/module/physwatch/parameters/watch_interval_ms)" = 30 ]
poke ram $(hex $S) 1 0x33
sleep 60
