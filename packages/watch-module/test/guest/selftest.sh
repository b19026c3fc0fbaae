# SPDX-License-Identifier: GPL-2.0
# Not a test of the module: a suite that breaks its plan on purpose, so the harness's
# self-test can show that such a boot turns the kernel half red.
#   pw.selftest=fewer   plans 3 checks, runs 1, then ends normally (exit 0)
#   pw.selftest=more    plans 1 check, runs 2
. /suites/lib.sh
mode=fewer
for arg in $(cat /proc/cmdline); do
	case "$arg" in pw.selftest=*) mode=${arg#pw.selftest=} ;; esac
done
case $mode in
fewer) plan 3; check first-of-three [ -c /dev/null ] ;;
more) plan 1; check one [ -c /dev/null ]; check two [ -c /dev/null ] ;;
esac
suite_done
