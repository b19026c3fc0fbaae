import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir, testLog } from '../test-support/fixtures';
import { CrashHandler, CrashReply, CrashRequest } from './crash-handler';
import { readCrashRecord } from './crash-record';

interface Host {
  handler: CrashHandler;
  replies: CrashReply[];
  stateDir: string;
  sysrq: string;
  crashLoaded: string;
  flushes: number[];
}

/** A host whose /proc and /sys files are plain files in a temp dir. */
function host(options: { allowCrash?: boolean; loaded?: string | null; sysrqExists?: boolean; sysrq?: string } = {}): Host {
  const dir = tempDir();
  const sysrq = options.sysrq ?? path.join(dir, 'sysrq-trigger');
  const crashLoaded = path.join(dir, 'kexec_crash_loaded');
  if ((options.sysrqExists ?? true) && !options.sysrq) fs.writeFileSync(sysrq, '');
  if (options.loaded !== null) fs.writeFileSync(crashLoaded, `${options.loaded ?? '1'}\n`);
  const replies: CrashReply[] = [];
  const flushes: number[] = [];
  const stateDir = path.join(dir, 'state');
  const handler = new CrashHandler({
    kdump: { allowCrash: options.allowCrash ?? true, crashDir: path.join(dir, 'crash'), sysrqTrigger: sysrq, crashKernelLoaded: crashLoaded },
    configPath: '/etc/physwatch/agent.json',
    bootId: 'boot-now',
    stateDir,
    reply: async (reply) => {
      replies.push(reply);
      return true;
    },
    flushSpool: async () => {
      flushes.push(Date.now());
    },
    log: testLog,
    graceMs: 50,
  });
  return { handler, replies, stateDir, sysrq, crashLoaded, flushes };
}

const request = (overrides: Partial<CrashRequest> = {}): CrashRequest => ({
  request_id: 'kdump-42',
  boot_id: 'boot-now',
  watch_id: '7',
  hit_id: '42',
  ...overrides,
});

describe('CrashRequest', () => {
  afterEach(removeTempDirs);

  it('accepted: records the request, replies, flushes the spool, then writes "c" to sysrq', async () => {
    const h = host();
    await h.handler.handle(request());
    expect(h.replies).toEqual([{ request_id: 'kdump-42', accepted: true, reason: '' }]);
    expect(h.flushes).toHaveLength(1);
    expect(fs.readFileSync(h.sysrq, 'utf8')).toBe('c');
    expect(readCrashRecord(h.stateDir)).toMatchObject({ requestId: 'kdump-42', bootId: 'boot-now', watchId: '7', hitId: '42' });
  });

  it('a duplicate of the request under way is accepted again without a second crash; another request is refused', async () => {
    const h = host();
    await h.handler.handle(request());
    fs.writeFileSync(h.sysrq, '');
    await h.handler.handle(request());
    await h.handler.handle(request({ request_id: 'kdump-43' }));
    expect(h.replies.slice(1)).toEqual([
      { request_id: 'kdump-42', accepted: true, reason: '' },
      { request_id: 'kdump-43', accepted: false, reason: 'a crash is already under way for request kdump-42' },
    ]);
    expect(fs.readFileSync(h.sysrq, 'utf8')).toBe('');
  });

  it.each([
    ['local policy', { allowCrash: false }, {}, 'local policy forbids crashing this host: kdump.allowCrash is false in /etc/physwatch/agent.json'],
    ['a stale boot', {}, { boot_id: 'boot-before' }, 'request is for boot boot-before; this host is now in boot boot-now'],
    ['no crash kernel', { loaded: '0' }, {}, 'no crash kernel loaded: <crashLoaded> is 0'],
    ['an unreadable crash-kernel file', { loaded: null }, {}, 'no crash kernel loaded: cannot read <crashLoaded> (ENOENT)'],
    ['a sysrq trigger that cannot be opened', { sysrqExists: false }, {}, 'sysrq write failed: cannot open <sysrq> (ENOENT)'],
  ] as const)('refuses for %s, naming the cause and the file, and crashes nothing', async (_name, hostOptions, overrides, reason) => {
    const h = host(hostOptions);
    await h.handler.handle(request(overrides));
    expect(h.replies).toEqual([{ request_id: 'kdump-42', accepted: false, reason: reason.replace('<crashLoaded>', h.crashLoaded).replace('<sysrq>', h.sysrq) }]);
    expect(readCrashRecord(h.stateDir)).toBeNull();
    expect(h.flushes).toEqual([]);
    if (fs.existsSync(h.sysrq)) expect(fs.readFileSync(h.sysrq, 'utf8')).toBe('');
  });

  it('a sysrq write that fails after acceptance is reported as a refusal and the record is withdrawn', async () => {
    // /dev/full opens for writing and fails every write with ENOSPC, like a sysrq that says no.
    const h = host({ sysrq: '/dev/full' });
    await h.handler.handle(request());
    expect(h.replies).toEqual([
      { request_id: 'kdump-42', accepted: true, reason: '' },
      { request_id: 'kdump-42', accepted: false, reason: 'sysrq write failed: cannot write "c" to /dev/full (ENOSPC)' },
    ]);
    expect(readCrashRecord(h.stateDir)).toBeNull();
  });
});
