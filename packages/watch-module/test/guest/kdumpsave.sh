# SPDX-License-Identifier: GPL-2.0
# Runs in the crash kernel: save the vmcore and print the dmesg it holds.
. /suites/lib.sh
plan 3
check in-crash-kernel [ -e /proc/vmcore ]
makedumpfile --dump-dmesg /proc/vmcore /tmp/dmesg.txt >/dev/null 2>&1
check vmcore-dmesg [ -s /tmp/dmesg.txt ]
echo "@@VMCORE-DMESG-BEGIN"
grep -E 'physwatch: hit |Kernel panic' /tmp/dmesg.txt | sed 's/^/@@VMCORE-DMESG /'
echo "@@VMCORE-DMESG-END"
makedumpfile -l -d 31 /proc/vmcore /tmp/vmcore >/dev/null 2>&1
check vmcore-saved [ -s /tmp/vmcore ]
echo "vmcore: $(wc -c </tmp/vmcore) bytes, $(head -c 24 /tmp/vmcore | tr -dc 'A-Za-z ')"
suite_done
