#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Not a test of physwatch: a QEMU harness that prints two passing results and then
# dies, for the harness self-test (run.sh). Its arguments are ignored.
echo "RESULT PASS selftest/first"
echo "RESULT PASS selftest/second"
echo "Traceback (most recent call last): harness died (self-test)" >&2
exit 3
