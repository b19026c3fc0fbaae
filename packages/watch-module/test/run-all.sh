#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The physwatch kernel module's whole test: unit tests, a short fuzz run, and QEMU
# boots of Debian's own kernel (matching linux-headers-amd64) where the host corrupts
# guest memory through a shared RAM file and an ivshmem BAR file.
# Works on a fresh machine as root (installs with apt-get). Ends with one line
# "N passed, N failed" and exits non-zero on any failure.
#   FUZZ_SECONDS=30  PW_CACHE=/var/cache/physwatch-kernel  PW_BUILD=<pkg>/build
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pkg=$(cd "$here/.." && pwd)
build=${PW_BUILD:-$pkg/build}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
passed=0
failed=0
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

ok() { passed=$((passed + 1)); echo "PASS $1"; }
ko() { failed=$((failed + 1)); failures+=("$1"); echo "FAIL $1 ${2:-}"; }
step() { echo "== $* ($(($(date +%s) - t0))s)"; }

finish() {
	step "done"
	for f in "${failures[@]}"; do echo "failed: $f"; done
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit $?
}

mkdir -p "$build"

step "host setup"
if ! env_out=$("$here/lib/setup-host.sh"); then
	ko setup "setup-host.sh failed"
	finish
fi
eval "$env_out"
echo "kernel ABI $PW_ABI"

step "build physwatch.ko"
if make -C "$pkg" KDIR="$PW_KDIR" >"$build/kbuild.log" 2>&1; then
	ok build-module
else
	tail -20 "$build/kbuild.log"
	ko build-module "see $build/kbuild.log"
	finish
fi
vermagic=$(modinfo -F vermagic "$pkg/physwatch.ko" | cut -d' ' -f1)
if [ "$vermagic" = "$PW_ABI" ]; then ok vermagic; else ko vermagic "$vermagic != $PW_ABI"; fi

step "checkpatch"
if "$here/lib/checkpatch.sh" >"$build/checkpatch.log" 2>&1; then
	ok checkpatch
else
	grep -E 'ERROR|WARNING' "$build/checkpatch.log" | tail -20
	ko checkpatch "see $build/checkpatch.log"
fi

step "dkms build"
if "$here/lib/dkms-check.sh" "$PW_ABI" >"$build/dkms.log" 2>&1; then
	ok dkms-build
else
	tail -20 "$build/dkms.log"
	ko dkms-build "see $build/dkms.log"
fi

step "unit tests"
unit_out=$(make -s -C "$pkg/test/unit" run 2>&1)
echo "$unit_out" | grep -v '^make'
if [[ $(echo "$unit_out" | tail -n1) =~ ^unit:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	passed=$((passed + BASH_REMATCH[1]))
	failed=$((failed + BASH_REMATCH[2]))
	[ "${BASH_REMATCH[2]}" -eq 0 ] || failures+=("unit tests")
else
	ko unit-tests "did not run"
fi

step "fuzz ${FUZZ_SECONDS}s"
if make -s -C "$pkg/test/fuzz" run FUZZ_SECONDS="$FUZZ_SECONDS" >"$build/fuzz.log" 2>&1; then
	ok "fuzz-${FUZZ_SECONDS}s $(grep -o 'Done [0-9]* runs' "$build/fuzz.log")"
else
	tail -30 "$build/fuzz.log"
	ko fuzz "see $build/fuzz.log"
fi

step "guest image"
if gcc -static -O2 -Wall -o "$build/pwctl" "$here/guest/pwctl.c" &&
	"$here/lib/mkinitramfs.sh" "$build/initramfs.cpio.gz" "$PW_ABI" \
		"$pkg/physwatch.ko" "$build/pwctl"; then
	ok initramfs
else
	ko initramfs
	finish
fi
if "$here/lib/mkinitramfs.sh" "$build/kdump.cpio.gz" "$PW_ABI" \
	"$pkg/physwatch.ko" "$build/pwctl" "$PW_VMLINUZ"; then
	ok initramfs-kdump
else
	ko initramfs-kdump
fi

# boot NAME EXPECT TIMEOUT APPEND...: one guest, its RESULT lines counted.
boot() {
	local name=$1 expect=$2 tmo=$3 initrd=$build/initramfs.cpio.gz
	shift 3
	[ "$expect" = kdump ] && initrd=$build/kdump.cpio.gz
	step "qemu $name"
	timeout -k 5 $((tmo + 30)) python3 "$here/host/qemu_run.py" \
		--kernel "$PW_VMLINUZ" --initrd "$initrd" \
		--append "nokaslr $*" --name "$name" --expect "$expect" \
		--timeout "$tmo" --log "$build/$name.log" >"$build/$name.out" 2>&1 &
	children+=($!)
	wait $!
	grep -E '^(RESULT FAIL|qemu )' "$build/$name.out"
	local p f
	p=$(grep -c '^RESULT PASS' "$build/$name.out")
	f=$(grep -c '^RESULT FAIL' "$build/$name.out")
	echo "$name: $p passed, $f failed"
	passed=$((passed + p))
	failed=$((failed + f))
	grep '^RESULT FAIL' "$build/$name.out" | while read -r _ _ n _; do echo "$n"; done >"$build/$name.failed"
	while read -r n; do failures+=("$n"); done <"$build/$name.failed"
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		ko "$name" "no results, see $build/$name.log"
	fi
}

# crashkernel=16M@512M reserves RAM the kernel never touches: the suites' scratch.
boot main suite 240 "crashkernel=16M@512M pw.suite=main"
boot seed-hang hang 120 "crashkernel=16M@512M pw.suite=seedhang"
boot seed-panic panic 120 "crashkernel=16M@512M pw.suite=seedpanic" \
	physwatch.paddr_dram_to_watch=0x20000000 physwatch.target_dram_val=0x33 \
	physwatch.watch_interval_ms=30 physwatch.panic_on_hit=1
boot cmd-hang hang 120 "pw.suite=cmdhang"
boot cmd-panic panic 120 "pw.suite=cmdpanic"
boot seed-kdump kdump 150 "crashkernel=160M pw.suite=kdump"

# The whole chain (tests/kernel-chain): the agent in a guest drives this module, the
# orchestrator and Postgres run here. It needs the TypeScript build and the e2e test
# databases, so it runs when the root `npm test` asks for it (PW_CHAIN=1).
if [ "${PW_CHAIN:-0}" = 1 ]; then
	step "kernel chain"
	repo=$(cd "$pkg/../.." && pwd)
	rm -f "$build/chain.json"
	# Two guests in sequence: the chain (~1 min) and kdump (three boots, two crashes, ~2 min).
	(cd "$repo" && timeout -k 10 600 npx vitest run --config tests/kernel-chain/vitest.config.ts \
		--reporter=default --reporter=json --outputFile="$build/chain.json") >"$build/chain.out" 2>&1 &
	children+=($!)
	wait $!
	grep -E 'chain latency|kdump timing|✓|×|FAIL' "$build/chain.out" | sed 's/\x1b\[[0-9;]*m//g'
	if counts=$(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests,r.numFailedTests)' "$build/chain.json" 2>/dev/null); then
		read -r p f <<<"$counts"
		passed=$((passed + p))
		failed=$((failed + f))
		[ "$f" -eq 0 ] || failures+=("kernel chain (see $build/chain.out)")
		[ "$p" -gt 0 ] || ko kernel-chain "no results, see $build/chain.out"
	else
		ko kernel-chain "did not run, see $build/chain.out"
	fi
fi
finish
