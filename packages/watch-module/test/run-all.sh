#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The physwatch kernel module's whole test: build and lint steps, unit tests, a short
# fuzz run, self-tests of this harness, QEMU boots of Debian's own kernel (matching
# linux-headers-amd64) where the host corrupts guest memory through a shared RAM file
# and an ivshmem BAR file, and (PW_CHAIN=1) the agent-in-a-guest chain tests.
# Works on a fresh machine as root (installs with apt-get).
#
# Counts are kept by kind and never mixed: build/lint steps, C checks (CHECK()
# evaluations of the unit tests), QEMU checks (results of the guest suites and of the
# host watching them), chain tests (vitest tests) and harness self-tests. Nothing that
# did not run is a pass: a runner that exits non-zero, a suite that ran fewer or more
# checks than it planned, a test file that failed in beforeAll, a tool that cannot run,
# each is a failure. Ends with one line per kind and the closing line
#   kernel half: N steps, N C checks, N QEMU checks, N chain tests, N self-tests passed; N failed
# exits non-zero on any failure, and writes the same counts as JSON to $PW_SUMMARY.
#
#   FUZZ_SECONDS=30  PW_CACHE=/var/cache/physwatch-kernel  PW_BUILD=<pkg>/build
#   PW_ONLY="stage ..."   only these stages (build checkpatch dkms unit fuzz image
#                         selftest qemu chain); host setup always runs
#   PW_BOOTS="name ..."   only these QEMU boots (see boot_named)
#   PW_QEMU_RUN=cmd       the QEMU harness (default: python3 host/qemu_run.py)
#   PW_CHAIN_CONFIG=file  the chain's vitest config;  PW_CHAIN_PLAN=N its test count
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pkg=$(cd "$here/.." && pwd)
repo=$(cd "$pkg/../.." && pwd)
build=${PW_BUILD:-$pkg/build}
summary_file=${PW_SUMMARY:-$build/summary.json}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
qemu_run=${PW_QEMU_RUN:-python3 $here/host/qemu_run.py}
chain_config=${PW_CHAIN_CONFIG:-tests/kernel-chain/vitest.config.ts}
# The it() calls in tests/kernel-chain/*.e2e.ts: a test added there is added here.
chain_plan=${PW_CHAIN_PLAN:-14}
boots=${PW_BOOTS:-main seed-hang seed-panic cmd-hang cmd-panic seed-kdump ftrace-soak}
KINDS=(step c qemu chain selftest)
declare -A LABEL=([step]=steps [c]="C checks" [qemu]="QEMU checks" [chain]="chain tests" [selftest]=self-tests)
declare -A PASSED FAILED
for k in "${KINDS[@]}"; do PASSED[$k]=0 FAILED[$k]=0; done
failures=()
children=()
t0=$(date +%s)

cleanup() {
	for pid in "${children[@]}"; do
		kill "$pid" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ok KIND NAME / ko KIND NAME [DETAIL] / add KIND PASSED FAILED
ok() { PASSED[$1]=$((PASSED[$1] + 1)); echo "PASS $2"; }
ko() { FAILED[$1]=$((FAILED[$1] + 1)); failures+=("$2${3:+: $3}"); echo "FAIL $2 ${3:-}"; }
add() { PASSED[$1]=$((PASSED[$1] + $2)); FAILED[$1]=$((FAILED[$1] + $3)); }
step() { echo "== $* ($(($(date +%s) - t0))s)"; }
want() { [ -z "${PW_ONLY:-}" ] || [[ " $PW_ONLY " == *" $1 "* ]]; }

finish() {
	local k total_failed=0 passed_list=() failed_list=() json=""
	step "done"
	for f in "${failures[@]}"; do echo "failed: $f"; done
	for k in "${KINDS[@]}"; do
		echo "${LABEL[$k]}: ${PASSED[$k]} passed, ${FAILED[$k]} failed"
		total_failed=$((total_failed + FAILED[$k]))
		passed_list+=("${PASSED[$k]} ${LABEL[$k]}")
		[ "${FAILED[$k]}" -eq 0 ] || failed_list+=("${FAILED[$k]} ${LABEL[$k]}")
		json+="${json:+,}\"$k\":{\"label\":\"${LABEL[$k]}\",\"passed\":${PASSED[$k]},\"failed\":${FAILED[$k]}}"
	done
	local passed_text failed_text=""
	passed_text=$(IFS=,; echo "${passed_list[*]}" | sed 's/,/, /g')
	[ ${#failed_list[@]} -eq 0 ] || failed_text=" ($(IFS=,; echo "${failed_list[*]}" | sed 's/,/, /g'))"
	mkdir -p "$(dirname "$summary_file")"
	printf '{"kinds":{%s},"failed":%d}\n' "$json" "$total_failed" >"$summary_file"
	echo "kernel half: $passed_text passed; $total_failed failed$failed_text"
	[ "$total_failed" -eq 0 ]
	exit $?
}

mkdir -p "$build"

step "host setup"
if ! env_out=$("$here/lib/setup-host.sh"); then
	ko step setup "setup-host.sh failed"
	finish
fi
eval "$env_out"
echo "kernel ABI $PW_ABI"

if want build; then
	step "build physwatch.ko"
	if make -C "$pkg" KDIR="$PW_KDIR" >"$build/kbuild.log" 2>&1; then
		ok step build-module
	else
		tail -20 "$build/kbuild.log"
		ko step build-module "see $build/kbuild.log"
		finish
	fi
	vermagic=$(modinfo -F vermagic "$pkg/physwatch.ko" | cut -d' ' -f1)
	if [ "$vermagic" = "$PW_ABI" ]; then ok step vermagic; else ko step vermagic "$vermagic != $PW_ABI"; fi
fi

if want checkpatch; then
	step "checkpatch"
	if "$here/lib/checkpatch.sh" >"$build/checkpatch.log" 2>&1; then
		ok step checkpatch
	else
		grep -E 'ERROR|WARNING|did not run' "$build/checkpatch.log" | tail -20
		ko step checkpatch "see $build/checkpatch.log"
	fi
fi

if want dkms; then
	step "dkms build"
	if "$here/lib/dkms-check.sh" "$PW_ABI" >"$build/dkms.log" 2>&1; then
		ok step dkms-build
	else
		tail -20 "$build/dkms.log"
		ko step dkms-build "see $build/dkms.log"
	fi
fi

if want unit; then
	step "unit tests"
	unit_out=$(make -s -C "$pkg/test/unit" run 2>&1)
	unit_rc=$?
	echo "$unit_out" | grep -v '^make'
	if [[ $(echo "$unit_out" | tail -n1) =~ ^unit:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		add c "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
		[ "${BASH_REMATCH[2]}" -eq 0 ] || failures+=("unit tests")
		[ "$unit_rc" -eq 0 ] || [ "${BASH_REMATCH[2]}" -gt 0 ] || ko c unit-tests "exited $unit_rc"
	else
		ko c unit-tests "did not run (exit $unit_rc)"
	fi
fi

if want fuzz; then
	step "fuzz ${FUZZ_SECONDS}s"
	if make -s -C "$pkg/test/fuzz" run FUZZ_SECONDS="$FUZZ_SECONDS" >"$build/fuzz.log" 2>&1 &&
		runs=$(grep -o 'Done [0-9]* runs' "$build/fuzz.log") && [ "$(echo "$runs" | tr -dc 0-9)" -gt 0 ]; then
		ok step "fuzz-${FUZZ_SECONDS}s $runs"
	else
		tail -30 "$build/fuzz.log"
		ko step fuzz "see $build/fuzz.log"
	fi
fi

if want image; then
	step "guest image"
	if gcc -static -O2 -Wall -o "$build/pwctl" "$here/guest/pwctl.c" &&
		"$here/lib/mkinitramfs.sh" "$build/initramfs.cpio.gz" "$PW_ABI" \
			"$pkg/physwatch.ko" "$build/pwctl"; then
		ok step initramfs
	else
		ko step initramfs
		finish
	fi
	if "$here/lib/mkinitramfs.sh" "$build/kdump.cpio.gz" "$PW_ABI" \
		"$pkg/physwatch.ko" "$build/pwctl" "$PW_VMLINUZ"; then
		ok step initramfs-kdump
	else
		ko step initramfs-kdump
	fi
fi

# boot NAME EXPECT TIMEOUT APPEND...: one guest; its RESULT lines are QEMU checks, and
# a harness that exits non-zero without a FAIL line is one more failure.
boot() {
	local name=$1 expect=$2 tmo=$3 initrd=$build/initramfs.cpio.gz rc p f
	shift 3
	[ "$expect" = kdump ] && initrd=$build/kdump.cpio.gz
	step "qemu $name"
	# shellcheck disable=SC2086
	timeout -k 5 $((tmo + 30)) $qemu_run \
		--kernel "$PW_VMLINUZ" --initrd "$initrd" \
		--append "nokaslr $*" --name "$name" --expect "$expect" \
		--timeout "$tmo" --log "$build/$name.log" >"$build/$name.out" 2>&1 &
	children+=($!)
	wait $!
	rc=$?
	grep -E '^(RESULT FAIL|qemu )' "$build/$name.out"
	p=$(grep -c '^RESULT PASS' "$build/$name.out")
	f=$(grep -c '^RESULT FAIL' "$build/$name.out")
	echo "$name: $p passed, $f failed, harness exit $rc"
	add qemu "$p" "$f"
	while read -r _ _ n _; do failures+=("$n"); done < <(grep '^RESULT FAIL' "$build/$name.out")
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		ko qemu "$name" "no results (harness exit $rc), see $build/$name.log"
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		ko qemu "$name/harness" "exited $rc after $p results, see $build/$name.out"
	fi
}

# crashkernel=16M@512M reserves RAM the kernel never touches: the suites' scratch.
boot_named() {
	case $1 in
	main) boot main suite 240 "crashkernel=16M@512M pw.suite=main" ;;
	seed-hang) boot seed-hang hang 120 "crashkernel=16M@512M pw.suite=seedhang" ;;
	seed-panic) boot seed-panic panic 120 "crashkernel=16M@512M pw.suite=seedpanic" \
		physwatch.paddr_dram_to_watch=0x20000000 physwatch.target_dram_val=0x33 \
		physwatch.watch_interval_ms=30 physwatch.panic_on_hit=1 ;;
	cmd-hang) boot cmd-hang hang 120 "pw.suite=cmdhang" ;;
	cmd-panic) boot cmd-panic panic 120 "pw.suite=cmdpanic" ;;
	seed-kdump) boot seed-kdump kdump 150 "crashkernel=160M pw.suite=kdump" ;;
	ftrace-soak) boot ftrace-soak suite 240 "crashkernel=16M@512M pw.suite=ftracesoak" ;;
	selftest-fewer) boot selftest-fewer suite 60 "pw.suite=selftest pw.selftest=fewer" ;;
	selftest-more) boot selftest-more suite 60 "pw.suite=selftest pw.selftest=more" ;;
	*) ko qemu "$1" "no such boot" ;;
	esac
}

if want selftest; then
	step "harness self-tests"
	"$here/selftest/run.sh" >"$build/selftest.out" 2>&1
	selftest_rc=$?
	cat "$build/selftest.out"
	if [[ $(grep -E '^selftest: [0-9]+ passed, [0-9]+ failed$' "$build/selftest.out" | tail -n1) =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		add selftest "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
		[ "${BASH_REMATCH[2]}" -eq 0 ] || failures+=("harness self-tests (see $build/selftest.out)")
		[ "$selftest_rc" -eq 0 ] || [ "${BASH_REMATCH[2]}" -gt 0 ] || ko selftest selftest "exited $selftest_rc"
	else
		ko selftest selftest "did not run (exit $selftest_rc)"
	fi
fi

if want qemu; then
	for b in $boots; do boot_named "$b"; done
fi

# The whole chain (tests/kernel-chain): the agent in a guest drives this module, the
# orchestrator and Postgres run here. It needs the TypeScript build and the e2e test
# databases, so it runs when the root `npm test` asks for it (PW_CHAIN=1).
if [ "${PW_CHAIN:-0}" = 1 ] && want chain; then
	step "kernel chain"
	rm -f "$build/chain.json"
	# Two guests in sequence: the chain (~1 min) and kdump (three boots, two crashes, ~2 min).
	(cd "$repo" && timeout -k 10 600 npx vitest run --config "$chain_config" \
		--reporter=default --reporter=json --outputFile="$build/chain.json") >"$build/chain.out" 2>&1 &
	children+=($!)
	wait $!
	chain_rc=$?
	grep -E 'chain latency|kdump timing|✓|×|FAIL' "$build/chain.out" | sed 's/\x1b\[[0-9;]*m//g'
	tally=$(node "$repo/scripts/test-tally.mjs" "$build/chain.json" --exit "$chain_rc" --plan "$chain_plan")
	read -r p f <<<"$(echo "$tally" | head -n1)"
	if [[ "$p $f" =~ ^[0-9]+\ [0-9]+$ ]]; then add chain "$p" "$f"; else ko chain kernel-chain "no tally: $tally"; f=1; fi
	echo "$tally" | tail -n +2 | sed 's/^/chain: /'
	[ "$f" -eq 0 ] || failures+=("kernel chain (see $build/chain.out)")
fi
finish
