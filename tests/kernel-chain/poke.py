#!/usr/bin/env python3
"""poke.py FILE OFFSET WIDTH VALUE[,VALUE...] [EVERY_MS]: one aligned store into the shared
guest-RAM file (file offset = guest physical address), as a device or firmware would write.
Prints the wall-clock time of the store in ns, so the test can time store -> row.
With EVERY_MS it stores the values in turn, one every EVERY_MS ±25 % (random, so the stores
do not phase-lock to the guest's poll), printing each store's time, until killed."""
import ctypes
import mmap
import os
import random
import sys
import time

path, off, width = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3])
values = [int(v, 0) for v in sys.argv[4].split(',')]
every_ms = float(sys.argv[5]) if len(sys.argv) > 5 else None
ctype = {1: ctypes.c_uint8, 2: ctypes.c_uint16, 4: ctypes.c_uint32, 8: ctypes.c_uint64}[width]
if off % width:
    sys.exit(f"offset 0x{off:x} not aligned to {width}")
fd = os.open(path, os.O_RDWR)
page = off & ~(mmap.PAGESIZE - 1)
m = mmap.mmap(fd, mmap.PAGESIZE, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=page)
word = ctype.from_buffer(m, off - page)
i = 0
while True:
    word.value = values[i % len(values)]
    print(time.time_ns(), flush=True)
    i += 1
    if every_ms is None:
        break
    time.sleep(every_ms * random.uniform(0.75, 1.25) / 1000)
