# SPDX-License-Identifier: GPL-2.0
# Sourced by the arm64 wrapper suites before a shared suite from test/guest/.
# Under -kernel on QEMU's virt there is no firmware: Linux assigns the ivshmem BARs but
# leaves memory decoding off until a driver enables the device, and no driver binds
# ivshmem-plain. Enable it as x86's firmware (SeaBIOS) already has, so BAR reads reach it.
echo 1 >/sys/bus/pci/devices/0000:00:04.0/enable
