# SPDX-License-Identifier: GPL-2.0
# arm64: test/guest/cmdpanic.sh (action=panic on the ivshmem BAR) with decoding on.
. /suites/a64lib.sh
. /suites/cmdpanic.sh
