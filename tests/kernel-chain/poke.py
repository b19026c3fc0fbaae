#!/usr/bin/env python3
"""poke.py FILE OFFSET WIDTH VALUE: one aligned store into the shared guest-RAM file
(file offset = guest physical address), as a device or firmware would write. Prints the
wall-clock time of the store in ns, so the test can time store -> row."""
import ctypes
import mmap
import os
import sys
import time

path, off, width, value = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3]), int(sys.argv[4], 0)
ctype = {1: ctypes.c_uint8, 2: ctypes.c_uint16, 4: ctypes.c_uint32, 8: ctypes.c_uint64}[width]
if off % width:
    sys.exit(f"offset 0x{off:x} not aligned to {width}")
fd = os.open(path, os.O_RDWR)
page = off & ~(mmap.PAGESIZE - 1)
m = mmap.mmap(fd, mmap.PAGESIZE, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=page)
ctype.from_buffer(m, off - page).value = value
print(time.time_ns(), flush=True)
