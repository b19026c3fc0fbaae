# SPDX-License-Identifier: GPL-2.0
# Sentinel pages: the module allocates pages of its own, fills every word with a pattern
# and watches them for any change. The host corrupting one word of one of them from
# outside the guest is a hit naming that page (paddr, offset), the old pattern and the
# new value; a custom pattern, the limits and bad keys behave as documented.
. /suites/lib.sh
plan 14
taint0=$(cat /proc/sys/kernel/tainted)
# Not a test of the budget: a busy host inflates measured poll costs under TCG.
insmod /physwatch.ko poll_budget_ppm=1000000
cmd add id=1 sentinel=4 width=8 cond=any_change interval_us=1000
check sentinel-armed [ "$(status_field 1 target)" = sentinel=4 ]
ram_region() { [ "$(status_field 1 kind)" = ram ] && [ "$(status_field 1 len)" = 16384 ]; }
check sentinel-ram-region ram_region
check sentinel-filled [ "$(status_field 1 last)" = 0x5a5a5a5a5a5a5a5a ]
P=$(($(status_field 1 paddr)))
page_aligned() { [ $((P % 4096)) -eq 0 ] && [ "$P" -gt 0 ]; }
check sentinel-page-aligned page_aligned
# The third page, a word inside it: written by the host into guest RAM.
OFF=$((2 * 4096 + 0x128))
poke ram $(hex $((P + OFF))) 8 0xdead
line=$(events 1 4000)
echo "sentinel: $line"
check sentinel-hit [ -n "$(echo "$line" | grep -E "^hit .* id=1 .* paddr=$(hex $((P + OFF))) offset=$(hex $OFF) width=8 old=0x5a5a5a5a5a5a5a5a new=0xdead ")" ]
check sentinel-hit-names-page [ $(($(field "$line" offset) / 4096)) -eq 2 ]
check sentinel-writer-not-claimed [ -n "$(echo "$line" | grep ' writer=unknown writer_why=region_too_wide ')" ]
# A pattern of one's own, one byte wide.
cmd add id=2 sentinel=1 width=1 pattern=0xa5 cond=any_change interval_us=1000
Q=$(($(status_field 2 paddr)))
check sentinel-own-pattern [ "$(status_field 2 last)" = 0xa5 ]
poke ram $(hex $((Q + 7))) 1 0x00
line=$(events 1 4000)
check sentinel-own-pattern-hit [ -n "$(echo "$line" | grep -E "^hit .* id=2 .* offset=0x7 width=1 old=0xa5 new=0x0 ")" ]
cmd clear
check sentinel-cleared [ "$(header_field watches)" = 0 ]
# Bad input: -EINVAL, one line naming the key, nothing armed.
mark
check sentinel-too-many-pages [ "$(/pwctl cmd "add id=3 sentinel=17 width=8 cond=any_change interval_us=1000")" = err=22 ]
check sentinel-too-many-logged logged_since "physwatch: bad command: key=sentinel: not a number of pages from 1 to 16"
check sentinel-pattern-too-wide [ "$(/pwctl cmd "add id=3 sentinel=1 width=1 pattern=0x100 cond=any_change interval_us=1000")" = err=22 ]
rmmod physwatch
check sentinel-no-warn-no-taint no_new_trouble "$taint0"
suite_done
