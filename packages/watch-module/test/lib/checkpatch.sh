#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.sh: runs the kernel's checkpatch.pl (from Debian's linux-source package
# of the same series as the headers, cached under $PW_CACHE) over the module's C
# files. Passes with 0 errors and 0 warnings (--strict CHECKs are not counted), and only
# when checkpatch really ran on every file: a missing perl or script, or a file it did
# not finish (no "total:" line), fails like a warning would.
#   PW_CHECKPATCH_PL=/path/checkpatch.pl   use that script instead of the cached one
set -euo pipefail
pkg=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PW_CACHE:-/var/cache/physwatch-kernel}/checkpatch
series=$(dpkg-query -W -f='${Version}' linux-headers-amd64 | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')
cp_pl=${PW_CHECKPATCH_PL:-$cache/linux-source-$series/scripts/checkpatch.pl}
if [ -z "${PW_CHECKPATCH_PL:-}" ] && [ ! -f "$cp_pl" ]; then
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/dl.XXXXXX")
	(cd "$tmp" && apt-get download -q "linux-source-$series" >&2)
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-"$series"_*.deb |
		tar -x -C "$tmp" --wildcards "./usr/src/linux-source-$series.tar.xz"
	tar -xJf "$tmp/usr/src/linux-source-$series.tar.xz" -C "$cache" \
		"linux-source-$series/scripts/checkpatch.pl" \
		"linux-source-$series/scripts/spelling.txt" \
		"linux-source-$series/scripts/const_structs.checkpatch"
	rm -rf "$tmp"
fi
cd "$pkg"
bad=0
files=0
for f in src/*.c src/*.h bench/pw_bench.c test/writer/pw_test_writer.c; do
	out=$(perl "$cp_pl" --no-tree --emacs -f "$f" 2>&1) || true
	if ! total=$(echo "$out" | grep -E '^total: [0-9]+ errors, [0-9]+ warnings'); then
		echo "checkpatch did not run on $f: $(echo "$out" | head -n 2 | tr '\n' ' ')"
		bad=1
		continue
	fi
	files=$((files + 1))
	if ! echo "$total" | grep -q '^total: 0 errors, 0 warnings'; then
		echo "$out" | grep -E ': (ERROR|WARNING):'
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "checkpatch: $files files, 0 errors, 0 warnings"
exit $bad
