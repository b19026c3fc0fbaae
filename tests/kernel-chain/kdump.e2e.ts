/**
 * Issue 6 under QEMU, real at every step: one guest (Debian's kernel, physwatch.ko, the
 * agent, a crash kernel loaded with `kexec -p`) against the real orchestrator, Postgres and
 * Redis. The host corrupts guest RAM through the shared memory file; the guest panics into
 * the crash kernel, which saves the dump in kdump-tools' layout on a host directory exported
 * over 9p and reboots; the guest boots again and its agent reports the dump.
 *   C  kdump_on_hit on a guest whose policy forbids crashing: the job is denied, no crash.
 *   A  action panic: the vmcore row, linked to the hit — stored from whichever path won (the
 *      dump's dmesg, or the agent's live read in the ~0.2 s before the panic).
 *   A2 action panic with the live path held back (the agent frozen before the store): the
 *      hit can only come from the dump's dmesg, and it does.
 *   B  kdump_on_hit once the policy allows it: trigger job → sysrq 'c' → vmcore → job done.
 * In that order, so the whole test is one QEMU process and four boots.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { eventually } from '../support/eventually';
import { Orchestrator } from '../support/stack';
import { Guest, identityOf } from './guest';

// Inside the crash kernel's reservation (512 MiB..672 MiB), RAM the first kernel never uses,
// 16 MiB above its base: kexec puts small segments (purgatory, ELF headers) at the base and
// the kernel and initrd at the top, and purgatory checks their sha256 before it boots the
// crash kernel, so a store into one of them would hang the crash instead of dumping.
// beforeAll checks that kexec left this page untouched. (After a crash the crash kernel has
// run there, so a watch re-armed in the next boot sees its leftovers, never a change.)
const CRASHKERNEL = '160M@512M';
const PADDR = { C: 0x21000100n, A: 0x21000200n, A2: 0x21000400n, B: 0x21000300n };
const TARGET = 0xdeadbeefn;
const PERSIST = path.resolve(__dirname, '../../packages/watch-module/build/kdump-chain/persist');
const POLL_MS = 200;
/** Panic → crash kernel → dump → reset → boot → agent connected → report stored: ~35 s measured. */
const CRASH_CYCLE_MS = 180_000;

let orchestrator: Orchestrator;
let guest: Guest;
let api: Api;
const hostId = `kdump-${process.pid}`;
const boots: string[] = [];
/** The persistent export as the guest's agent sees it (its crashDir is `<this>/crash`). */
let guestPersist = '';
const timings: string[] = [];
/** The crashing watches, for the last test. */
const crashed: string[] = [];
/** kdump-tools' stamp (UTC minute) of the last dump saved. */
let lastStamp = '';
const stampOf = (ms: number): string => new Date(ms).toISOString().replace(/[-T:]/g, '').slice(0, 12);

async function get(url: string): Promise<any> {
  const res = await api.request('GET', url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const vmcoresOf = async (watchId: string): Promise<any[]> => (await get(`/api/v1/vmcores?watch_id=${watchId}&limit=100`)).items;
const jobsOf = async (watchId: string): Promise<any[]> => (await get(`/api/v1/kdump-jobs?watch_id=${watchId}`)).items;
const hitsOf = (watchId: string): Promise<any[]> => api.allHits({ watch_id: watchId });

function statusOf(lines: string[], id: string): string | undefined {
  return lines.find((l) => l.startsWith(`id=${id} `));
}

const serial = (prefix: string, from: number, timeoutMs: number) => guest.serial(prefix, from, timeoutMs);

/** Waits for the next boot of the first kernel (after `from`) and its agent's stream; the serial lines that time it. */
async function nextBoot(from: number): Promise<Array<[string, number]>> {
  const boot = await serial('@@BOOT ', from, CRASH_CYCLE_MS);
  boots.push(boot.rest);
  const stream = await serial('"msg":"stream established"', boot.index, 120_000);
  const kexec = await serial('@@KEXEC-LOADED ', boot.index, 1000);
  const node = await serial('"msg":"agent starting"', boot.index, 1000);
  return [['boot', boot.index], ['crash kernel loaded', kexec.index], ['agent process up', node.index], ['agent connected', stream.index]];
}

/** Crash kernel → dump saved → next boot → the watch's vmcore row over REST; the serial marks that time it. */
async function crashCycle(watchId: string, from: number): Promise<{ saved: { index: number; rest: string }; marks: Array<[string, number]>; vmcore: any }> {
  const crashKernel = await serial('@@KDUMP-CRASH-KERNEL', from, 60_000);
  const saved = await serial('@@KDUMP-SAVED ', from, CRASH_CYCLE_MS);
  const next = await nextBoot(saved.index);
  const [vmcore] = await eventually('the vmcore row', async () => {
    const v = await vmcoresOf(watchId);
    return v.length > 0 && v;
  }, CRASH_CYCLE_MS, POLL_MS);
  return { saved, marks: [['crash kernel', crashKernel.index], ['dump saved', saved.index], ...next], vmcore };
}

/** Store → row, and where the time went (host clock; serial lines timed on arrival). */
function reportTiming(label: string, storedAtNs: bigint, marks: Array<[string, number]>): void {
  const t0 = Number(storedAtNs / 1_000_000n);
  const total = Date.now() - t0;
  const steps = marks.map(([name, index]) => `${name} +${((guest.lineTime(index) - t0) / 1000).toFixed(1)} s`);
  timings.push(`${label} ${(total / 1000).toFixed(1)} s`);
  console.log(`kdump timing ${label}: corrupting store -> vmcore row visible over REST ${total} ms (${steps.join(', ')}, row +${(total / 1000).toFixed(1)} s)`);
}

/** Resolves once the host's heartbeats have advanced last_seen_at `count` times: time has passed for agent and orchestrator alike. */
async function heartbeats(count: number): Promise<void> {
  let seen = (await api.host(hostId)).last_seen_at;
  for (let i = 0; i < count; i++) {
    const before = seen;
    seen = await eventually(`heartbeat ${i + 1} of ${count}`, async () => {
      const now = (await api.host(hostId)).last_seen_at;
      return now !== before && now;
    }, 30_000, POLL_MS);
  }
}

/** kdump-tools' stamp has minutes only: a second dump within the last one's minute would wait in the crash kernel. */
async function nextDumpMinute(): Promise<void> {
  // Waiting for a wall-clock minute is the behaviour itself here, outside any timed interval.
  while (stampOf(Date.now() - 2000) <= lastStamp) await new Promise((r) => setTimeout(r, 500));
}

async function createWatch(paddr: bigint, extra: Record<string, unknown>): Promise<string> {
  const watch = await api.createWatch({
    target: { paddr: `0x${paddr.toString(16)}` },
    width: 4,
    condition: 'equals',
    value: `0x${TARGET.toString(16)}`,
    interval: '1ms',
    hosts: { ids: [hostId] },
    ...extra,
  });
  await eventually(`watch ${watch.id} armed`, async () => (await api.watch(watch.id)).assignments?.find((a: any) => a.host_id === hostId)?.phase === 'armed', 60_000, POLL_MS);
  return watch.id;
}

/** 0 first (and wait until the module has seen it), then the target: one `equals` hit. Returns the store's wall-clock ns. */
async function corrupt(watchId: string, paddr: bigint): Promise<bigint> {
  guest.poke(paddr, 4, 0n);
  await eventually('the module to see the reset', async () => / last=0x0 /.test(statusOf(await guest.status(), watchId) ?? ''), 30_000, 50);
  return guest.poke(paddr, 4, TARGET);
}

/** The dump file on the host, from the path the agent reported (under its crashDir). */
function hostFileOf(vmcorePath: string): string {
  expect(vmcorePath.startsWith(`${guestPersist}/crash/`)).toBe(true);
  return path.join(PERSIST, vmcorePath.slice(guestPersist.length));
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Everything a vmcore row must say about a dump saved by the crash kernel in this guest. */
function expectVmcore(vmcore: any, watchId: string, hit: any, crashedBoot: string): void {
  const file = hostFileOf(vmcore.path);
  expect(vmcore).toMatchObject({
    host_id: hostId,
    watch_id: watchId,
    hit_id: hit.id,
    crashed_boot_id: crashedBoot,
    layout: 'kdump-tools',
    format: 'kdump-compressed',
    dump_level: 31,
    kernel_release: guest.kernelRelease,
  });
  expect(vmcore.path).toMatch(/\/crash\/(\d{12})\/dump\.\1$/);
  expect(Number(vmcore.size_bytes)).toBeGreaterThan(0);
  expect(Number(vmcore.size_bytes)).toBe(fs.statSync(file).size);
  expect(vmcore.sha256).toBe(sha256(file));
  expect(vmcore.dmesg_path).toBe(vmcore.path.replace(/dump\.(\d+)$/, 'dmesg.$1'));
  const hitLine = vmcore.dmesg_excerpt.split('\n').find((l: string) => l.includes(`physwatch: hit `) && l.includes(` id=${watchId} `));
  expect(hitLine, 'the hit line in the dmesg excerpt').toBeDefined();
  expect(hitLine).toContain(`old=0x0 new=${`0x${TARGET.toString(16)}`}`);
}

beforeAll(async () => {
  fs.rmSync(PERSIST, { recursive: true, force: true });
  fs.mkdirSync(PERSIST, { recursive: true });
  orchestrator = await Orchestrator.start();
  api = new Api(orchestrator.url, orchestrator.adminToken);
  guest = new Guest({
    grpcPort: orchestrator.options.grpcPort,
    identity: await identityOf(orchestrator),
    hostId,
    logFile: path.resolve(__dirname, '../../packages/watch-module/build/kdump-guest.log'),
    kdump: { persistDir: PERSIST, crashkernel: CRASHKERNEL },
    maxLifetimeS: 900,
  });
  await guest.boot();
  guestPersist = (await serial('@@PERSIST ', 0, 1000)).rest;
  expect((await serial('@@KEXEC-LOADED ', 0, 1000)).rest).toBe('1');
  const page = Buffer.alloc(4096);
  const fd = fs.openSync(guest.ramFile, 'r');
  fs.readSync(fd, page, 0, page.length, Number(PADDR.C & ~0xfffn));
  fs.closeSync(fd);
  expect(page.every((b) => b === 0), 'the watched page is free of kexec segments').toBe(true);
  await nextBoot(0);
  await eventually('the guest agent to connect', async () => (await api.host(hostId))?.connected === true, 120_000, 500);
}, 300_000);

afterAll(async () => {
  if (timings.length) console.log(`kdump timing (QEMU/TCG), corrupting store -> vmcore row visible over REST: ${timings.join('; ')}`);
  guest?.kill();
  await orchestrator?.stop();
});

describe('kdump under QEMU: a hit → crash → crash kernel saves the dump → reboot → vmcore row linked to the hit', () => {
  it('C: kdump_on_hit on a guest whose policy forbids it is denied, naming the policy; the guest does not crash', async () => {
    // Ready but unwilling: the denial is the policy's, not a missing crash kernel.
    expect((await api.host(hostId)).kdump).toMatchObject({ crash_kernel_loaded: true, crash_allowed: false });
    const watchId = await createWatch(PADDR.C, { action: 'report', kdump_on_hit: true });
    const from = guest.lineCount;
    await corrupt(watchId, PADDR.C);
    const [hit] = await eventually('the hit row', async () => {
      const hits = await hitsOf(watchId);
      return hits.length > 0 && hits;
    }, 60_000, POLL_MS);
    expect(hit).toMatchObject({ old_value: '0x0', new_value: '0xdeadbeef', boot_id: boots[0] });
    const job = await eventually('the kdump job to be denied', async () => {
      const [j] = await jobsOf(watchId);
      return j?.state === 'denied' && j;
    }, 60_000, POLL_MS);
    expect(job).toMatchObject({ id: `kdump-${hit.id}`, hit_id: hit.id, host_id: hostId, watch_id: watchId });
    expect(job.reason).toMatch(/kdump\.allowCrash is false/);
    await api.stopWatch(watchId);
    // Denied before any CrashRequest, and nothing after: two more heartbeats from the same
    // boot (the agent ran and was heard), no crash on the console.
    await heartbeats(2);
    expect(guest.exited).toBe(false);
    expect((await api.host(hostId)).boot_id).toBe(boots[0]);
    for (let i = from; i < guest.lineCount; i++) expect(guest.line(i)).not.toMatch(/Kernel panic|@@BOOT |sysrq: Trigger a crash|"msg":"crash request/);
  });

  it('A: action panic → the crash kernel saves the dump → the next boot reports it and the hit recovered from its dmesg', async () => {
    const watchId = await createWatch(PADDR.A, { action: 'panic' });
    crashed.push(watchId);
    const from = guest.lineCount;
    const storedAtNs = await corrupt(watchId, PADDR.A);
    const panic = await serial('Kernel panic - not syncing: physwatch: hit', from, 30_000);
    const { saved, marks, vmcore } = await crashCycle(watchId, from);
    lastStamp = /crash\/(\d{12})\//.exec(saved.rest)![1];
    reportTiming('A (action panic)', storedAtNs, [['panic', panic.index], ...marks]);

    const hits = await hitsOf(watchId);
    expect(hits).toHaveLength(1);
    // One row whichever path stored it first: usually the dump's dmesg, but the module prints
    // a stack before it panics (~0.2 s on the serial console) and the agent on the other CPU
    // may read and send the hit live in that window; the recovered copy is then the same row.
    expect(hits[0]).toMatchObject({ host_id: hostId, watch_id: watchId, boot_id: boots[0], paddr: '0x21000200', width: 4, old_value: '0x0', new_value: '0xdeadbeef', action: 'panic' });
    if (hits[0].source === 'vmcore') expect(hits[0].seq).toBeNull();
    else expect(hits[0]).toMatchObject({ source: 'agent', seq: expect.any(String) });
    console.log(`kdump A: the panic hit was stored from ${hits[0].source === 'vmcore' ? "the dump's dmesg" : 'the live path before the panic'}`);
    expectVmcore(vmcore, watchId, hits[0], boots[0]);
    expect(vmcore.dmesg_excerpt).toContain(`physwatch: hit seq=${hits[0].module_seq} id=${watchId} `);
    expect(vmcore.path.endsWith(saved.rest.split(' ')[0])).toBe(true);
    expect((await api.host(hostId)).boot_id).toBe(boots[1]);
    await api.stopWatch(watchId);
  });

  it("A2: action panic with the agent frozen before the store → the hit is stored from the dump's dmesg alone (source vmcore, no agent seq)", async () => {
    await nextDumpMinute();
    const watchId = await createWatch(PADDR.A2, { action: 'panic' });
    crashed.push(watchId);
    let from = guest.lineCount;
    guest.send('freeze');
    await serial('@@AGENT-FROZEN', from, 10_000);
    from = guest.lineCount;
    const storedAtNs = await corrupt(watchId, PADDR.A2);
    const panic = await serial('Kernel panic - not syncing: physwatch: hit', from, 30_000);
    const { saved, marks, vmcore } = await crashCycle(watchId, from);
    lastStamp = /crash\/(\d{12})\//.exec(saved.rest)![1];
    reportTiming('A2 (action panic, live path held back)', storedAtNs, [['panic', panic.index], ...marks]);

    const hits = await hitsOf(watchId);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ host_id: hostId, watch_id: watchId, boot_id: boots[1], source: 'vmcore', seq: null, paddr: '0x21000400', width: 4, old_value: '0x0', new_value: '0xdeadbeef', action: 'panic' });
    expect(hits[0].module_seq).toMatch(/^[1-9]\d*$/);
    expectVmcore(vmcore, watchId, hits[0], boots[1]);
    expect(vmcore.dmesg_excerpt).toContain(`physwatch: hit seq=${hits[0].module_seq} id=${watchId} `);
    expect((await api.host(hostId)).boot_id).toBe(boots[2]);
    await api.stopWatch(watchId);
  });

  it('B: kdump_on_hit with the policy allowing it → trigger job → sysrq c → dump → job done with the vmcore linked to the hit', async () => {
    let from = guest.lineCount;
    guest.send('policy allow');
    await serial('"msg":"stream established"', (await serial('@@AGENT-STARTED', from, 60_000)).index, 120_000);
    await eventually('the Hello to carry the new policy', async () => (await api.host(hostId)).kdump?.crash_allowed === true, 30_000, POLL_MS);
    const watchId = await createWatch(PADDR.B, { action: 'report', kdump_on_hit: true });
    crashed.push(watchId);
    await nextDumpMinute();
    from = guest.lineCount;
    const storedAtNs = await corrupt(watchId, PADDR.B);
    const sysrq = await serial('sysrq: Trigger a crash', from, 60_000);
    const { saved, marks, vmcore } = await crashCycle(watchId, from);
    reportTiming('B (kdump_on_hit)', storedAtNs, [['sysrq', sysrq.index], ...marks]);

    const hits = await hitsOf(watchId);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ watch_id: watchId, boot_id: boots[2], source: 'agent', old_value: '0x0', new_value: '0xdeadbeef', action: 'report' });
    expectVmcore(vmcore, watchId, hits[0], boots[2]);
    const jobId = `kdump-${hits[0].id}`;
    expect(vmcore).toMatchObject({ crash_request_id: jobId, kdump_job_id: jobId });
    const job = await eventually('the kdump job to be done', async () => {
      const [j] = await jobsOf(watchId);
      return j?.state === 'done' && j;
    }, 60_000, POLL_MS);
    expect(job).toMatchObject({ id: jobId, hit_id: hits[0].id, vmcore_id: vmcore.id, boot_before: boots[2], boot_after: boots[3] });
    await api.stopWatch(watchId);
  });

  it('after an agent restart the rescan reports no acked dump again (no "vmcore reported" line), and each dump and hit is one row', async () => {
    // The rows are unique by key whatever the agent sends; what proves the agent kept its
    // acks is that it sends nothing: no report line of its own after the restart.
    const from = guest.lineCount;
    guest.send('restart');
    await serial('"msg":"stream established"', (await serial('@@AGENT-STARTED', from, 60_000)).index, 120_000);
    // The rescan runs as the stream opens; two heartbeats later it has long had its chance.
    await heartbeats(2);
    for (let i = from; i < guest.lineCount; i++) expect(guest.line(i)).not.toContain('"msg":"vmcore reported"');
    const all = (await get(`/api/v1/vmcores?host_id=${hostId}&limit=100`)).items;
    expect(all).toHaveLength(3);
    expect(new Set(all.map((v: any) => v.path)).size).toBe(3);
    expect(new Set(all.map((v: any) => v.hit_id)).size).toBe(3);
    for (const watchId of crashed) expect(await hitsOf(watchId)).toHaveLength(1);
    const dumps = fs.readdirSync(path.join(PERSIST, 'crash')).flatMap((d) => fs.readdirSync(path.join(PERSIST, 'crash', d)).filter((f) => f.startsWith('dump.')));
    expect(dumps).toHaveLength(3);
    guest.send('quit');
    await guest.waitForLine((l) => l.includes('@@END'), 60_000, 'the guest to power off', from);
  });
});
