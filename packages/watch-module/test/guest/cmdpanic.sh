# SPDX-License-Identifier: GPL-2.0
# action=panic through /dev/physwatch on an MMIO target (ivshmem BAR 2 by bar=): the
# host writes the BAR file, the guest must panic.
. /suites/lib.sh
plan 1
insmod /physwatch.ko
poke bar 0x80 4 0
cmd add id=78 bar=0000:00:04.0/2+0x80 width=4 cond=equals value=0xdeadbeef interval_us=1000 action=panic
check cmd-panic-armed [ "$(status_field 78 kind)" = mmio ]
poke bar 0x80 4 0xdeadbeef
sleep 60
