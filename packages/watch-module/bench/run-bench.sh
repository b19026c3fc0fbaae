#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmark (not a test): boots the test guest with suite "bench" and prints
#   BENCH lines: cost of one poll (word, 4 KiB region) next to a bare READ_ONCE loop
#   LATENCY lines: host store -> hit line on the serial console at 100 us/1 ms/30 ms
# TCG inflates absolute numbers; compare ratios.
set -euo pipefail
pkg=$(cd "$(dirname "$0")/.." && pwd)
build=${PW_BUILD:-$pkg/build}
mkdir -p "$build"
eval "$("$pkg/test/lib/setup-host.sh")"
make -s -C "$pkg" KDIR="$PW_KDIR" >/dev/null
make -s -C "$PW_KDIR" M="$pkg/bench" modules >/dev/null
gcc -static -O2 -o "$build/pwctl" "$pkg/test/guest/pwctl.c"
PW_EXTRA_KO="$pkg/bench/pw_bench.ko" "$pkg/test/lib/mkinitramfs.sh" \
	"$build/bench.cpio.gz" "$PW_ABI" "$pkg/physwatch.ko" "$build/pwctl"
timeout -k 5 400 python3 "$pkg/test/host/qemu_run.py" --kernel "$PW_VMLINUZ" \
	--initrd "$build/bench.cpio.gz" --append "nokaslr crashkernel=16M@512M pw.suite=bench" \
	--name bench --timeout 360 --latency-id 10 --log "$build/bench.log" |
	grep -E '^(BENCH|LATENCY|qemu)'
