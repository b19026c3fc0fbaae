# SPDX-License-Identifier: GPL-2.0
# action=hang through /dev/physwatch on sym=empty_zero_page: the host writes 0x33,
# the host then checks that the guest's heartbeat stops.
. /suites/lib.sh
plan 1
insmod /physwatch.ko
cmd add id=77 sym=empty_zero_page width=1 cond=equals value=0x33 interval_us=500 action=hang
check cmd-hang-armed [ "$(status_field 77 action)" = hang ]
Z=$(status_field 77 paddr)
heartbeat
sleep 1
poke ram $Z 1 0x33
sleep 60
