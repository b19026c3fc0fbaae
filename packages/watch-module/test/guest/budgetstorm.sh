# SPDX-License-Identifier: GPL-2.0
# The polling budget holds under a region that starts changing wholesale after it was
# admitted: a 64 KiB region armed within the default budget, then the host rewrites all
# of it every 2 ms. The timer paces the watch (paced=, one log line), its polls take no
# more than the budget's share of the guest's clock, and a shell loop on the timer's CPU
# runs at most 25% slower than with the region quiet; with the budget off (1000000 ppm)
# the same loop is slower than that, so the bound is the budget's doing.
# Everything runs on CPU 0: the command that starts the timer (it runs where it was
# started), the hit worker (queued from the timer's CPU) and the loop.
. /suites/lib.sh
plan 11
S=$((0x$(scratch_base)))
X=$((S + 0x500000))
LEN=65536
STORM_MS=2
STORM_S=90
BOUND_PCT=25
# Hit lines off the serial console: 115200 baud is the harness's cost, not the guest's
# (production boots quiet); the worker still formats and logs every line it may.
echo 4 > /proc/sys/kernel/printk
taint0=$(cat /proc/sys/kernel/tainted)
insmod /physwatch.ko
budget=$(header_field budget_ppm)
check storm-default-budget [ "$budget" = 50000 ]

add_region() { taskset 1 /pwctl cmd "add id=1 paddr=$(hex $X) len=$LEN width=8 cond=any_change interval_us=$1" | grep -qx ok; }
# Twice the shortest interval the budget admits for the region (a refused add leaves
# nothing behind): at the very edge of the budget, a quiet poll's jitter is paced too.
iv=
for try in 200 500 1000 2000 5000 10000 20000 50000; do
	if add_region $try; then
		iv=$((try * 2))
		add_region $iv || iv=
		break
	fi
done
armed_within_budget() { [ -n "$iv" ] && [ "$(status_field 1 state)" = armed ] && [ "$(status_field 1 cost_ns)" -le $((iv * budget / 1000)) ]; }
check storm-armed-within-budget armed_within_budget
echo "@@BENCH budget storm: 64KiB region armed at interval_us=$iv (cost_ns=$(status_field 1 cost_ns) share_ppm=$(status_field 1 share_ppm))"
# The only timer watch: its slice is the whole budget.
check storm-cap-is-budget [ "$(status_field 1 cap_ppm)" = "$budget" ]

# The guest's own speed: a fixed shell loop on CPU 0, timed by the guest's clock (s).
loop_s() {
	taskset 1 sh -c 'i=0; t0=$(cut -d" " -f1 /proc/uptime); while [ $i -lt 100000 ]; do i=$((i + 1)); done; t1=$(cut -d" " -f1 /proc/uptime); echo "$t0 $t1"' |
		awk '{ printf "%.2f\n", $2 - $1 }'
}
median5() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
loops() { median5 "$(loop_s)" "$(loop_s)" "$(loop_s)" "$(loop_s)" "$(loop_s)"; }
uptime_ns() { awk '{ printf "%.0f", $1 * 1e9 }' /proc/uptime; }

# window: sets W_NS (guest clock), W_POLLS, W_HITS, W_SPENT (ns in polls) around "$@".
window() {
	local t0 l0 l1
	t0=$(uptime_ns)
	l0=$(status_line 1)
	"$@"
	l1=$(status_line 1)
	W_NS=$(($(uptime_ns) - t0))
	W_POLLS=$(($(field "$l1" polls) - $(field "$l0" polls)))
	W_HITS=$(($(field "$l1" hits) - $(field "$l0" hits)))
	# poll_ns_avg x polls is the module's total poll time (its sum over polls, floored).
	W_SPENT=$(echo "$(field "$l0" poll_ns_avg) $(field "$l0" polls) $(field "$l1" poll_ns_avg) $(field "$l1" polls)" |
		awk '{ printf "%.0f", $3 * $4 - $1 * $2 }')
}
quiet_loops() { QUIET=$(loops); }
storm_loops() { STORM=$(loops); sleep 3; }
rate() { echo "$1 $2" | awk '{ printf "%.0f", $1 * 1e9 / $2 }'; }

window quiet_loops
quiet_rate=$(rate $W_POLLS $W_NS)
echo "@@BENCH budget storm: quiet: $W_POLLS polls in $((W_NS / 1000000)) ms ($quiet_rate/s), paced=$(status_field 1 paced)"

mark
echo "@@STORM ram $(hex $X) $LEN $STORM_MS $STORM_S"
read -r ack
sleep 2
window storm_loops
storm_rate=$(rate $W_POLLS $W_NS)
per_poll=$((W_SPENT / (W_POLLS > 0 ? W_POLLS : 1)))
echo "@@BENCH budget storm: rewritten every $STORM_MS ms: $W_POLLS polls in $((W_NS / 1000000)) ms ($storm_rate/s), $W_HITS hits, $per_poll ns per poll, paced=$(status_field 1 paced) in all; polls took $W_SPENT ns ($(echo "$W_SPENT $W_NS" | awk '{ printf "%.0f", $1 * 1e6 / $2 }') ppm of a CPU)"
echo "@@BENCH budget storm: shell loop $QUIET s with the region quiet, $STORM s rewritten ($(echo "$QUIET $STORM" | awk '{ printf "%+.0f%%", ($2 / $1 - 1) * 100 }'))"
check storm-seen [ "$W_HITS" -gt 0 ]
check storm-paced [ "$(status_field 1 paced)" -gt 0 ]
check storm-polls-slowed [ $((storm_rate * 4)) -lt "$quiet_rate" ]
# The budget's share of the window, within 5% (a poll starts a little after its timer
# fired; pacing counts from the expiry), plus the poll in flight at each end.
check storm-polls-within-budget [ "$W_SPENT" -le $((W_NS / 1000000 * budget * 105 / 100 + 2 * per_poll)) ]
within_bound() { echo "$QUIET $STORM $BOUND_PCT" | awk '{ exit !($2 <= $1 * (1 + $3 / 100)) }'; }
check storm-loop-within-bound within_bound
# Said at most every 10 s per watch, the first time 10 s after the add.
paced_logged() {
	local n=0
	while [ $n -lt 30 ]; do
		dmesg | tail -n +$((MARK + 1)) | grep -q "physwatch: id=1 cannot keep interval_us=$iv: .* of them held back by the polling budget (this watch's cap $budget ppm of a CPU)$" && return 0
		sleep 1
		n=$((n + 1))
	done
	return 1
}
check storm-paced-logged paced_logged
cmd clear
rmmod physwatch

# The same region, interval and storm with the budget off: the timer may take all of CPU 0.
insmod /physwatch.ko poll_budget_ppm=1000000
add_region $iv
sleep 1
window storm_loops
echo "@@BENCH budget off: shell loop $STORM s rewritten, $W_POLLS polls in $((W_NS / 1000000)) ms, polls took $(echo "$W_SPENT $W_NS" | awk '{ printf "%.0f", $1 * 1e6 / $2 }') ppm of a CPU"
over_bound() { echo "$QUIET $STORM $BOUND_PCT" | awk '{ exit !($2 > $1 * (1 + $3 / 100)) }'; }
check storm-budget-off-over-bound over_bound
cmd clear
rmmod physwatch
check storm-no-warn-no-taint no_new_trouble "$taint0"
suite_done
