# SPDX-License-Identifier: GPL-2.0
# SMIs in the bracket where the CPU counts them: TCG's CPU as GenuineIntel emulates
# MSR_SMI_COUNT, so the header says smi=counted and each hit carries the number of SMIs
# its CPU took between the check that saw the old value and the one that saw the new:
# 0 here, where nothing raises one. (Raising one through the APM control port, 0xb2,
# stalls the vCPU under TCG: an SMI counted inside a bracket is not shown here.)
. /suites/lib.sh
plan 6
S=$((0x$(scratch_base)))
W=$((S + 0x680000))
taint0=$(cat /proc/sys/kernel/tainted)
# Not a test of the budget: a busy host inflates measured poll costs under TCG.
insmod /physwatch.ko poll_budget_ppm=1000000
check smi-counted [ "$(header_field smi)" = counted ]
poke ram $(hex $W) 8 0
# One CPU for the timer, so the two checks of a bracket read the same CPU's counter.
taskset 1 /pwctl cmd "add id=1 paddr=$(hex $W) width=8 cond=any_change interval_us=1000 writer=off" >/dev/null
settle 1
poke ram $(hex $W) 8 0x1
line=$(events 1 4000)
echo "smi: $line"
check smi-hit-counted [ -n "$(echo "$line" | grep -E '^hit .* id=1 .* new=0x1 .* smi=[0-9]+$')" ]
check smi-quiet-bracket-zero [ "$(field "$line" smi)" = 0 ]
poke ram $(hex $W) 8 0x2
line=$(events 1 4000)
check smi-second-hit-zero [ "$(field "$line" smi)" = 0 ]
cmd clear
rmmod physwatch
check smi-unloaded [ ! -e /dev/physwatch ]
check smi-no-warn-no-taint no_new_trouble "$taint0"
suite_done
