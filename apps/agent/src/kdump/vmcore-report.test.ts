import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { elfVmcore, kdumpCompressed, kdumpToolsDump, rhelDump } from '../test-support/dump-fixtures';
import { removeTempDirs, tempDir } from '../test-support/fixtures';
import { recordBoot } from './boot-history';
import { writeCrashRecord } from './crash-record';
import { findDumps } from './dump-discovery';
import { describeDump } from './vmcore-report';

const HIT =
  '[   52.684968] physwatch: hit seq=39 id=40 realtime_ns=1795687782739564950 boottime_ns=52646884674 cpu=0 paddr=0x20000040 offset=0x0 width=4 old=0x0 new=0x99 pid=3049 comm=sync ip=ksys_sync+0x0/0xa0 src=ftrace action=panic';
const PANIC = '[   52.685100] Kernel panic - not syncing: physwatch: hit seq=39 id=40 paddr=0x20000040 old=0x0 new=0x99';
const CRASH_S = 1795687782n;

describe('vmcore report', () => {
  afterEach(removeTempDirs);

  it('describes a kdump-tools dump and attributes it to the boot before the crash and the request it obeyed', async () => {
    const stateDir = tempDir();
    const crashDir = tempDir();
    const crashMs = Number(CRASH_S) * 1000;
    recordBoot(stateDir, 'boot-old', crashMs - 86_400_000);
    recordBoot(stateDir, 'boot-crashed', crashMs - 60_000);
    recordBoot(stateDir, 'boot-now', crashMs + 90_000);
    writeCrashRecord(stateDir, { requestId: 'kdump-77', bootId: 'boot-crashed', watchId: '40', hitId: '77', atMs: crashMs - 500 });
    const bytes = kdumpCompressed({ release: '6.1.0-27-amd64', seconds: CRASH_S, micros: 250_000n, dumpLevel: 31 });
    const files = kdumpToolsDump(crashDir, '202611261223', bytes, `[    0.000000] Linux version 6.1.0-27-amd64\n${HIT}\n${PANIC}\n`);

    const [dump] = findDumps(crashDir);
    const report = await describeDump(dump, stateDir, 'boot-now');
    expect(report).toEqual({
      path: files.dump,
      layout: 'kdump-tools',
      format: 'kdump-compressed',
      size_bytes: String(bytes.length),
      sha256: createHash('sha256').update(bytes).digest('hex'),
      dump_level: 31,
      crash_time_unix_ms: String(crashMs + 250),
      kernel_release: '6.1.0-27-amd64',
      dmesg_path: files.dmesg,
      dmesg_excerpt: `[    0.000000] Linux version 6.1.0-27-amd64\n${HIT}\n${PANIC}\n`,
      crashed_boot_id: 'boot-crashed',
      crash_request_id: 'kdump-77',
      recovered_hits: [expect.objectContaining({ seq: '0', module_seq: '39', watch_id: '40', action: 'ACTION_PANIC' })],
    });
  });

  it('an ELF vmcore with no dmesg and no crash time: mtime dates it, and a request from another boot is not its own', async () => {
    const stateDir = tempDir();
    const crashDir = tempDir();
    const files = rhelDump(crashDir, '127.0.0.1-2026-11-26-12:23:22', elfVmcore('OSRELEASE=5.14.0-427.el9.x86_64\n'));
    const mtime = new Date(Date.UTC(2026, 10, 26, 12, 23, 22));
    fs.utimesSync(files.dump, mtime, mtime);
    recordBoot(stateDir, 'boot-crashed', mtime.getTime() - 60_000);
    recordBoot(stateDir, 'boot-now', mtime.getTime() + 60_000);
    writeCrashRecord(stateDir, { requestId: 'kdump-1', bootId: 'boot-now', watchId: '1', hitId: '1', atMs: mtime.getTime() + 70_000 });

    const report = await describeDump(findDumps(crashDir)[0], stateDir, 'boot-now');
    expect(report).toMatchObject({
      layout: 'rhel',
      format: 'elf',
      dump_level: -1,
      kernel_release: '5.14.0-427.el9.x86_64',
      crash_time_unix_ms: String(mtime.getTime()),
      dmesg_path: '',
      dmesg_excerpt: '',
      crashed_boot_id: 'boot-crashed',
      crash_request_id: '',
      recovered_hits: [],
    });
  });
});
