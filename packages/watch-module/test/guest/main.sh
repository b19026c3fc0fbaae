# SPDX-License-Identifier: GPL-2.0
# The main functional suite: one boot, many scenarios. The host is the "device":
# every change to watched memory below is made by the host through the shared RAM
# file or the ivshmem BAR file, never by the guest kernel.
. /suites/lib.sh
plan 168

S=$((0x$(scratch_base)))
check scratch-ram-found [ "$S" -gt 0 ]
echo "scratch RAM at $(hex $S)"

# The scenarios below pile up watches; the polling budget has its own section.
insmod /physwatch.ko fifo_size=128 poll_budget_ppm=1000000
check load [ -c /dev/physwatch ]
check proc-status [ -r /proc/physwatch ]
check timer-idle-without-watches [ "$(header_field timer)" = idle ]

# --- equals, width 1: the seed's 0x33 ---
A=$S
poke ram $(hex $A) 1 0
cmd add id=1 paddr=$(hex $A) width=1 cond=equals value=0x33 interval_us=1000
check add-equals [ $? -eq 0 ]
check timer-active-with-watch [ "$(header_field timer)" = active ]
check status-kind-ram [ "$(status_field 1 kind)" = ram ]
check status-paddr [ "$(status_field 1 paddr)" = "$(hex $A)" ]
poke ram $(hex $A) 1 0x33
expect_event equals-w1 "id=1 paddr=$(hex $A) offset=0x0 width=1 old=0x0 new=0x33 src=timer action=report"
SEQ1=$(field "$LAST_EVENT" seq)
poke ram $(hex $A) 1 0x34
expect_no_event equals-other-value-no-hit 1
poke ram $(hex $A) 1 0x33
expect_event equals-again "id=1 old=0x34 new=0x33"
SEQ2=$(field "$LAST_EVENT" seq)
check seq-increases [ "$SEQ2" -gt "$SEQ1" ]
check status-hits [ "$(status_field 1 hits)" = 2 ]
check status-last [ "$(status_field 1 last)" = 0x33 ]
check status-polls [ "$(status_field 1 polls)" -gt 10 ]

# --- changes_from, width 2 ---
B=$((S + 8))
poke ram $(hex $B) 2 0x1234
cmd add id=2 paddr=$(hex $B) width=2 cond=changes_from value=0x1234 interval_us=1000
poke ram $(hex $B) 2 0x5678
expect_event changes_from-w2 "id=2 width=2 old=0x1234 new=0x5678"
poke ram $(hex $B) 2 0x9abc
expect_no_event changes_from-not-from-value 2

# --- any_change, width 4 ---
C=$((S + 16))
poke ram $(hex $C) 4 0
cmd add id=3 paddr=$(hex $C) width=4 cond=any_change interval_us=1000
poke ram $(hex $C) 4 0xdeadbeef
expect_event any_change-w4 "id=3 width=4 old=0x0 new=0xdeadbeef"

# --- mask_equals, width 8 ---
D=$((S + 24))
poke ram $(hex $D) 8 0
cmd add id=4 paddr=$(hex $D) width=8 cond=mask_equals mask=0xff00000000000000 value=0x3300000000000000 interval_us=1000
poke ram $(hex $D) 8 0x33000000000000aa
expect_event mask_equals-w8 "id=4 width=8 old=0x0 new=0x33000000000000aa"
poke ram $(hex $D) 8 0x33000000000000bb
expect_no_event mask_equals-masked-bits-unchanged 4

# --- every condition at every width (values in the top byte of the word) ---
M=$((S + 0x500000))
k=0
for wd in 1 2 4 8; do
	sh=$((8 * (wd - 1)))
	for c in equals changes_from any_change mask_equals; do
		k=$((k + 1))
		a=$((M + k * 8))
		case $c in
		equals) args="value=$(hex $((0x5a << sh)))" from=0x11 to=0x5a ;;
		changes_from) args="value=$(hex $((0x11 << sh)))" from=0x11 to=0x22 ;;
		any_change) args="" from=0x11 to=0x12 ;;
		mask_equals) args="mask=$(hex $((0xf0 << sh))) value=$(hex $((0x50 << sh)))" from=0x11 to=0x5f ;;
		esac
		from=$(hex $((from << sh)))
		to=$(hex $((to << sh)))
		poke ram $(hex $a) $wd $from
		cmd add id=$((200 + k)) paddr=$(hex $a) width=$wd cond=$c $args interval_us=1000
		poke ram $(hex $a) $wd $to
		expect_event "matrix-$c-w$wd" "id=$((200 + k)) paddr=$(hex $a) width=$wd old=$from new=$to"
		cmd del id=$((200 + k))
	done
done

# --- change a watch at run time: add with the same id replaces it ---
cmd add id=1 paddr=$(hex $A) width=1 cond=equals value=0x44 interval_us=1000
check change-keeps-one-watch [ "$(grep -c '^id=1 ' /proc/physwatch)" = 1 ]
check change-new-value [ "$(status_field 1 value)" = 0x44 ]
poke ram $(hex $A) 1 0x44
expect_event change-takes-effect "id=1 old=0x33 new=0x44"

# --- a replacement that cannot be armed leaves the old watch in place ---
cmd add id=1 sym=no_such_symbol_either width=1 cond=equals value=0x44 interval_us=1000
check replace-failure-fails [ $? -ne 0 ]
check replace-failure-keeps-old [ "$(status_field 1 target)" = "paddr=$(hex $A)" ]

# --- del: no more hits ---
cmd del id=1
check del [ -z "$(status_line 1)" ]
poke ram $(hex $A) 1 0x33
expect_no_event del-no-hit 2
cmd del id=1
check del-unknown-fails [ $? -ne 0 ]

# --- region watches report each changed word's offset ---
R=$((S + 4096))
cmd add id=10 paddr=$(hex $R) len=4096 width=4 cond=any_change interval_us=1000
poke ram $(hex $((R + 0x100))) 4 1
expect_event region-4k-offset "id=10 paddr=$(hex $((R + 0x100))) offset=0x100 width=4 old=0x0 new=0x1"
poke ram $(hex $((R + 0xffc))) 4 2
expect_event region-4k-last-word "id=10 offset=0xffc new=0x2"
R64=$((S + 0x100000))
cmd add id=11 paddr=$(hex $R64) len=65536 width=8 cond=equals value=0x77 interval_us=1000
check region-64k-armed [ "$(status_field 11 len)" = 65536 ]
poke ram $(hex $((R64 + 0xfff8))) 8 0x77
expect_event region-64k-offset "id=11 offset=0xfff8 width=8 new=0x77"
cmd add id=12 paddr=$(hex $((S + 0x200000))) len=64 width=1 cond=any_change interval_us=100000
poke ram $(hex $((S + 0x200000 + 8))) 8 0x0000000000330011
L=$(events 2 4000)
check region-two-words-one-store [ "$(echo "$L" | grep -c 'id=12 ')" = 2 ]
check region-offsets [ -n "$(echo "$L" | grep 'offset=0x8 width=1 old=0x0 new=0x11')" ] &&
	check region-offsets-2 [ -n "$(echo "$L" | grep 'offset=0xa width=1 old=0x0 new=0x33')" ]

# --- action stack: the hit line, then a stack dump in the log ---
E=$((S + 40))
poke ram $(hex $E) 4 0
cmd add id=5 paddr=$(hex $E) width=4 cond=any_change interval_us=1000 action=stack
poke ram $(hex $E) 4 7
expect_event action-stack-event "id=5 action=stack"
SSEQ=$(field "$LAST_EVENT" seq)
wait_log "physwatch: stack of hit seq=$SSEQ id=5 "
check action-stack-dump [ -n "$(dmesg | grep -A2 "physwatch: stack of hit seq=$SSEQ id=5 cpu=" | grep -E '^\[[ 0-9.]*\]  +[A-Za-z_0-9.]+\+0x')" ]

# --- max_hits disarms ---
F=$((S + 48))
cmd add id=6 paddr=$(hex $F) width=8 cond=any_change interval_us=1000 max_hits=2
for v in 1 2 3; do poke ram $(hex $F) 8 $v; settle 6; done
L=$(events 3 1500)
check max_hits-two-events [ "$(echo "$L" | grep -c 'id=6 ')" = 2 ]
check max_hits-disarmed [ "$(status_field 6 state)" = disarmed ]

# --- rate limit: rate=1 per second, excess counted and reported ---
G=$((S + 56))
cmd add id=7 paddr=$(hex $G) width=8 cond=any_change interval_us=1000 rate=1
for v in 1 2 3; do poke ram $(hex $G) 8 $v; settle 7; done
L=$(events 3 800)
check rate-one-reported [ "$(echo "$L" | grep -c 'id=7 ')" = 1 ]
sleep 1
poke ram $(hex $G) 8 4
L=$(events 2 3000)
check rate-suppressed-line [ -n "$(echo "$L" | grep '^suppressed seq=[0-9]* id=7 count=2$')" ]
check rate-status [ "$(status_field 7 suppressed)" = 2 ]

# --- tracepoint physwatch:physwatch_hit ---
mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
T=/sys/kernel/tracing/events/physwatch/physwatch_hit
check tracepoint-exists [ -d $T ]
echo 1 > $T/enable
J=$((S + 72))
cmd add id=8 paddr=$(hex $J) width=4 cond=any_change interval_us=1000
poke ram $(hex $J) 4 0xabc
expect_event tracepoint-hit "id=8 new=0xabc"
TSEQ=$(field "$LAST_EVENT" seq)
check tracepoint-record [ -n "$(grep "physwatch_hit: seq=$TSEQ id=8 paddr=$(hex $J) offset=0x0 width=4 old=0x0 new=0xabc" /sys/kernel/tracing/trace)" ]
echo 0 > $T/enable

# --- sym=: the seed's real case, empty_zero_page gets 0x33 ---
cmd add id=20 sym=empty_zero_page width=1 cond=equals value=0x33 interval_us=1000
check sym-resolved [ $? -eq 0 ]
Z=$(status_field 20 paddr)
check sym-is-ram [ "$(status_field 20 kind)" = ram ]
echo "empty_zero_page at $Z"
poke ram $Z 1 0x33
expect_event sym-empty_zero_page "id=20 paddr=$Z old=0x0 new=0x33"
poke ram $Z 1 0
cmd del id=20
mark
cmd add id=21 sym=no_such_symbol_here width=1 cond=any_change interval_us=1000
check sym-unknown-fails [ $? -ne 0 ]
check sym-unknown-logged logged_since 'add id=21 sym=no_such_symbol_here+0x0: symbol not found'

# --- MMIO through the ivshmem BAR, by address and by bar= ---
BAR2=$(sed -n 3p /sys/bus/pci/devices/0000:00:04.0/resource | cut -d' ' -f1)
BAR2=$((BAR2))
check ivshmem-bar2 [ "$BAR2" -gt 0 ]
poke bar 0x10 4 0
cmd add id=30 paddr=$(hex $((BAR2 + 0x10))) width=4 cond=equals value=0xcafef00d interval_us=1000
check mmio-kind [ "$(status_field 30 kind)" = mmio ]
poke bar 0x10 4 0xcafef00d
expect_event mmio-paddr-w4 "id=30 paddr=$(hex $((BAR2 + 0x10))) width=4 old=0x0 new=0xcafef00d"
poke bar 0x20 8 0
cmd add id=31 bar=0000:00:04.0/2+0x20 width=8 cond=any_change interval_us=1000
check bar-resolved [ "$(status_field 31 paddr)" = "$(hex $((BAR2 + 0x20)))" ]
poke bar 0x20 8 0x1122334455667788
expect_event mmio-bar-w8 "id=31 paddr=$(hex $((BAR2 + 0x20))) offset=0x0 width=8 new=0x1122334455667788"
cmd add id=32 bar=0000:00:04.0/2+0x100 len=256 width=2 cond=any_change interval_us=1000
poke bar 0x1fe 2 0xbeef
expect_event mmio-region-w2 "id=32 offset=0xfe width=2 new=0xbeef"
cmd add id=33 bar=0000:00:04.0/2+0xffffc width=8 cond=any_change interval_us=1000
check bar-past-end-fails [ $? -ne 0 ]
cmd add id=34 bar=0000:00:1f.0/0 width=4 cond=any_change interval_us=1000
check bar-not-memory-fails [ $? -ne 0 ]

# --- ftrace mode: checked on entry to ksys_sync, not by a timer ---
H=$((S + 64))
poke ram $(hex $H) 4 0
cmd clear
cmd add id=40 paddr=$(hex $H) width=4 cond=equals value=0x99 mode=ftrace funcs=ksys_sync
check ftrace-armed [ "$(status_field 40 mode)" = ftrace ]
check ftrace-no-timer [ "$(header_field timer)" = idle ]
poke ram $(hex $H) 4 0x99
expect_quiet ftrace-no-hit-before-call 500
sync
expect_event ftrace-hit-on-entry "id=40 new=0x99 src=ftrace" 3000
check ftrace-ip-is-function [ -n "$(echo "$LAST_EVENT" | grep " ip=ksys_sync+0x")" ]
cmd add id=42 paddr=$(hex $((H + 4))) width=4 cond=any_change mode=both funcs=ksys_sync interval_us=1000
check ftrace-both-armed [ "$(status_field 42 mode)" = both ] && check ftrace-both-timer [ "$(header_field timer)" = active ]
poke ram $(hex $((H + 4))) 4 0x42
expect_event ftrace-both-timer-hit "id=42 new=0x42 src=timer"
sync
expect_no_event ftrace-both-no-second-hit 42
cmd add id=41 paddr=$(hex $H) width=4 cond=any_change mode=ftrace funcs=no_such_function_x
check ftrace-bad-function-fails [ $? -ne 0 ]
cmd clear

# --- the bracket: a hit says when a check last saw the old value (last_old_ns, boot
# time), so the write happened in (last_old_ns, boottime_ns]. Orderings only, never
# widths: the writes are timed with CLOCK_BOOTTIME here (pwctl now / store).
bracket() { LO=$(field "$LAST_EVENT" last_old_ns) BT=$(field "$LAST_EVENT" boottime_ns); }
K=$((S + 80))
poke ram $(hex $K) 8 0
cmd add id=70 paddr=$(hex $K) width=8 cond=any_change interval_us=1000
T_ARMED=$(/pwctl now)
settle 70
T0=$(/pwctl now)
poke ram $(hex $K) 8 1
T1=$(/pwctl now)
expect_event bracket-timer-hit "id=70 old=0x0 new=0x1 src=timer"
bracket
echo "bracket timer: armed by $T_ARMED, write in [$T0, $T1], hit ($LO, $BT]"
check bracket-field-before-writer [ -n "$(echo "$LAST_EVENT" | grep -E ' action=report last_old_ns=[0-9]+ writer=(cpu|no_cpu_via_kernel_map|unknown) ')" ]
check bracket-timer-from-previous-poll [ "$LO" -gt "$T_ARMED" ]
check bracket-timer-opens-before-write [ "$LO" -lt "$T1" ]
check bracket-timer-closes-after-write [ "$BT" -gt "$T0" ]
# A store made by the guest itself (user space, through the BAR's sysfs mapping).
cmd add id=72 bar=0000:00:04.0/2+0x60 width=8 cond=any_change interval_us=1000
settle 72
W=$(/pwctl store /sys/bus/pci/devices/0000:00:04.0/resource2 0x60 8 0x5a5a)
check bracket-guest-store [ -n "$W" ]
expect_event bracket-guest-store-hit "id=72 new=0x5a5a src=timer"
bracket
echo "bracket guest store: write in [${W% *}, ${W#* }], hit ($LO, $BT]"
check bracket-guest-store-opens-before [ "$LO" -lt "${W#* }" ]
check bracket-guest-store-closes-after [ "$BT" -gt "${W% *}" ]
cmd clear
# ftrace: the first change brackets from the baseline read at arm, the next from the
# previous function-entry check (a sync that still saw the old value).
H2=$((S + 88))
poke ram $(hex $H2) 4 0
T_ADD=$(/pwctl now)
cmd add id=71 paddr=$(hex $H2) width=4 cond=any_change mode=ftrace funcs=ksys_sync
T_ARMED=$(/pwctl now)
poke ram $(hex $H2) 4 1
sync
expect_event bracket-ftrace-first-hit "id=71 old=0x0 new=0x1 src=ftrace" 3000
bracket
echo "bracket ftrace first: armed in [$T_ADD, $T_ARMED], hit ($LO, $BT]"
check bracket-ftrace-first-from-arm [ "$LO" -gt "$T_ADD" ]
check bracket-ftrace-first-from-arm-2 [ "$LO" -lt "$T_ARMED" ]
T_S0=$(/pwctl now)
sync
T0=$(/pwctl now)
poke ram $(hex $H2) 4 2
T1=$(/pwctl now)
sync
expect_event bracket-ftrace-hit "id=71 old=0x1 new=0x2 src=ftrace" 3000
bracket
echo "bracket ftrace: check from $T_S0, write in [$T0, $T1], hit ($LO, $BT]"
check bracket-ftrace-from-previous-check [ "$LO" -gt "$T_S0" ]
check bracket-ftrace-opens-before-write [ "$LO" -lt "$T1" ]
check bracket-ftrace-closes-after-write [ "$BT" -gt "$T0" ]
cmd clear

# --- 64 watches at once ---
I=0
while [ $I -lt 64 ]; do
	cmd add id=$((100 + I)) paddr=$(hex $((S + 0x10000 + I * 8))) width=8 cond=any_change interval_us=2000 || fail add-64 "id $((100 + I))"
	I=$((I + 1))
done
check sixty-four-watches [ "$(header_field watches)" = 64 ]
for I in 0 17 42 63; do poke ram $(hex $((S + 0x10000 + I * 8))) 8 $((I + 1)); done
L=$(events 4 4000)
for I in 0 17 42 63; do
	check "sixty-four-hit-id$((100 + I))" [ -n "$(echo "$L" | grep "id=$((100 + I)) .*new=$(hex $((I + 1)))")" ]
done
cmd clear
check clear [ "$(header_field watches)" = 0 ]
check timer-idle-after-clear [ "$(header_field timer)" = idle ]

# --- bad commands: -EINVAL, one log line naming the key, nothing changed ---
cmd add id=50 paddr=$(hex $A) width=1 cond=any_change interval_us=1000
before=$(cat /proc/physwatch | sed 's/polls=[0-9]*//; s/seq=[0-9]*//; s/poll_ns_avg=[0-9]*//; s/used_ppm=[0-9]*//; s/share_ppm=[0-9]*//; s/missed=[0-9]*//; s/paced=[0-9]*//')
bad() { # name key line
	mark
	out=$(/pwctl cmd "$3")
	if [ "$out" != "err=22" ]; then fail "bad-$1" "want err=22, got $out"; return; fi
	if logged_since "physwatch: bad command: key=$2: "; then
		pass "bad-$1"
	else
		fail "bad-$1" "log: $(dmesg | tail -n 3)"
	fi
}
bad unknown-verb frob "frob id=1"
bad unknown-key colour "add id=9 colour=red"
bad missing-id id "add paddr=0x1000 width=1 cond=any_change interval_us=1000"
bad bad-width width "add id=9 paddr=0x1000 width=3 cond=any_change interval_us=1000"
bad misaligned paddr "add id=9 paddr=0x1001 width=4 cond=any_change interval_us=1000"
bad interval-too-short interval_us "add id=9 paddr=0x1000 width=1 cond=any_change interval_us=99"
bad bad-cond cond "add id=9 paddr=0x1000 width=1 cond=sometimes interval_us=1000"
bad value-too-wide value "add id=9 paddr=0x1000 width=1 cond=equals value=0x100 interval_us=1000"
bad mask-without-mask_equals mask "add id=9 paddr=0x1000 width=1 cond=equals value=1 mask=1 interval_us=1000"
bad len-too-long len "add id=9 paddr=0x1000 len=65537 width=1 cond=any_change interval_us=1000"
bad two-targets paddr "add id=9 paddr=0x1000 sym=jiffies width=8 cond=any_change interval_us=1000"
bad duplicate-key width "add id=9 paddr=0x1000 width=1 width=1 cond=any_change interval_us=1000"
bad reserved-id id "add id=18446744073709551615 paddr=0x1000 width=1 cond=any_change interval_us=1000"
bad bad-bar bar "add id=9 bar=00:04.0/2 width=4 cond=any_change interval_us=1000"
bad del-extra-key paddr "del id=1 paddr=0x1000"
bad clear-args all "clear all"
after=$(cat /proc/physwatch | sed 's/polls=[0-9]*//; s/seq=[0-9]*//; s/poll_ns_avg=[0-9]*//; s/used_ppm=[0-9]*//; s/share_ppm=[0-9]*//; s/missed=[0-9]*//; s/paced=[0-9]*//')
check bad-commands-changed-nothing [ "$before" = "$after" ]
cmd add id=51 paddr=0x1000 width=1 cond=any_change interval_us=1000 action=report
check good-after-bad [ $? -eq 0 ]

# --- addresses the target or the CPU cannot hold: -ERANGE and one line, before any mapping ---
taint0=$(cat /proc/sys/kernel/tainted)
refused() { # name errno log-text command
	mark
	out=$(/pwctl cmd "$4")
	if [ "$out" != "err=$2" ]; then fail "$1" "want err=$2, got $out"; return; fi
	if logged_since "$3"; then pass "$1"; else fail "$1" "log: $(dmesg | tail -n 2)"; fi
}
PB=$(sed -n 's/^address sizes.*: \([0-9]*\) bits physical.*/\1/p' /proc/cpuinfo | head -n1)
echo "CPU physical address bits: $PB"
check header-phys-bits [ "$(header_field phys_bits)" = "$PB" ]
PEND=$(hex $((1 << PB)))
PTOP=$(hex $(( (1 << PB) - 8 )))
refused addr-beyond-cpu-phys-bits 34 "add id=90 paddr=$PEND: beyond the CPU's $PB-bit physical address space (-34)" \
	"add id=90 paddr=$PEND width=8 cond=any_change interval_us=1000"
refused region-past-cpu-phys-bits 34 "add id=91 paddr=$PTOP: beyond the CPU's $PB-bit physical address space (-34)" \
	"add id=91 paddr=$PTOP len=16 width=8 cond=any_change interval_us=1000"
refused bar-offset-wraps 34 "add id=92 bar=0000:00:04.0/2+0xffffffffffffff00: offset+len past the BAR's 1048576 bytes (-34)" \
	"add id=92 bar=0000:00:04.0/2+0xffffffffffffff00 len=256 width=8 cond=any_change interval_us=1000"
refused sym-offset-wraps 34 "add id=93 sym=empty_zero_page+0xffffffffffffffff: offset+len past the symbol's 4096 bytes (-34)" \
	"add id=93 sym=empty_zero_page+0xffffffffffffffff width=1 cond=any_change interval_us=1000"
refused sym-offset-past-object 34 "add id=94 sym=empty_zero_page+0x1000: offset+len past the symbol's 4096 bytes (-34)" \
	"add id=94 sym=empty_zero_page+0x1000 width=1 cond=any_change interval_us=1000"
# A module's data symbol: 6.12's kallsyms knows its size (-ERANGE, past the object); 6.1's
# gives none to trust, and the missing page behind it says no (-EFAULT); a kernel without
# CONFIG_KALLSYMS_ALL (Debian's arm64) lists no data symbol at all (-ENOENT). Never a paddr.
mark
out=$(/pwctl cmd "add id=95 sym=pw_poll_budget_ppm+0x10000000 width=4 cond=any_change interval_us=1000")
case $out in
err=34) check module-sym-offset-unmapped logged_since "add id=95 sym=pw_poll_budget_ppm+0x10000000: offset+len past the symbol's" ;;
err=2) check module-sym-offset-unmapped logged_since "add id=95 sym=pw_poll_budget_ppm+0x10000000: symbol not found (no CONFIG_KALLSYMS_ALL: no data symbols) (-2)" ;;
*) check module-sym-offset-unmapped logged_since "add id=95 sym=pw_poll_budget_ppm+0x10000000: no page mapped at the symbol's address (-14)" ;;
esac
case $out in err=34 | err=14 | err=2) ;; *) fail module-sym-offset-errno "want err=34, 14 or 2, got $out" ;; esac
cmd add id=96 sym=empty_zero_page+0xfff width=1 cond=any_change interval_us=1000
check sym-last-byte-of-object [ "$(status_field 96 target)" = "sym=empty_zero_page+0xfff" ]
cmd del id=96
check bad-addresses-no-taint [ "$(cat /proc/sys/kernel/tainted)" = "$taint0" ]
check bad-addresses-no-warn [ -z "$(dmesg | grep -E 'WARNING:|BUG:|ioremap: invalid')" ]

# --- unload with watches armed, then overflow accounting with a tiny queue ---
cmd add id=52 paddr=$(hex $R) len=4096 width=4 cond=any_change interval_us=100
cmd add id=53 paddr=$(hex $((BAR2 + 0x40))) width=4 cond=any_change interval_us=100
rmmod physwatch
check unload-armed [ $? -eq 0 ] && check unload-removed-dev [ ! -e /dev/physwatch ]
check unload-removed-proc [ ! -e /proc/physwatch ]
check unload-clean-log [ -z "$(dmesg | grep -E 'BUG:|WARNING:|Oops|general protection')" ]

insmod /physwatch.ko fifo_size=4
O=$((S + 0x300000))
cmd add id=60 paddr=$(hex $O) len=64 width=1 cond=any_change interval_us=100000
poke ram $(hex $O) 8 0x0101010101010101
settle 60
L=$(events 8 2000)
check overflow-four-hits [ "$(echo "$L" | grep -c '^hit .*id=60 ')" = 4 ]
check overflow-line [ -n "$(echo "$L" | grep '^overflow seq=[0-9]* lost=4$')" ]
check overflow-status [ "$(header_field lost)" = 4 ]
check overflow-logged [ -n "$(dmesg | grep 'physwatch: overflow seq=[0-9]* lost=4')" ]
PREV=0
ORDER_OK=1
for s in $(echo "$L" | tr ' ' '\n' | sed -n 's/^seq=//p'); do
	[ "$s" -gt "$PREV" ] || ORDER_OK=0
	PREV=$s
done
check event-order [ $ORDER_OK = 1 ]
rmmod physwatch

# --- per-poll cap: at most poll_event_cap hits per watch per poll, the rest counted ---
insmod /physwatch.ko poll_event_cap=2
O=$((S + 0x300100))
cmd add id=61 paddr=$(hex $O) len=64 width=1 cond=any_change interval_us=100000
poke ram $(hex $O) 8 0x0202020202020202
L=$(events 4 2000)
check cap-two-hits [ "$(echo "$L" | grep -c '^hit .*id=61 ')" = 2 ]
check cap-suppressed-line [ -n "$(echo "$L" | grep '^suppressed seq=[0-9]* id=61 count=6$')" ]
check cap-status [ "$(status_field 61 suppressed)" = 6 ] && check cap-hits-counted [ "$(status_field 61 hits)" = 8 ]
rmmod physwatch

# --- the polling budget: an add past poll_budget_ppm is refused with -EBUSY and the numbers ---
insmod /physwatch.ko poll_budget_ppm=1000
check budget-header [ "$(header_field budget_ppm)" = 1000 ]
cmd add id=80 paddr=$(hex $((S + 0x600000))) width=8 cond=any_change interval_us=1000000
check budget-small-watch-armed [ "$(status_field 80 state)" = armed ]
check budget-cost-measured [ "$(status_field 80 cost_ns)" -gt 0 ]
mark
out=$(/pwctl cmd "add id=81 paddr=$(hex $((S + 0x610000))) len=65536 width=8 cond=any_change interval_us=100")
check budget-refused-ebusy [ "$out" = err=16 ]
check budget-refused-logged [ -n "$(dmesg | tail -n +$((MARK + 1)) | grep -E 'physwatch: add id=81: over the polling budget: needs [0-9]+ ppm of a CPU \([0-9]+ ns per poll every 100 us\), armed watches use [0-9]+ ppm, poll_budget_ppm=1000$')" ]
check budget-refused-not-listed [ -z "$(status_line 81)" ]
# used_ppm is the sum of the listed watches' shares; a poll between the two sums of one
# read can move it, so take a read in which they agree (at most a few).
budget_consistent() {
	local n=0 snap
	while [ $n -lt 5 ]; do
		snap=$(cat /proc/physwatch)
		[ "$(echo "$snap" | head -n1 | tr ' ' '\n' | sed -n 's/^used_ppm=//p')" = \
			"$(echo "$snap" | tr ' ' '\n' | sed -n 's/^share_ppm=//p' | awk '{ s += $1 } END { print s + 0 }')" ] && return 0
		n=$((n + 1))
	done
	return 1
}
check budget-used-counts-armed budget_consistent
cmd add id=80 paddr=$(hex $((S + 0x600008))) width=8 cond=any_change interval_us=1000000
check budget-replace-not-double-counted [ $? -eq 0 ]
rmmod physwatch
check final-unload [ $? -eq 0 ]

# --- the seed's MMIO parameters: a 32-bit read of the BAR, the hit reported with a stack ---
poke bar 0x80 4 0
insmod /physwatch.ko paddr_mmio_to_watch=$(hex $((BAR2 + 0x80))) target_mmio_val=0xdeadbeef watch_interval_ms=1
check seed-mmio-loaded [ $? -eq 0 ]
check seed-mmio-listed [ -n "$(grep "paddr=$(hex $((BAR2 + 0x80))) kind=mmio len=4 width=4 cond=equals value=0xdeadbeef .*interval_us=1000 action=stack" /proc/physwatch)" ]
poke bar 0x80 4 0xdeadbeef
expect_event seed-mmio-hit "paddr=$(hex $((BAR2 + 0x80))) width=4 old=0x0 new=0xdeadbeef src=timer action=stack"
check seed-mmio-bracket [ "$(field "$LAST_EVENT" last_old_ns)" -gt 0 ]
rmmod physwatch
# The value already there at load: a hit no check saw coming, so no bracket (0).
insmod /physwatch.ko paddr_mmio_to_watch=$(hex $((BAR2 + 0x80))) target_mmio_val=0xdeadbeef watch_interval_ms=1
expect_event seed-already-there-no-bracket "paddr=$(hex $((BAR2 + 0x80))) old=0xdeadbeee new=0xdeadbeef action=stack last_old_ns=0"
rmmod physwatch
# Misaligned: refused at load with -EINVAL and the one line that says why; nothing armed.
mark
out=$(insmod /physwatch.ko paddr_mmio_to_watch=$(hex $((BAR2 + 0x82))) target_mmio_val=1 2>&1)
check seed-mmio-misaligned-refused [ $? -ne 0 ]
check seed-mmio-misaligned-einval [ -n "$(echo "$out" | grep -i 'invalid argument\|invalid parameters')" ]
check seed-mmio-misaligned-logged logged_since "physwatch: paddr_mmio_to_watch: $(hex $((BAR2 + 0x82))) is not 32-bit aligned"
check seed-mmio-misaligned-not-loaded [ ! -e /dev/physwatch ]
check not-tainted-beyond-unsigned-module [ $(($(cat /proc/sys/kernel/tainted) & ~0x3000)) -eq 0 ]
check no-kernel-warnings [ -z "$(dmesg | grep -E 'BUG:|WARNING:|Oops|general protection|sleeping function')" ]
suite_done
