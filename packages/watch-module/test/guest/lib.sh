# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest suites (sourced by busybox sh).
PASSED=0
FAILED=0

# plan N: this suite runs exactly N checks; the host fails the boot when it sees fewer or
# more (a suite that stops halfway must not pass with what it printed so far).
plan() { echo "@@PLAN $1"; }

pass() { echo "@@RESULT PASS $1"; PASSED=$((PASSED + 1)); }
fail() { echo "@@RESULT FAIL $1 $2"; FAILED=$((FAILED + 1)); }
check() { # name condition-command...
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "failed: $*"; fi
}

# poke ram|bar OFFSET WIDTH VALUE: the host stores VALUE there, then acks.
poke() {
	echo "@@POKE $1 $2 $3 $4"
	read -r ack
}

# Scratch RAM nobody uses: the crash kernel reservation (crashkernel=16M@512M).
scratch_base() {
	sed -n 's/^ *\([0-9a-f]*\)-[0-9a-f]* : Crash kernel$/\1/p' /proc/iomem | head -n1
}

cmd() { /pwctl cmd "$*" >/dev/null; }
events() { /pwctl read "$1" "$2"; }
status_line() { grep "^id=$1 " /proc/physwatch; }
status_field() { status_line "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
header_field() { head -n1 /proc/physwatch | tr ' ' '\n' | sed -n "s/^$1=//p"; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n1; }
hex() { printf '0x%x' "$1"; }

# expect_event NAME PATTERN [MS]: the next event line contains every word of PATTERN
# (each "key=value"), and the kernel log holds the same line.
expect_event() {
	local name=$1 pattern=$2 ms=${3:-4000} line w
	line=$(events 1 "$ms")
	if [ -z "$line" ]; then
		fail "$name" "no event"
		return 1
	fi
	for w in $pattern; do
		case " $line " in
		*" $w "*) ;;
		*) fail "$name" "missing $w in: $line"; return 1 ;;
		esac
	done
	# The log worker prints the line after the reader can have the event: wait for it.
	# Identical up to the stack: a frame in code freed between the two formattings (a
	# module's init) is a symbol in one copy and an address in the other.
	if ! wait_log "physwatch: ${line%% stack=*}"; then
		fail "$name" "no identical kernel log line for: $line"
		return 1
	fi
	LAST_EVENT=$line
	pass "$name"
}

# expect_no_event NAME ID: watch ID is polled twice more (so a hit would have been
# queued), then the queue must be empty.
# no_new_trouble TAINT0: no RCU stall, lockup, BUG or WARN in the kernel log, and no
# taint beyond TAINT0 (read before insmod) and the out-of-tree, unsigned module's (0x3000).
no_new_trouble() {
	[ -z "$(dmesg | grep -E 'rcu: INFO|soft lockup|hard LOCKUP|BUG:|WARNING: CPU:')" ] &&
		[ $(($(cat /proc/sys/kernel/tainted) & ~0x3000 & ~$1)) -eq 0 ]
}

# mark, then logged_since TEXT: a line holding TEXT was logged after the mark (other
# lines, e.g. from the log worker, may come between).
mark() { MARK=$(dmesg | wc -l); }
logged_since() { dmesg | tail -n +$((MARK + 1)) | grep -qF -- "$1"; }

# wait_log TEXT: the kernel log holds TEXT (a fixed string) within ~2 s.
wait_log() {
	local n=0
	while [ $n -lt 200 ]; do
		dmesg | grep -qF -- "$1" && return 0
		usleep 10000
		n=$((n + 1))
	done
	return 1
}

# heartbeat: one loop per CPU, each pinned, printing "@@HB cpuN I" every 100 ms, so
# the host can tell that every CPU (not just one) stopped.
heartbeat() {
	local c
	for c in $(seq 0 $(($(nproc) - 1))); do
		taskset -c "$c" sh -c "i=0; while :; do i=\$((i + 1)); echo \"@@HB cpu$c \$i\"; usleep 100000; done" &
	done
}

expect_no_event() {
	local line
	settle "$2" || { fail "$1" "watch $2 was not polled twice within 2 s"; return 1; }
	line=$(events 1 0)
	if [ -n "$line" ]; then fail "$1" "unexpected: $line"; return 1; fi
	pass "$1"
}

# expect_quiet NAME MS: no event within MS ms. Only for a watch nothing polls (ftrace
# mode: no timer runs that could prove time passed), so wall time stands in for it.
expect_quiet() {
	local line
	line=$(events 1 "$2")
	if [ -n "$line" ]; then fail "$1" "unexpected: $line"; return 1; fi
	pass "$1"
}

# settle ID: wait (at most ~2 s) until watch ID has been polled twice more, so the
# next store is seen by a later poll than the last one.
settle() {
	local p0 p n
	p0=$(status_field "$1" polls)
	n=0
	while [ $n -lt 200 ]; do
		p=$(status_field "$1" polls)
		[ "$p" -ge $((p0 + 2)) ] && return 0
		usleep 10000
		n=$((n + 1))
	done
	return 1
}

# suite_done: the suite reached its end; the exit status says whether all checks passed.
suite_done() {
	echo "suite: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit $?
}
