# SPDX-License-Identifier: GPL-2.0
# arm64: test/guest/main.sh as it is (mkinitramfs gives it the kernel's PA bits),
# with the ivshmem device's memory decoding on.
. /suites/a64lib.sh
. /suites/main.sh
