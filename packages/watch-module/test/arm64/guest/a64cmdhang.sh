# SPDX-License-Identifier: GPL-2.0
# arm64 twin of cmdhang.sh: action=hang through /dev/physwatch on the zero page, its
# address found from user space (zeropage helper; sym=empty_zero_page does not resolve
# on a kernel without CONFIG_KALLSYMS_ALL). The host writes 0x33 and checks that every
# CPU's pinned heartbeat stops.
. /suites/lib.sh
plan 2
Z=$(/zeropage addr)
check zero-page-found [ -n "$Z" ]
insmod /physwatch.ko
cmd add id=77 paddr=$Z width=1 cond=equals value=0x33 interval_us=500 action=hang
check cmd-hang-armed [ "$(status_field 77 action)" = hang ]
heartbeat
sleep 1
poke ram $Z 1 0x33
sleep 60
