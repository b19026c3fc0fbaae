/**
 * Issue 12 under QEMU, real at every step: one guest (Debian's kernel, physwatch.ko, the agent
 * enrolled over mTLS, a crash kernel loaded, kdump.allowCrash on) against the real
 * orchestrator, and two hunts started over REST that advance by themselves.
 *   F  timer 30 ms → ftrace on proc_reg_write: a guest kernel writer (writer/, a page of its
 *      own whose word only it writes, each write reaching it through that function) is caught
 *      at the function's entry; the word's write breakpoint names the writer exactly
 *      (writer=cpu): the hit's ip is pw_chain_writer_store, its stack runs through the
 *      traced function, and its task is the guest shell that made the writer write.
 *   T  the host rewrites one guest-physical word from outside the guest (poke.py's steady mode,
 *      every ~300 ms through the shared RAM file) while a hunt climbs 30 ms → 1 ms → 100 µs
 *      (after_hits each) → kdump_on_hit on this host, held by an operator's hunt-wide hold at
 *      100 µs until the storm has stopped: each stage is reached by the engine with its reason
 *      stored, the median bracket per timer stage (the interval the guest really
 *      kept) shrinks ≥ 10×, and the crash's vmcore is linked to the hunt's last hit.
 * In that order: F needs the first boot, T ends it in a crash. One QEMU process, two boots of
 * the first kernel and one of the crash kernel.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { eventually } from '../support/eventually';
import { Orchestrator } from '../support/stack';
import { Guest, identityOf } from './guest';

// As kdump.e2e.ts: 16 MiB into the crash kernel's reservation, RAM the first kernel never
// uses and clear of kexec's segments (checked after `kexec -p` below).
const CRASHKERNEL = '160M@512M';
const PADDR = 0x21000500n;
const STORM = [0x5a5a0001n, 0x5a5a0002n];
const LAST_STORE = 0x5a5a0003n;
const STORM_EVERY_MS = 300;
const AFTER_HITS = 5;
const TIMER_STAGES = ['30ms', '1ms', '100us'];
// The kernel function each write to the writer's /proc file goes through: the ftrace stage
// checks the word on its entry. (kstrtou32_from_user, which the writer calls, is not
// traceable in Debian's 6.1: the module refuses it with -EINVAL.)
const WRITER_FUNC = 'proc_reg_write';
// The store itself, in the writer module: what the write breakpoint names (%pS adds the module).
const WRITER_STORE = /^pw_chain_writer_store\+0x[0-9a-f]+\/0x[0-9a-f]+ \[pw_chain_writer\]$/;
const PERSIST = path.resolve(__dirname, '../../packages/watch-module/build/hunt-chain/persist');
const POLL_MS = 200;
const CRASH_CYCLE_MS = 180_000;

let orchestrator: Orchestrator;
let guest: Guest;
let api: Api;
const hostId = `hunt-${process.pid}`;
let bootBefore = '';

async function get(url: string): Promise<any> {
  const res = await api.request('GET', url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function startHunt(body: Record<string, unknown>): Promise<string> {
  const res = await api.request('POST', '/api/v1/hunts', { hosts: { ids: [hostId] }, budget_ppm: 1_000_000, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

const huntOf = (id: string): Promise<any> => get(`/api/v1/hunts/${id}`);

/**
 * Every watch each stage has had, read from the hunt while it runs (the detail shows the
 * active one; a stage's watch ends when its host moves on, so it is sampled every POLL_MS).
 */
function recordStageWatches(huntId: string): { watches: Map<number, Set<string>>; stop: () => void } {
  const watches = new Map<number, Set<string>>();
  let running = true;
  void (async () => {
    while (running) {
      const h = await huntOf(huntId).catch(() => undefined);
      for (const s of h?.stages ?? []) if (s.watch_id) watches.set(s.index, (watches.get(s.index) ?? new Set()).add(s.watch_id));
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  return { watches, stop: () => { running = false; } };
}

/** Waits until the host stands at `stage` and that stage's watch is armed on it; the watch id. */
async function armedAt(huntId: string, stage: number, timeoutMs = 90_000): Promise<string> {
  return eventually(`${hostId} armed at stage ${stage}`, async () => {
    const h = await huntOf(huntId);
    const watchId = h.stages[stage]?.watch_id;
    if (h.hosts.find((x: any) => x.host_id === hostId)?.stage !== stage || !watchId) return undefined;
    const a = (await api.watch(watchId)).assignments?.find((x: any) => x.host_id === hostId);
    return a?.phase === 'armed' && watchId;
  }, timeoutMs, POLL_MS);
}

/** A hunt-wide hold at `stage` (null releases it), as an operator would set it. */
async function holdAt(huntId: string, stage: number | null): Promise<void> {
  const res = await api.request('POST', `/api/v1/hunts/${huntId}/hold`, { stage });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.held_stage ?? null).toBe(stage);
}

function statusOf(lines: string[], id: string): string | undefined {
  return lines.find((l) => l.startsWith(`id=${id} `));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const fmtUs = (ns: number): string => `${(ns / 1000).toFixed(1)} µs`;

beforeAll(async () => {
  fs.rmSync(PERSIST, { recursive: true, force: true });
  fs.mkdirSync(PERSIST, { recursive: true });
  // A short tick: each stage moves within ~0.2 s of its hits, so the run stays short.
  orchestrator = await Orchestrator.start({ env: { SCHEDULER_TICK_MS: '200' } });
  api = new Api(orchestrator.url, orchestrator.adminToken);
  guest = new Guest({
    grpcPort: orchestrator.options.grpcPort,
    identity: await identityOf(orchestrator),
    hostId,
    logFile: path.resolve(__dirname, '../../packages/watch-module/build/hunt-guest.log'),
    kdump: { persistDir: PERSIST, crashkernel: CRASHKERNEL },
    maxLifetimeS: 600,
  });
  await guest.boot();
  expect((await guest.serial('@@KEXEC-LOADED ', 0, 1000)).rest).toBe('1');
  const page = Buffer.alloc(4096);
  const fd = fs.openSync(guest.ramFile, 'r');
  fs.readSync(fd, page, 0, page.length, Number(PADDR & ~0xfffn));
  fs.closeSync(fd);
  expect(page.every((b) => b === 0), 'the watched page is free of kexec segments').toBe(true);
  bootBefore = (await guest.serial('@@BOOT ', 0, 1000)).rest;
  const from = guest.lineCount;
  guest.send('policy allow');
  await guest.serial('"msg":"stream established"', (await guest.serial('@@AGENT-STARTED', from, 60_000)).index, 120_000);
  await eventually('the Hello to allow crashing', async () => (await api.host(hostId))?.kdump?.crash_allowed === true, 60_000, POLL_MS);
}, 300_000);

afterAll(async () => {
  guest?.kill();
  await orchestrator?.stop();
});

describe('hunt under QEMU: the hunt approaches the write by itself', () => {
  it(`F: a timer stage's hit moves the host to an ftrace stage on ${WRITER_FUNC}, which catches the guest kernel writer's store: writer=cpu, the writer's function in ip, the traced one in its stack, its task`, async () => {
    const from = guest.lineCount;
    guest.send('writer');
    const writer = await guest.serial('@@WRITER ', from, 30_000);
    const paddr = /paddr=(0x[0-9a-f]+) value=0x0/.exec(writer.rest)?.[1];
    expect(paddr, writer.rest).toBeDefined();
    const huntId = await startHunt({
      name: 'writer ftrace',
      target: { paddr }, width: 4, condition: 'any_change',
      stages: [{ interval: '30ms', advance: { after_hits: 1 } }, { mode: 'ftrace', funcs: [WRITER_FUNC] }],
    });
    try {
      await catchWriter(huntId, paddr!);
    } finally {
      // A later boot has no writer loaded: its ftrace watch would only fail to arm there.
      expect((await api.request('POST', `/api/v1/hunts/${huntId}/stop`, {})).status).toBe(200);
    }
  });

  /** F's steps after the hunt is made. */
  async function catchWriter(huntId: string, paddr: string): Promise<void> {
    const timerWatch = await armedAt(huntId, 0);
    const write = async (v: number) => {
      const at = guest.lineCount;
      guest.send(`write ${v}`);
      await guest.serial(`@@WROTE ${v}`, at, 30_000);
    };
    await write(1);
    const [timerHit] = await eventually('the timer stage hit', async () => {
      const hits = await api.allHits({ watch_id: timerWatch });
      return hits.length > 0 && hits;
    }, 60_000, POLL_MS);
    // Its writer is not judged: the first store after the first breakpoint since boot can
    // read no_cpu_via_kernel_map under TCG (packages/watch-module/README.md, limits).
    expect(timerHit).toMatchObject({ old_value: '0x0', new_value: '0x1' });
    const ftraceWatch = await armedAt(huntId, 1);
    expect(statusOf(await guest.status(), ftraceWatch)).toMatch(/ state=armed .* interval_us=0 .*mode=ftrace /);
    // Checked on entry: the write that stores 2 still sees 1 (the baseline) on its way in,
    // the next write's entry sees the 2 the previous one stored.
    await write(2);
    const afterTwo = statusOf(await guest.status(), ftraceWatch);
    console.log(`hunt F: after write 2: ${afterTwo}`);
    expect(afterTwo).toMatch(/ hits=0 .* last=0x1 /);
    await write(3);
    const [hit] = await eventually('the ftrace stage hit', async () => {
      const hits = await api.allHits({ watch_id: ftraceWatch });
      return hits.length > 0 && hits;
    }, 60_000, POLL_MS);
    console.log(`hunt F: ftrace hit writer=${hit.writer} ip=${hit.ip} pid=${hit.pid} comm=${hit.comm} bracket ${fmtUs(Number(hit.bracket_ns))} stack ${hit.stack.join(' < ')}`);
    expect(hit).toMatchObject({ host_id: hostId, paddr, old_value: '0x1', new_value: '0x2', source: 'agent', writer: 'cpu', writer_reason: null });
    expect(hit.ip).toMatch(WRITER_STORE);
    expect(hit.stack[0]).toMatch(/^pw_chain_writer_store\+0x[0-9a-f]+\/0x[0-9a-f]+\[pw_chain_writer\]$/);
    expect(hit.stack.some((f: string) => f.startsWith(`${WRITER_FUNC}+`))).toBe(true);
    // The task that made the writer write is the guest's command shell, not an interrupt.
    expect(hit.pid).toBeGreaterThan(1);
    expect(hit.comm).toBe('sh');
    expect(Number(hit.bracket_ns)).toBeGreaterThan(0);
    const line = guest.line(await guest.waitForLine((l) => l.includes(`physwatch: hit `) && l.includes(` id=${ftraceWatch} `), 10_000, 'the ftrace hit line', 0));
    expect(line).toMatch(/ ip=pw_chain_writer_store\+\S+ \[pw_chain_writer\] src=ftrace .* writer=cpu smi=/);
    const transition = (await huntOf(huntId)).timeline.filter((t: any) => t.kind === 'transition');
    expect(transition).toEqual([expect.objectContaining({ host_id: hostId, from_stage: 0, to_stage: 1, actor: 'engine', reason: `1 hits at stage 0 (after_hits 1)` })]);
  }

  it(`T: the host corrupting one word every ~${STORM_EVERY_MS} ms, a hunt climbs ${TIMER_STAGES.join(' → ')} → kdump_on_hit by itself; brackets shrink ≥ 10×; the vmcore is linked to the hunt's last hit`, async () => {
    const huntId = await startHunt({
      name: 'host corruption',
      target: { paddr: `0x${PADDR.toString(16)}` }, width: 4, condition: 'any_change',
      stages: [
        ...TIMER_STAGES.map((interval) => ({ interval, advance: { after_hits: AFTER_HITS } })),
        { interval: TIMER_STAGES[TIMER_STAGES.length - 1], action: 'report', kdump_on_hit: true },
      ],
    });
    const kdumpStage = TIMER_STAGES.length;
    const lastTimerStage = kdumpStage - 1;
    // Held below the kdump stage while the storm runs: the kdump stage's watch must arm after
    // the storm's last store (its baseline), or a storm store would be its one hit and crash the
    // guest with the storm still writing into the crash kernel's reservation.
    await holdAt(huntId, lastTimerStage);
    const recorder = recordStageWatches(huntId);
    await armedAt(huntId, 0);
    const storm = guest.storm(PADDR, 4, STORM, STORM_EVERY_MS);
    try {
      await eventually(`${AFTER_HITS} hits at the held stage ${lastTimerStage}`, async () => {
        if ((await huntOf(huntId)).hosts.find((x: any) => x.host_id === hostId)?.stage !== lastTimerStage) return false;
        let n = 0;
        for (const id of recorder.watches.get(lastTimerStage) ?? []) n += (await api.allHits({ watch_id: id })).length;
        return n >= AFTER_HITS;
      }, 180_000, POLL_MS);
    } finally {
      await storm.stop();
    }
    const heldWatch = await armedAt(huntId, lastTimerStage);
    await holdAt(huntId, null);
    const lastWatch = await armedAt(huntId, kdumpStage);
    // The previous stage's watch gone from the guest too: the last store is one hit, the kdump stage's.
    await eventually(`stage ${lastTimerStage}'s watch disarmed on ${hostId}`, async () => {
      const a = (await api.watch(heldWatch)).assignments?.find((x: any) => x.host_id === hostId);
      return !a || a.phase === 'disarmed' || a.phase === 'removed';
    }, 60_000, POLL_MS);
    recorder.stop();
    console.log(`hunt T: ${storm.stores()} host stores until the hold was released`);

    // One more store, unlike any the storm made: the kdump stage's one hit → crash.
    const from = guest.lineCount;
    const storedAt = guest.poke(PADDR, 4, LAST_STORE);
    await guest.serial('sysrq: Trigger a crash', from, 60_000);
    const saved = await guest.serial('@@KDUMP-SAVED ', from, CRASH_CYCLE_MS);
    const boot = await guest.serial('@@BOOT ', saved.index, CRASH_CYCLE_MS);
    await guest.serial('"msg":"stream established"', boot.index, 120_000);
    const vmcore = await eventually('the vmcore row', async () => {
      const [v] = (await get(`/api/v1/vmcores?host_id=${hostId}&limit=10`)).items;
      return v;
    }, CRASH_CYCLE_MS, POLL_MS);
    console.log(`hunt T: last store -> vmcore row ${((Date.now() - Number(storedAt / 1_000_000n)) / 1000).toFixed(1)} s`);

    // Each stage reached by the engine, in order, with the rule that moved it.
    const hunt = await huntOf(huntId);
    const transitions = hunt.timeline.filter((t: any) => t.kind === 'transition' && t.host_id === hostId);
    expect(transitions.map((t: any) => [t.from_stage, t.to_stage, t.actor, t.reason])).toEqual(
      TIMER_STAGES.map((_, i) => [i, i + 1, 'engine', expect.stringMatching(new RegExp(`^\\d+ hits at stage ${i} \\(after_hits ${AFTER_HITS}\\)$`))]),
    );
    expect(hunt.timeline.some((t: any) => t.kind === 'budget_held')).toBe(false);

    // The bracket each timer stage's hits state: the interval the guest's polling really kept.
    const hitsByStage = new Map<number, any[]>();
    for (const [stage, ids] of recorder.watches) {
      const hits: any[] = [];
      for (const id of ids) hits.push(...(await api.allHits({ watch_id: id })));
      hitsByStage.set(stage, hits);
    }
    const medians = TIMER_STAGES.map((interval, i) => {
      const brackets = (hitsByStage.get(i) ?? []).map((h) => Number(h.bracket_ns));
      expect(brackets.length, `hits at stage ${i}`).toBeGreaterThanOrEqual(AFTER_HITS);
      expect(brackets.every((b) => b > 0)).toBe(true);
      const m = median(brackets);
      console.log(`hunt T: stage ${i} (interval ${interval}): ${brackets.length} hits, median bracket (the interval the guest kept) ${fmtUs(m)}, min ${fmtUs(Math.min(...brackets))}, max ${fmtUs(Math.max(...brackets))}`);
      return m;
    });
    const ratio = medians[0] / medians[medians.length - 1];
    console.log(`hunt T: median bracket first/last timer stage ${fmtUs(medians[0])} / ${fmtUs(medians[medians.length - 1])} = ${ratio.toFixed(1)}×`);
    // A property of the module's polling (the bracket is one poll period), not a speed bound.
    expect(ratio).toBeGreaterThanOrEqual(10);

    // The hunt's last hit is the kdump stage's one hit, and the vmcore is linked to it.
    const kdumpHits = hitsByStage.get(kdumpStage) ?? [];
    expect(kdumpHits).toHaveLength(1);
    const last = kdumpHits[0];
    expect(last).toMatchObject({ watch_id: lastWatch, boot_id: bootBefore, new_value: `0x${LAST_STORE.toString(16)}`, action: 'report' });
    const all = [...hitsByStage.values()].flat();
    // The host wrote every one of them into guest RAM: no CPU did, through the kernel's map.
    expect(all.filter((h) => h.writer !== 'no_cpu_via_kernel_map')).toEqual([]);
    expect(all.every((h) => BigInt(h.boottime_ns) <= BigInt(last.boottime_ns))).toBe(true);
    expect(vmcore).toMatchObject({ host_id: hostId, watch_id: lastWatch, hit_id: last.id, crashed_boot_id: bootBefore, kdump_job_id: `kdump-${last.id}` });
    expect(vmcore.dmesg_excerpt).toContain(`physwatch: hit seq=${last.module_seq} id=${lastWatch} `);
    const job = await eventually('the kdump job done', async () => {
      const [j] = (await get(`/api/v1/kdump-jobs?watch_id=${lastWatch}`)).items;
      return j?.state === 'done' && j;
    }, 60_000, POLL_MS);
    expect(job).toMatchObject({ hit_id: last.id, vmcore_id: vmcore.id, boot_before: bootBefore });
    expect((await api.request('POST', `/api/v1/hunts/${huntId}/stop`, {})).status).toBe(200);
    guest.send('quit');
    await guest.waitForLine((l) => l.includes('@@END'), 60_000, 'the guest to power off', boot.index);
  });
});
