#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Self-tests of the kernel runner (run-all.sh), run by it before the QEMU boots: each
# breaks one thing on purpose and checks that run-all.sh itself, run on just that
# stage, turns red (non-zero exit, a failure of the right kind in its summary, the
# reason in its output). A control run of a healthy stage must stay green, so the
# demonstrations cannot pass by everything being red.
# Needs the guest images that run-all.sh's image stage built in $PW_BUILD.
# Ends with "selftest: N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
test_dir=$(cd "$here/.." && pwd)
repo=$(cd "$test_dir/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# summary_count FILE KIND passed|failed
summary_count() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kinds"][sys.argv[2]][sys.argv[3]])' "$@" 2>/dev/null ||
		echo missing
}

# demo NAME KIND WANT_RC WANT_TEXT ENV...: run-all.sh with ENV; it must exit WANT_RC
# ("red" for non-zero, 0 for green), have at least one failure of KIND when red (none
# when green), and print WANT_TEXT.
demo() {
	local name=$1 kind=$2 want=$3 text=$4 rc out sum f why=""
	shift 4
	out=$tmp/$name.out
	sum=$tmp/$name.json
	env PW_SUMMARY="$sum" "$@" "$test_dir/run-all.sh" >"$out" 2>&1
	rc=$?
	f=$(summary_count "$sum" "$kind" failed)
	if [ "$want" = red ]; then
		[ "$rc" -ne 0 ] || why="exit 0"
		[[ "$f" =~ ^[0-9]+$ ]] && [ "$f" -gt 0 ] || why="$why; $kind failed=$f"
	else
		[ "$rc" -eq 0 ] || why="exit $rc"
		[ "$f" = 0 ] || why="$why; $kind failed=$f"
	fi
	grep -qF -- "$text" "$out" || why="$why; no \"$text\" in output"
	if [ -z "$why" ]; then
		passed=$((passed + 1))
		echo "PASS selftest/$name ($want: exit $rc, $kind failed=$f)"
	else
		failed=$((failed + 1))
		echo "FAIL selftest/$name: ${why#; }"
		tail -n 15 "$out" | sed 's/^/  | /'
	fi
}

planned=$(sed -n 's/^#define PW_PLANNED_CHECKS \([0-9]*\)$/\1/p' "$test_dir/unit/test_main.c")
demo control-unit-green c 0 "C checks: $planned passed, 0 failed" \
	PW_ONLY=unit
demo lint-tool-missing step red "checkpatch did not run on" \
	PW_ONLY=checkpatch PW_CHECKPATCH_PL="$tmp/no-such-checkpatch.pl"
demo harness-dies-after-results qemu red "selftest-fewer/harness exited 3 after 2 results" \
	PW_ONLY=qemu PW_BOOTS=selftest-fewer PW_QEMU_RUN="$here/dies-after-results.sh"
demo guest-suite-stops-halfway qemu red "RESULT FAIL 6.1/selftest-fewer/selftest-plan ran 1 of 3 planned checks" \
	PW_ONLY=qemu PW_BOOTS=selftest-fewer
demo guest-suite-runs-more-than-planned qemu red "RESULT FAIL 6.1/selftest-more/selftest-plan ran 2 of 1 planned checks" \
	PW_ONLY=qemu PW_BOOTS=selftest-more
demo chain-file-fails-in-beforeAll chain red "tests did not run (skipped, todo, or their file's beforeAll failed)" \
	PW_CHAIN=1 PW_ONLY=chain PW_CHAIN_CONFIG="$here/vitest.config.ts" PW_CHAIN_PLAN=1
echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
