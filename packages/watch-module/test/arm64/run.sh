#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The arm64 half of the kernel suite: cross-builds physwatch.ko against Debian's arm64
# headers of the x86 suite's ABI (setup.sh), checks its vermagic, builds an arm64
# busybox initramfs with the shared guest suites, and boots Debian's arm64 kernel under
# qemu-system-aarch64 (virt, -cpu max, TCG, 2 vCPUs; guest RAM and an ivshmem BAR are
# files the host writes, test/host/qemu_run.py --arch arm64).
# Prints "RESULT PASS|FAIL NAME detail" for every step and check, then
#   arm64: N passed, N failed
# and exits non-zero on any failure (a harness that exits non-zero without a FAIL line,
# or a boot with no results, is one more failure).
#   PW_BUILD=<pkg>/build (this uses $PW_BUILD/arm64)   PW_CACHE=/var/cache/physwatch-kernel
#   PW_A64_BOOTS="main seed-hang ..."  only these boots (see boot_named)
#   PW_QEMU_RUN=cmd  the QEMU harness (default: python3 test/host/qemu_run.py)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
test_dir=$(cd "$here/.." && pwd)
pkg=$(cd "$test_dir/.." && pwd)
build=${PW_BUILD:-$pkg/build}/arm64
qemu_run=${PW_QEMU_RUN:-python3 $test_dir/host/qemu_run.py}
boots=${PW_A64_BOOTS:-main seed-hang seed-panic cmd-hang cmd-panic seed-kdump cache}
passed=0 failed=0
t0=$(date +%s)
child=""
trap '[ -z "$child" ] || kill "$child" 2>/dev/null' EXIT
trap 'exit 130' INT TERM

result() { # PASS|FAIL NAME [DETAIL]
	echo "RESULT $1 arm64/$2${3:+ $3}"
	if [ "$1" = PASS ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
step() { echo "== arm64 $* ($(($(date +%s) - t0))s)"; }
finish() {
	step done
	echo "arm64: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

mkdir -p "$build"
step "setup"
if ! env_out=$("$here/setup.sh"); then
	result FAIL setup "setup.sh failed"
	finish
fi
eval "$env_out"
echo "arm64 kernel ABI $PW_A64_ABI"

step "cross-build physwatch.ko"
# A copy of the sources: the x86 build's objects in the package dir must not mix in.
rm -rf "$build/mod"
mkdir -p "$build/mod"
cp -r "$pkg/Kbuild" "$pkg/src" "$build/mod/"
find "$build/mod" \( -name '*.o' -o -name '.*.cmd' -o -name '*.mod*' \) -delete
if make -C "$PW_A64_KDIR" M="$build/mod" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
	modules >"$build/kbuild.log" 2>&1 && [ -s "$build/mod/physwatch.ko" ]; then
	warnings=$(grep -c 'warning:' "$build/kbuild.log")
	if [ "$warnings" -eq 0 ]; then
		result PASS build-module
	else
		result FAIL build-module "$warnings compiler warnings, see $build/kbuild.log"
	fi
else
	tail -20 "$build/kbuild.log"
	result FAIL build-module "see $build/kbuild.log"
	finish
fi
vermagic=$(modinfo -F vermagic "$build/mod/physwatch.ko")
case "$vermagic" in
"$PW_A64_ABI "*" aarch64") result PASS vermagic "$vermagic" ;;
*) result FAIL vermagic "'$vermagic' is not $PW_A64_ABI ... aarch64" ;;
esac

step "guest image"
if aarch64-linux-gnu-gcc -static -O2 -Wall -Werror -o "$build/pwctl" "$test_dir/guest/pwctl.c" &&
	aarch64-linux-gnu-gcc -static -O2 -Wall -Werror -o "$build/zeropage" "$here/guest/zeropage.c" &&
	"$here/mkinitramfs.sh" "$build/initramfs.cpio.gz" "$PW_A64_ROOT" "$PW_A64_ABI" \
		"$build/mod/physwatch.ko" "$build/pwctl" "$build/zeropage"; then
	result PASS initramfs
else
	result FAIL initramfs
	finish
fi
if "$here/mkinitramfs.sh" "$build/kdump.cpio.gz" "$PW_A64_ROOT" "$PW_A64_ABI" \
	"$build/mod/physwatch.ko" "$build/pwctl" "$build/zeropage" "$PW_A64_VMLINUZ"; then
	result PASS initramfs-kdump
else
	result FAIL initramfs-kdump
fi

# boot NAME EXPECT TIMEOUT APPEND...: one guest; qemu_run.py prints its RESULT lines.
boot() {
	local name=$1 expect=$2 tmo=$3 initrd=$build/initramfs.cpio.gz rc p f
	shift 3
	[ "$expect" = kdump ] && initrd=$build/kdump.cpio.gz
	step "qemu $name"
	# shellcheck disable=SC2086
	timeout -k 5 $((tmo + 30)) $qemu_run --arch arm64 \
		--kernel "$PW_A64_VMLINUZ" --initrd "$initrd" \
		--append "nokaslr $*" --name "arm64/$name" --expect "$expect" \
		--timeout "$tmo" --log "$build/$name.log" >"$build/$name.out" 2>&1 &
	child=$!
	wait $child
	rc=$?
	child=""
	grep -E '^(RESULT|qemu )' "$build/$name.out"
	p=$(grep -c '^RESULT PASS' "$build/$name.out")
	f=$(grep -c '^RESULT FAIL' "$build/$name.out")
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		result FAIL "$name" "no results (harness exit $rc), see $build/$name.log"
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		result FAIL "$name/harness" "exited $rc after $p results, see $build/$name.out"
	fi
}

# virt's RAM starts at 1 GiB: crashkernel=16M@0x60000000 is the suites' scratch RAM
# (512 MiB into it, like x86's crashkernel=16M@512M).
scratch=crashkernel=16M@0x60000000
boot_named() {
	case $1 in
	main) boot main suite 360 "$scratch pw.suite=a64main" ;;
	seed-hang) boot seed-hang hang 120 "$scratch pw.suite=seedhang" ;;
	seed-panic) boot seed-panic panic 120 "$scratch pw.suite=seedpanic" \
		physwatch.paddr_dram_to_watch=0x60000000 physwatch.target_dram_val=0x33 \
		physwatch.watch_interval_ms=30 physwatch.panic_on_hit=1 ;;
	cmd-hang) boot cmd-hang hang 120 "pw.suite=a64cmdhang" ;;
	cmd-panic) boot cmd-panic panic 120 "pw.suite=a64cmdpanic" ;;
	seed-kdump) boot seed-kdump kdump 200 "crashkernel=160M pw.suite=a64kdump" ;;
	cache) boot cache suite 120 "$scratch pw.suite=a64cache" ;;
	*) result FAIL "$1" "no such boot" ;;
	esac
}
for b in $boots; do boot_named "$b"; done
finish
