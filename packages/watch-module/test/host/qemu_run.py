#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot one physwatch test guest under QEMU and act as the "device" that corrupts it.

Guest RAM is a shared file (file offset = guest physical address, RAM < 2.75 GiB, on
x86; on arm64 --arch arm64, virt, RAM and the file start at 1 GiB) and
an ivshmem-plain BAR is a second file. The guest asks for corruption on the serial
console and the host does it with one aligned store through mmap:

  guest -> host   @@POKE ram|bar OFFSET WIDTH VALUE     host stores, replies @@ACK
  guest -> host   @@RESULT PASS|FAIL NAME [detail]      a test result
  guest -> host   @@HB [cpuC] N                         heartbeat (hang suite), one loop per CPU
  guest -> host   @@STORM ram|bar OFF LEN MS SECS        the host rewrites the whole range every
                                                        MS ms for SECS s in the background; acks at once
  guest -> host   @@SUITE NAME                          a suite starts (a kdump run has two)
  guest -> host   @@PLAN N                              that suite runs exactly N checks
  guest -> host   @@END rc=N                            suite finished with exit status N

--expect hang|panic adds host-side checks for suites whose guest cannot report:
  hang:  after the hit line (action=hang), no heartbeat for --quiet-secs seconds
  panic: the hit line, then "Kernel panic - not syncing: physwatch: hit", then QEMU exits
  kdump: as panic, then the crash kernel's suite runs, and the dmesg it read out of
         the vmcore (@@VMCORE-DMESG lines) holds the same hit line

Every suite must declare its plan: the host adds one check per suite that the number
of guest results equals the plan (a suite that stops halfway, or runs more than it
declared, fails) and one that a suite which reached its end exited 0.

Every run has a hard timeout and QEMU is always killed on exit. Results are printed
as "RESULT PASS|FAIL NAME detail" lines; the exit code is 0 only if all passed and
at least one result was recorded.
"""
import argparse
import ctypes
import mmap
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time

CTYPES = {1: ctypes.c_uint8, 2: ctypes.c_uint16, 4: ctypes.c_uint32, 8: ctypes.c_uint64}


# What differs per guest architecture. ram_base: the guest physical address of the RAM
# file's first byte (x86 q35 with RAM < 2.75 GiB: 0; arm64 virt: RAM starts at 1 GiB), so
# a poke names a guest physical address on both. pauth-impdef: QEMU's cheap pointer-auth
# hash instead of QARMA, which costs TCG most of its time on a Debian arm64 kernel.
# dtb-randomness=off: no /chosen/kaslr-seed, which a nokaslr kernel leaves in place and
# kexec -p then refuses ("kaslr-seed is not wiped to 0").
ARCHES = {
    "x86_64": {"qemu": "qemu-system-x86_64", "cpu": "max", "machine": "q35",
               "console": "ttyS0", "ram_base": 0},
    "arm64": {"qemu": "qemu-system-aarch64", "cpu": "max,pauth-impdef=on", "machine": "virt,dtb-randomness=off",
              "console": "ttyAMA0", "ram_base": 0x40000000},
}


class Store:
    """One aligned store of 1, 2, 4 or 8 bytes into a shared file mapped at guest address base."""

    base = 0

    def __init__(self, path, size):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.ftruncate(fd, size)
        self.map = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        os.close(fd)

    def poke(self, addr, width, value):
        off = addr - self.base
        if off < 0 or off % width or off + width > len(self.map):
            raise ValueError(f"bad poke offset 0x{addr:x} width {width}")
        CTYPES[width].from_buffer(self.map, off).value = value

    def peek(self, addr, width):
        return CTYPES[width].from_buffer(self.map, addr - self.base).value


def split_console(line):
    """A kernel line printed into the middle of a user line (a hit that interrupted a
    heartbeat's write: "@@HB cpu0 9[    5.07] physwatch: hit ...") becomes two lines.
    A timestamp after a space is a quoted kernel line ("@@VMCORE-DMESG [ ...") and stays.
    Seen on arm64's PL011 console; x86 keeps its line handling as it was."""
    return re.split(rb"(?<=\S)(?=\[ *\d+\.\d{6}\] )", line)


def log_buffer_lines(ram, **patterns):
    """Kernel lines found in guest RAM (the printk buffer), for those a console did not print."""
    found = {}
    for key, pattern in patterns.items():
        m = re.search(pattern, ram.map)
        found[key] = m.group(0).decode("utf-8", "replace") if m else None
    return found


def start_storm(store, off, length, period, secs):
    """Rewrites [off, off+length) wholesale every period seconds, like a device in a loop."""
    stop = threading.Event()

    def run():
        end = time.monotonic() + secs
        n = 0
        while not stop.is_set() and time.monotonic() < end:
            n = (n + 1) & 0xff
            store.map[off - store.base:off - store.base + length] = bytes([n]) * length
            stop.wait(period)

    threading.Thread(target=run, daemon=True).start()
    return stop


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--append", default="")
    ap.add_argument("--ram-mb", type=int, default=768)
    ap.add_argument("--shm-dir", default="/dev/shm")
    ap.add_argument("--timeout", type=float, default=240)
    ap.add_argument("--log", required=True)
    ap.add_argument("--expect", choices=["suite", "hang", "panic", "kdump"], default="suite")
    ap.add_argument("--name", default="suite")
    ap.add_argument("--quiet-secs", type=float, default=3.0)
    ap.add_argument("--smp", type=int, default=2)
    # KVM aborts on this lab's host (see KERNEL-LAB.md): TCG unless told otherwise. One
    # host thread for both vCPUs: with thread=multi a vCPU was seen looping in exc_int3
    # on a site the other had just text-patched (a static key flip: RCU stall, 1 boot in
    # ~10), which single-threaded TCG cannot do. It costs ~1.5x on the longest boot.
    ap.add_argument("--accel", default=os.environ.get("PW_ACCEL", "tcg,thread=single"))
    ap.add_argument("--latency-id", help="time host store -> hit line of this watch id")
    ap.add_argument("--arch", choices=sorted(ARCHES), default="x86_64")
    ap.add_argument("--cpu", help="the QEMU CPU model (default: the arch's)")
    args = ap.parse_args()

    tag = f"physwatch-{os.getpid()}"
    ram_path = os.path.join(args.shm_dir, tag + "-ram")
    bar_path = os.path.join(args.shm_dir, tag + "-bar")
    ram_size = args.ram_mb << 20
    ram = Store(ram_path, ram_size)
    bar = Store(bar_path, 1 << 20)
    results = []

    def result(ok, name, detail=""):
        results.append(ok)
        line = f"RESULT {'PASS' if ok else 'FAIL'} {name} {detail}".rstrip()
        print(line, flush=True)

    arch = ARCHES[args.arch]
    ram.base = arch["ram_base"]
    qemu = [
        arch["qemu"], "-accel", args.accel, "-cpu", args.cpu or arch["cpu"],
        "-machine", f"{arch['machine']},memory-backend=ram0", "-smp", str(args.smp), "-m", f"{args.ram_mb}M",
        "-object", f"memory-backend-file,id=ram0,size={args.ram_mb}M,mem-path={ram_path},share=on",
        "-object", f"memory-backend-file,id=shm0,size=1M,mem-path={bar_path},share=on",
        "-device", "ivshmem-plain,memdev=shm0,addr=0x4",
        "-display", "none", "-serial", "stdio", "-monitor", "none", "-nodefaults", "-no-reboot",
        "-kernel", args.kernel, "-initrd", args.initrd,
        "-append", f"console={arch['console']} panic=-1 {args.append}",
    ]
    # A SIGTERM (e.g. from timeout(1)) must still run the cleanup below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    log = open(args.log, "wb")
    proc = subprocess.Popen(qemu, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    start = time.monotonic()
    deadline = start + args.timeout
    buf = b""
    ended = False
    hit_line = None
    hang_at = None
    last_hb = None
    hb_after_hang = False
    panic_seen = False
    hb_count = 0
    hb_cpus = {}
    storms = []
    oops = []
    vmcore_lines = []
    lat = {}
    lat_label = [None]
    last_poke = [None]
    oops_at = None
    # One per "@@SUITE": name, declared plan, guest results counted, exit status at @@END.
    suites = []

    def handle(line):
        nonlocal ended, hit_line, hang_at, last_hb, hb_after_hang, panic_seen, hb_count
        text = line.decode("utf-8", "replace")
        m = re.search(r"@@POKE (ram|bar) (0x[0-9a-fA-F]+|\d+) ([1248]) (0x[0-9a-fA-F]+|\d+)", text)
        if m:
            store = ram if m.group(1) == "ram" else bar
            store.poke(int(m.group(2), 0), int(m.group(3)), int(m.group(4), 0))
            last_poke[0] = time.monotonic()
            try:
                proc.stdin.write(b"@@ACK\n")
                proc.stdin.flush()
            except BrokenPipeError:
                pass
            return
        if "@@POKE" in text:
            # Never leave the guest waiting for an ack.
            result(False, f"{args.name}/bad-poke", text.strip())
            proc.stdin.write(b"@@ACK\n")
            proc.stdin.flush()
            return
        m = re.search(r"@@SUITE (\S+)", text)
        if m:
            suites.append({"name": m.group(1), "plan": None, "count": 0, "rc": None})
            return
        m = re.search(r"@@PLAN (\d+)", text)
        if m and suites:
            suites[-1]["plan"] = int(m.group(1))
            return
        m = re.search(r"@@RESULT (PASS|FAIL) (\S+) ?(.*)", text)
        if m:
            if suites:
                suites[-1]["count"] += 1
            result(m.group(1) == "PASS", f"{args.name}/{m.group(2)}", m.group(3))
            return
        m = re.search(r"@@LAT (\S+)", text)
        if m:
            lat_label[0] = m.group(1)
            return
        if args.latency_id and last_poke[0] and re.search(rf"physwatch: hit seq=\d+ id={args.latency_id} ", text):
            lat.setdefault(lat_label[0], []).append((time.monotonic() - last_poke[0]) * 1000)
            last_poke[0] = None
        m = re.search(r"@@BENCH (.*)", text)
        if m:
            print("BENCH " + m.group(1), flush=True)
            return
        m = re.search(r"@@VMCORE-DMESG (.*)", text)
        if m:
            vmcore_lines.append(m.group(1))
            return
        m = re.search(r"@@STORM (ram|bar) (0x[0-9a-fA-F]+|\d+) (\d+) (\d+) (\d+)", text)
        if m:
            store = ram if m.group(1) == "ram" else bar
            storms.append(start_storm(store, int(m.group(2), 0), int(m.group(3)),
                                      int(m.group(4)) / 1000, int(m.group(5))))
            proc.stdin.write(b"@@ACK\n")
            proc.stdin.flush()
            return
        m = re.search(r"@@HB (?:cpu(\d+) )?(\d+)", text)
        if m:
            hb_count += 1
            hb_cpus[m.group(1)] = hb_cpus.get(m.group(1), 0) + 1
            last_hb = time.monotonic()
            if hang_at is not None and last_hb > hang_at + 0.5:
                hb_after_hang = True
            return
        if re.search(r"kernel BUG at|Oops: |general protection fault|BUG: unable to handle|BUG: sleeping function|"
                     r"rcu: INFO|detected stalls? on CPUs|soft lockup|hard LOCKUP|blocked for more than|WARNING: CPU:", text) and not oops:
            oops.append(text.strip())
            result(False, f"{args.name}/kernel-oops", text.strip())
            return
        m = re.search(r"@@END rc=(\d+)", text)
        if m and suites:
            suites[-1]["rc"] = int(m.group(1))
        if "@@END" in text:
            # The first suite of a kdump run ends in a panic, not here.
            ended = args.expect != "kdump" or bool(vmcore_lines)
            return
        if re.search(r"physwatch: hit seq=\d+ .*action=(hang|panic)", text):
            hit_line = text.strip()
        if "physwatch: hang: hit seq=" in text and hang_at is None:
            hang_at = time.monotonic()
        if "Kernel panic - not syncing: physwatch: hit" in text:
            panic_seen = True

    try:
        while time.monotonic() < deadline:
            # PREEMPT_RT prints the console from a kthread, which a hang stops with the rest:
            # there the freeze is timed from the store that caused it, and the lines are
            # looked for in the guest's log buffer (RAM) below.
            if args.expect == "hang" and hang_at and time.monotonic() > hang_at + args.quiet_secs:
                break
            # No hang line (RT): quiet_secs of silence after the store and the last heartbeat.
            if args.expect == "hang" and not hang_at and last_poke[0] and hb_count >= 3 and \
                    time.monotonic() > max(last_poke[0], last_hb or 0) + args.quiet_secs:
                break
            r, _, _ = select.select([proc.stdout], [], [], 0.2)
            if r:
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                log.write(chunk)
                log.flush()
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    for part in split_console(line) if args.arch == "arm64" else [line]:
                        handle(part)
            if ended:
                break
            if oops and args.expect == "suite":
                oops_at = oops_at or time.monotonic()
                if time.monotonic() > oops_at + 2:
                    break
            if proc.poll() is not None and not r:
                break
    finally:
        for stop in storms:
            stop.set()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        log.close()
        for p in (ram_path, bar_path):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass
    took = time.monotonic() - start
    timed_out = time.monotonic() >= deadline
    if args.expect == "kdump":
        hit = re.search(r"physwatch: (hit seq=.*)", hit_line or "")
        result(hit is not None, f"{args.name}/hit-line", hit_line or "no hit line with action=panic")
        result(panic_seen, f"{args.name}/panic", "Kernel panic - not syncing: physwatch: hit")
        in_core = hit is not None and any(hit.group(1) in l for l in vmcore_lines)
        result(in_core, f"{args.name}/hit-line-in-vmcore-dmesg",
               f"{len(vmcore_lines)} lines read back from the vmcore")
    if args.expect in ("suite", "kdump"):
        if not ended:
            result(False, f"{args.name}/finished", f"no @@END (timeout={timed_out}, rc={proc.returncode}) see {args.log}")
    elif args.expect == "hang":
        # 768 MiB to scan: only when the console did not show both lines (PREEMPT_RT).
        in_ram = {"hit": None, "hang": None} if hit_line is not None and hang_at is not None else \
            log_buffer_lines(ram, hit=rb"physwatch: hit seq=\d+ [^\n\x00]*action=hang",
                             hang=rb"physwatch: hang: hit seq=\d+ [^\n\x00]*")
        if hit_line is not None:
            result(True, f"{args.name}/hit-line", hit_line)
        else:
            result(in_ram["hit"] is not None, f"{args.name}/hit-line",
                   f"not on the console; in the guest's log buffer: {in_ram['hit']}" if in_ram["hit"]
                   else "no hit line with action=hang, on the console or in guest RAM")
        every_cpu = len(hb_cpus) == args.smp and all(n >= 3 for n in hb_cpus.values())
        result(every_cpu, f"{args.name}/heartbeats-before",
               f"heartbeats per CPU before the hang: {dict(sorted(hb_cpus.items(), key=lambda kv: str(kv[0])))}")
        hang_seen = hang_at is not None or in_ram["hang"] is not None
        result(hang_seen and not hb_after_hang and not timed_out,
               f"{args.name}/guest-frozen",
               (f"no heartbeat for {args.quiet_secs}s after the hang" +
                ("" if hang_at is not None else f" (hang line only in the guest's log buffer: {in_ram['hang']})"))
               if hang_seen else "no hang line, on the console or in guest RAM")
    else:
        # PREEMPT_RT can lose a panic's console output when the panic interrupts the
        # console's owner on its own CPU; the kernel's log buffer (what a vmcore holds) has it.
        in_ram = {} if hit_line is not None and panic_seen else log_buffer_lines(
            ram, hit=rb"physwatch: hit seq=\d+ [^\n\x00]*action=panic",
            panic=rb"Kernel panic - not syncing: physwatch: hit[^\n\x00]*")
        result(hit_line is not None or in_ram.get("hit") is not None, f"{args.name}/hit-line",
               hit_line or (f"not on the console; in the guest's log buffer: {in_ram['hit']}" if in_ram.get("hit")
                            else "no hit line with action=panic, on the console or in guest RAM"))
        result(panic_seen or in_ram.get("panic") is not None, f"{args.name}/panic",
               "Kernel panic - not syncing: physwatch: hit" + ("" if panic_seen else
               (f" (not on the console; in the guest's log buffer: {in_ram['panic']})" if in_ram.get("panic") else " missing")))
        result(proc.returncode is not None and not timed_out, f"{args.name}/qemu-exited",
               f"rc={proc.returncode}")
    if not suites:
        result(False, f"{args.name}/suite-started", f"no @@SUITE line, see {args.log}")
    for suite in suites:
        planned = suite["plan"]
        result(planned is not None and suite["count"] == planned, f"{args.name}/{suite['name']}-plan",
               f"ran {suite['count']} of {planned if planned is not None else 'no declared'} planned checks")
        if suite["rc"] is not None:
            result(suite["rc"] == 0, f"{args.name}/{suite['name']}-exit", f"rc={suite['rc']}")
    for label, v in lat.items():
        v.sort()
        print(f"LATENCY {label}: n={len(v)} min={v[0]:.2f}ms median={v[len(v) // 2]:.2f}ms "
              f"p90={v[int(len(v) * 0.9)]:.2f}ms max={v[-1]:.2f}ms", flush=True)
    print(f"qemu {args.name}: {took:.1f}s", flush=True)
    return 0 if results and all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
