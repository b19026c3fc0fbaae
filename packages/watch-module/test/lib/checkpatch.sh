#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.sh: runs the kernel's checkpatch.pl (from Debian's linux-source package
# of the same series as the headers, cached under $PW_CACHE) over the module's C
# files. Passes with 0 errors and 0 warnings (--strict CHECKs are not counted).
set -euo pipefail
pkg=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PW_CACHE:-/var/cache/physwatch-kernel}/checkpatch
series=$(dpkg-query -W -f='${Version}' linux-headers-amd64 | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')
cp_pl=$cache/linux-source-$series/scripts/checkpatch.pl
if [ ! -f "$cp_pl" ]; then
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
for f in src/*.c src/*.h bench/pw_bench.c; do
	out=$(perl "$cp_pl" --no-tree --terse -f "$f" 2>&1) || true
	if echo "$out" | grep -qE ': (ERROR|WARNING):'; then
		echo "$out" | grep -E ': (ERROR|WARNING):'
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "checkpatch: 0 errors, 0 warnings"
exit $bad
