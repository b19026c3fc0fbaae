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
#                         selftest qemu chain kernels arm64); host setup always runs; "kernels"
#                         runs build/dkms/image/qemu again on each of PW_KERNELS
#   PW_KERNELS="6.12-amd64"   the other x86-64 kernels (linux-headers-<flavour>); also 6.12-rt-amd64
#   PW_ARM64=1            also the arm64 suite (test/arm64/run.sh)
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
chain_plan=${PW_CHAIN_PLAN:-18}
boots=${PW_BOOTS:-main seed-hang seed-panic cmd-hang cmd-panic seed-kdump ftrace-soak budget-storm writer smi-intel sentinel}
# Debian's other packaged kernels (linux-headers-<flavour>), after Debian 12's own 6.1.
# 6.12-rt is opt-in (PW_KERNELS="6.12-amd64 6.12-rt-amd64"): under TCG its boots are not
# yet reliable (see the README's Tests section). PW_KERNELS="" runs 6.1 alone.
extra_flavours=${PW_KERNELS-6.12-amd64}
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
	local kl kjson=""
	for kl in "${KLABELS[@]}"; do
		echo "kernel $kl (${KABI[$kl]}): ${KSP[$kl]} steps, ${KQP[$kl]} QEMU checks passed; $((KSF[$kl] + KQF[$kl])) failed"
		kjson+="${kjson:+,}\"$kl\":{\"abi\":\"${KABI[$kl]}\",\"steps\":{\"passed\":${KSP[$kl]},\"failed\":${KSF[$kl]}},\"qemu\":{\"passed\":${KQP[$kl]},\"failed\":${KQF[$kl]}}}"
	done
	printf '{"kinds":{%s},"kernels":{%s},"failed":%d}\n' "$json" "$kjson" "$total_failed" >"$summary_file"
	echo "kernel half: $passed_text passed; $total_failed failed$failed_text"
	[ "$total_failed" -eq 0 ]
	exit $?
}

mkdir -p "$build"

# Per kernel: its ABI, label (6.1, 6.12, 6.12-rt), module build and image directory.
# The first kernel (linux-headers-amd64, Debian 12's own) builds in the package itself,
# which the chain test also uses; the others in a copy of the sources under build/<ABI>.
declare -A KQP KQF KSP KSF KABI
KLABELS=()
klabel() {
	local l
	l=$(echo "$1" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
	case $1 in *-rt-*) l=$l-rt ;; esac
	echo "$l"
}

# kernel_setup FLAVOUR: sets PW_ABI, PW_KDIR, PW_VMLINUZ, KL, KO, IMG for that kernel.
kernel_setup() {
	local env_out
	step "host setup ($1)"
	if ! env_out=$(PW_FLAVOUR=$1 "$here/lib/setup-host.sh"); then
		ko step "$1/setup" "setup-host.sh failed for linux-headers-$1"
		return 1
	fi
	eval "$env_out"
	KL=$(klabel "$PW_ABI")
	KABI[$KL]=$PW_ABI
	KLABELS+=("$KL")
	KQP[$KL]=0 KQF[$KL]=0 KSP[$KL]=0 KSF[$KL]=0
	if [ "$1" = "$default_flavour" ]; then
		KO=$pkg/physwatch.ko IMG=$build MOD=$pkg
	else
		IMG=$build/$PW_ABI MOD=$build/$PW_ABI/mod KO=$build/$PW_ABI/mod/physwatch.ko
		rm -rf "$MOD" && mkdir -p "$MOD" && (cd "$pkg" && cp -r Kbuild Makefile src "$MOD/") &&
			rm -f "$MOD"/src/*.o
	fi
	echo "kernel $KL = $PW_ABI"
}

# kernel_step NAME COMMAND...: a build step of this kernel, counted under its label too.
kernel_step() {
	local name=$1
	shift
	if "$@"; then
		ok step "$KL/$name"
		KSP[$KL]=$((KSP[$KL] + 1))
	else
		ko step "$KL/$name" "see $IMG/$name.log"
		KSF[$KL]=$((KSF[$KL] + 1))
		return 1
	fi
}

build_module() { make -C "$MOD" KDIR="$PW_KDIR" >"$IMG/build-module.log" 2>&1; }
check_vermagic() {
	local magic
	magic=$(modinfo -F vermagic "$KO" | cut -d' ' -f1)
	echo "vermagic $magic" >"$IMG/vermagic.log"
	[ "$magic" = "$PW_ABI" ]
}
dkms_build() { "$here/lib/dkms-check.sh" "$PW_ABI" >"$IMG/dkms-build.log" 2>&1; }
# The writer suite's guest kernel writer, built for this kernel in a copy of its own.
build_writer() {
	rm -rf "$IMG/writer" && cp -r "$here/writer" "$IMG/writer" &&
		make -C "$PW_KDIR" M="$IMG/writer" modules >"$IMG/writer-module.log" 2>&1
}
build_images() {
	gcc -static -O2 -Wall -o "$build/pwctl" "$here/guest/pwctl.c" >"$IMG/initramfs.log" 2>&1 &&
		build_writer &&
		PW_EXTRA_KO="$IMG/writer/pw_test_writer.ko" \
		"$here/lib/mkinitramfs.sh" "$IMG/initramfs.cpio.gz" "$PW_ABI" "$KO" "$build/pwctl" \
			>>"$IMG/initramfs.log" 2>&1 &&
		"$here/lib/mkinitramfs.sh" "$IMG/kdump.cpio.gz" "$PW_ABI" "$KO" "$build/pwctl" \
			"$PW_VMLINUZ" >>"$IMG/initramfs.log" 2>&1
}

# The kernel-specific stages: build, vermagic, DKMS, images (then the boots, below).
kernel_build() {
	mkdir -p "$IMG"
	if want build; then
		kernel_step build-module build_module || { tail -20 "$IMG/build-module.log"; return 1; }
		kernel_step vermagic check_vermagic || cat "$IMG/vermagic.log"
	fi
	if want dkms; then
		kernel_step dkms-build dkms_build || tail -20 "$IMG/dkms-build.log"
	fi
	if want image; then
		kernel_step initramfs build_images || { tail -20 "$IMG/initramfs.log"; return 1; }
	fi
}

default_flavour=amd64
kernel_setup "$default_flavour" || finish
kernel_build || finish

if want checkpatch; then
	step "checkpatch"
	if "$here/lib/checkpatch.sh" >"$build/checkpatch.log" 2>&1; then
		ok step checkpatch
	else
		grep -E 'ERROR|WARNING|did not run' "$build/checkpatch.log" | tail -20
		ko step checkpatch "see $build/checkpatch.log"
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

# boot NAME EXPECT TIMEOUT APPEND...: one guest of the current kernel; its RESULT lines
# are QEMU checks named KERNEL/NAME/CHECK, and a harness that exits non-zero without a
# FAIL line is one more failure.
boot() {
	local name=$KL/$1 expect=$2 tmo=$3 initrd=$IMG/initramfs.cpio.gz rc p f out
	shift 3
	out=$IMG/$(echo "$name" | tr '/' '_')
	[ "$expect" = kdump ] && initrd=$IMG/kdump.cpio.gz
	step "qemu $name"
	# shellcheck disable=SC2086
	timeout -k 5 $((tmo + 30)) $qemu_run \
		--kernel "$PW_VMLINUZ" --initrd "$initrd" \
		--append "nokaslr $*" --name "$name" --expect "$expect" \
		--timeout "$tmo" --log "$out.log" ${BOOT_QEMU_ARGS:-} >"$out.out" 2>&1 &
	children+=($!)
	wait $!
	rc=$?
	grep -E '^(RESULT FAIL|qemu )' "$out.out"
	p=$(grep -c '^RESULT PASS' "$out.out")
	f=$(grep -c '^RESULT FAIL' "$out.out")
	echo "$name: $p passed, $f failed, harness exit $rc"
	add qemu "$p" "$f"
	KQP[$KL]=$((KQP[$KL] + p))
	KQF[$KL]=$((KQF[$KL] + f))
	while read -r _ _ n _; do failures+=("$n"); done < <(grep '^RESULT FAIL' "$out.out")
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		ko qemu "$name" "no results (harness exit $rc), see $out.log"
		KQF[$KL]=$((KQF[$KL] + 1))
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		ko qemu "$name/harness" "exited $rc after $p results, see $out.out"
		KQF[$KL]=$((KQF[$KL] + 1))
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
	budget-storm) boot budget-storm suite 180 "crashkernel=16M@512M pw.suite=budgetstorm" ;;
	# TCG's "max" CPU has AMD's vendor: no SMI counter. As an Intel CPU it has one.
	writer) boot writer suite 120 "crashkernel=16M@512M pw.suite=writer" ;;
	sentinel) boot sentinel suite 60 "pw.suite=sentinel" ;;
	smi-intel) BOOT_QEMU_ARGS="--cpu max,vendor=GenuineIntel,family=6,model=158,stepping=10" \
		boot smi-intel suite 90 "crashkernel=16M@512M pw.suite=smi" ;;
	selftest-fewer) boot selftest-fewer suite 60 "pw.suite=selftest pw.selftest=fewer" ;;
	selftest-more) boot selftest-more suite 60 "pw.suite=selftest pw.selftest=more" ;;
	*) ko qemu "$KL/$1" "no such boot" ;;
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
	# Three guests in sequence: the chain (~1 min), the hunt (~2 min) and kdump (four boots, three crashes, ~4 min
	# on an idle machine; the bound is for a loaded one).
	(cd "$repo" && timeout -k 10 1200 npx vitest run --config "$chain_config" \
		--reporter=default --reporter=json --outputFile="$build/chain.json") >"$build/chain.out" 2>&1 &
	children+=($!)
	wait $!
	chain_rc=$?
	grep -E 'chain latency|kdump timing|hunt [FT]:|✓|×|FAIL' "$build/chain.out" | sed 's/\x1b\[[0-9;]*m//g'
	tally=$(node "$repo/scripts/test-tally.mjs" "$build/chain.json" --exit "$chain_rc" --plan "$chain_plan")
	read -r p f <<<"$(echo "$tally" | head -n1)"
	if [[ "$p $f" =~ ^[0-9]+\ [0-9]+$ ]]; then add chain "$p" "$f"; else ko chain kernel-chain "no tally: $tally"; f=1; fi
	echo "$tally" | tail -n +2 | sed 's/^/chain: /'
	[ "$f" -eq 0 ] || failures+=("kernel chain (see $build/chain.out)")
fi

# The same build, DKMS and boots on the other kernels a fleet runs.
only=${PW_ONLY:-}
for flavour in $extra_flavours; do
	want kernels || break
	# "kernels" alone in PW_ONLY still means every per-kernel stage on these kernels.
	[ -z "$only" ] || PW_ONLY="build dkms image qemu"
	kernel_setup "$flavour" && kernel_build && for b in $boots; do boot_named "$b"; done
	PW_ONLY=$only
done

# arm64 (opt-in, PW_ARM64=1): test/arm64/run.sh cross-builds and boots qemu-system-aarch64.
# Its RESULT names: arm64/STEP are build steps, arm64/BOOT/CHECK QEMU checks.
if [ "${PW_ARM64:-0}" = 1 ] && want arm64; then
	step "arm64"
	KL=arm64
	KLABELS+=(arm64)
	KABI[arm64]="$(dpkg-query -W -f='${Depends}' linux-headers-amd64 | sed -n 's/.*linux-headers-\([0-9][^ ,]*\)-amd64.*/\1/p')-arm64"
	KQP[arm64]=0 KQF[arm64]=0 KSP[arm64]=0 KSF[arm64]=0
	timeout -k 10 900 "$here/arm64/run.sh" >"$build/arm64.out" 2>&1 &
	children+=($!)
	wait $!
	arm64_rc=$?
	grep -E '^(RESULT FAIL|qemu )' "$build/arm64.out"
	while read -r _ verdict name _; do
		kind=qemu
		[ "$(echo "$name" | tr -cd / | wc -c)" -ge 2 ] || kind=step
		if [ "$verdict" = PASS ]; then
			add "$kind" 1 0
			[ $kind = qemu ] && KQP[arm64]=$((KQP[arm64] + 1)) || KSP[arm64]=$((KSP[arm64] + 1))
		else
			add "$kind" 0 1
			failures+=("$name")
			[ $kind = qemu ] && KQF[arm64]=$((KQF[arm64] + 1)) || KSF[arm64]=$((KSF[arm64] + 1))
		fi
	done < <(grep -E '^RESULT (PASS|FAIL) ' "$build/arm64.out")
	if ! grep -qE '^arm64: [0-9]+ passed, [0-9]+ failed$' "$build/arm64.out"; then
		ko step arm64 "no closing line (exit $arm64_rc), see $build/arm64.out"
	elif [ "$arm64_rc" -ne 0 ] && ! grep -q '^RESULT FAIL' "$build/arm64.out"; then
		ko step arm64 "exited $arm64_rc without a FAIL line, see $build/arm64.out"
	fi
fi
finish
