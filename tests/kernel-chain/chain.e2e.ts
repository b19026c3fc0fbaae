/**
 * The whole chain, real at every step: a watch created over REST → the orchestrator
 * (real gRPC, real Postgres) → the agent running inside a QEMU guest on Debian's kernel →
 * physwatch.ko armed through /dev/physwatch → the host stores into guest RAM through the
 * shared memory file (as a device would) → the module's hit line → agent spool → a hit
 * row, read back over GET /api/v1/hits. Run by `npm run test:chain` (as root).
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { freePort } from '../support/env';
import { eventually } from '../support/eventually';
import { Orchestrator } from '../support/stack';
import { Guest, identityOf } from './guest';

// Inside the guest's crashkernel=16M@512M reservation: RAM the guest kernel never uses.
const PADDR = 0x20000100n;
const TARGET = 0xdeadbeefn;
const HIT_POLL_MS = 10;
const RUNS = 5;

let orchestrator: Orchestrator;
let guest: Guest;
let api: Api;
let watchId: string;
let stores = 0;
const hostId = `chain-${process.pid}`;
const latenciesMs: number[] = [];

function statusOf(lines: string[], id: string): string | undefined {
  return lines.find((l) => l.startsWith(`id=${id} `));
}

async function hitsOf(id: string): Promise<any[]> {
  return api.allHits({ watch_id: id });
}

/** 0 first (and wait until the module has seen it), then the target: exactly one `equals` hit. */
async function corrupt(): Promise<bigint> {
  guest.poke(PADDR, 4, 0n);
  await eventually('the module to see the reset', async () => / last=0x0 /.test(statusOf(await guest.status(), watchId) ?? ''), 30_000, 50);
  const at = guest.poke(PADDR, 4, TARGET);
  stores++;
  return at;
}

async function waitForHitCount(n: number, timeoutMs = 60_000): Promise<any[]> {
  return eventually(`${n} hit rows`, async () => {
    const hits = await hitsOf(watchId);
    return hits.length >= n && hits;
  }, timeoutMs, HIT_POLL_MS);
}

beforeAll(async () => {
  orchestrator = await Orchestrator.start();
  api = new Api(orchestrator.url, orchestrator.adminToken);
  guest = new Guest({ grpcPort: orchestrator.options.grpcPort, identity: await identityOf(orchestrator), hostId, logFile: path.resolve(__dirname, '../../packages/watch-module/build/chain-guest.log') });
  await guest.boot();
  await eventually('the guest agent to connect', async () => (await api.host(hostId))?.connected === true, 120_000, 500);
}, 300_000);

afterAll(async () => {
  guest?.kill();
  await orchestrator?.stop();
});

describe('kernel chain: REST → orchestrator → agent in QEMU → physwatch.ko → host store → hit row', () => {
  it('the host reports the module and its facts as labels', async () => {
    const host = await api.host(hostId);
    expect(host.labels).toMatchObject({ 'physwatch.module': 'loaded', 'dmi.system.vendor': 'QEMU' });
    expect(host.capabilities).toMatchObject({ backend: 'kernel' });
  });

  it('a watch created over REST is armed in the module with the resolved address', async () => {
    const watch = await api.createWatch({
      target: { paddr: `0x${PADDR.toString(16)}` },
      width: 4,
      condition: 'equals',
      value: `0x${TARGET.toString(16)}`,
      interval: '1ms',
      action: 'report',
      hosts: { ids: [hostId] },
    });
    watchId = watch.id;
    const assignment = await eventually('armed', async () => {
      const a = (await api.watch(watchId)).assignments?.find((x: any) => x.host_id === hostId);
      return a?.phase === 'armed' && a;
    }, 60_000, 200);
    expect(assignment).toMatchObject({ resolved_paddr: '0x20000100', memory_kind: 'ram' });
    expect(statusOf(await guest.status(), watchId)).toMatch(/ state=armed target=paddr=0x20000100 paddr=0x20000100 kind=ram len=4 width=4 cond=equals value=0xdeadbeef /);
  });

  it(`a host store becomes a hit row with old/new, CPU and the module's timestamps (${RUNS} runs)`, async () => {
    for (let i = 1; i <= RUNS; i++) {
      const storedAtNs = await corrupt();
      const hits = await waitForHitCount(i);
      latenciesMs.push(Date.now() - Number(storedAtNs / 1_000_000n));
      const hit = hits[0];
      expect(hit).toMatchObject({ host_id: hostId, watch_id: watchId, paddr: '0x20000100', offset: 0, width: 4, old_value: '0x0', new_value: '0xdeadbeef', action: 'report' });
      expect([0, 1]).toContain(hit.cpu);
      expect(BigInt(hit.realtime_ns)).toBeGreaterThan(0n);
      expect(BigInt(hit.boottime_ns)).toBeGreaterThan(0n);
    }
    const sorted = [...latenciesMs].sort((a, b) => a - b);
    console.log(`chain latency host store -> row visible over REST (poll ${HIT_POLL_MS} ms, watch interval 1 ms, n=${sorted.length}): min ${sorted[0]} ms, median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted[sorted.length - 1]} ms`);
  });

  it('an agent restart loses nothing (a hit made while it is down is relayed after) and re-adds nothing', async () => {
    const before = statusOf(await guest.status(), watchId)!;
    const from = guest.lineCount;
    guest.send('restart');
    await guest.waitForLine((l) => l.startsWith('@@AGENT-STOPPED'), 30_000, 'the agent to stop', from);
    await corrupt(); // made while no agent runs: it waits in the module's queue
    await waitForHitCount(stores, 240_000);
    const after = statusOf(await guest.status(), watchId)!;
    // Same watch, not a re-added one: its hit counter carried on.
    expect(Number(/ hits=(\d+) /.exec(after)![1])).toBe(Number(/ hits=(\d+) /.exec(before)![1]) + 1);
  });

  it('an orchestrator restart loses nothing', async () => {
    await orchestrator.stop();
    await corrupt();
    await orchestrator.spawn();
    await waitForHitCount(stores, 240_000);
    const a = (await api.watch(watchId)).assignments.find((x: any) => x.host_id === hostId);
    expect(a.phase).toBe('armed');
  });

  it('an unknown symbol fails with the module\'s own reason, visible over REST', async () => {
    const bad = await api.createWatch({ target: { symbol: 'no_such_symbol_chain' }, width: 1, condition: 'equals', value: '0x1', interval: '10ms', action: 'report', hosts: { ids: [hostId] } });
    const a = await eventually('failed', async () => {
      const x = (await api.watch(bad.id)).assignments?.find((y: any) => y.host_id === hostId);
      return x?.phase === 'failed' && x;
    }, 60_000, 200);
    expect(a.reason).toBe(`module: add id=${bad.id} sym=no_such_symbol_chain+0x0: symbol not found (-2)`);
  });

  it('a region spanning RAM and reserved memory fails with the module\'s reason, visible over REST', async () => {
    // The guest's e820 map: usable RAM ends at 0x2ffdffff, 0x2ffe0000.. is reserved.
    const bad = await api.createWatch({ target: { paddr: '0x2ffdf000' }, len: 8192, width: 8, condition: 'any_change', interval: '10ms', action: 'report', hosts: { ids: [hostId] } });
    const a = await eventually('failed', async () => {
      const x = (await api.watch(bad.id)).assignments?.find((y: any) => y.host_id === hostId);
      return x?.phase === 'failed' && x;
    }, 60_000, 200);
    expect(a.reason).toBe(`module: add id=${bad.id} paddr=0x2ffdf000: region spans RAM and non-RAM (-22)`);
  });

  it('an ftrace watch created over REST is placed (the agent advertises the module\'s modes and phys_bits) and armed with mode=ftrace, no timer', async () => {
    const caps = (await api.host(hostId)).capabilities;
    expect(caps.modes).toEqual(['WATCH_MODE_TIMER', 'WATCH_MODE_FTRACE', 'WATCH_MODE_BOTH']);
    expect(caps.target_kinds).toContain('TARGET_KIND_PCI_BAR');
    expect(caps.phys_addr_bits).toBeGreaterThanOrEqual(32);
    expect(caps.phys_addr_bits).toBeLessThanOrEqual(52);
    const ftrace = await api.createWatch({
      target: { paddr: `0x${(PADDR + 0x100n).toString(16)}` }, width: 4, condition: 'any_change', mode: 'ftrace', funcs: ['vfs_write'], rate: 100, hosts: { ids: [hostId] },
    });
    const a = await eventually('the ftrace watch armed', async () => {
      const x = (await api.watch(ftrace.id)).assignments?.find((y: any) => y.host_id === hostId);
      return (x?.phase === 'armed' || x?.phase === 'failed') && x;
    }, 60_000, 200);
    expect(a).toMatchObject({ phase: 'armed', resolved_paddr: '0x20000200', memory_kind: 'ram' });
    expect(statusOf(await guest.status(), ftrace.id)).toMatch(/ state=armed target=paddr=0x20000200 .* interval_us=0 action=report mode=ftrace /);
    // A paddr the guest's CPU cannot address waits on the orchestrator, naming the width the module reported.
    const beyond = await api.createWatch({ target: { paddr: `0x${(1n << BigInt(caps.phys_addr_bits)).toString(16)}` }, width: 8, condition: 'any_change', interval: '10ms', hosts: { ids: [hostId] } });
    const hosts = (await api.request('GET', `/api/v1/watches/${beyond.id}/hosts`)).body;
    expect(hosts.pending).toEqual([{ host_id: hostId, reason: 'unsupported', message: `paddr 0x${(1n << BigInt(caps.phys_addr_bits)).toString(16)} is beyond this host's ${caps.phys_addr_bits} physical address bits` }]);
    await api.stopWatch(beyond.id);
    await api.stopWatch(ftrace.id);
    await eventually('the module to drop the ftrace watch', async () => statusOf(await guest.status(), ftrace.id) === undefined, 60_000, 200);
  });

  it('a sentinel watch created over REST arms pages of the module\'s own; the host corrupting one word of them is a hit naming that page and word, no CPU claimed', async () => {
    expect((await api.host(hostId)).capabilities.target_kinds).toContain('TARGET_KIND_SENTINEL');
    const pattern = 0x5a5aa5a5c3c33c3cn;
    const sentinel = await api.createWatch({ target: { sentinel: { pages: 2, pattern: `0x${pattern.toString(16)}` } }, width: 8, condition: 'any_change', interval: '10ms', hosts: { ids: [hostId] } });
    const a = await eventually('the sentinel watch armed', async () => {
      const x = (await api.watch(sentinel.id)).assignments?.find((y: any) => y.host_id === hostId);
      return (x?.phase === 'armed' || x?.phase === 'failed') && x;
    }, 60_000, 200);
    expect(a).toMatchObject({ phase: 'armed', memory_kind: 'ram' });
    const pages = BigInt(a.resolved_paddr);
    expect(pages % 4096n).toBe(0n);
    expect(statusOf(await guest.status(), sentinel.id)).toMatch(new RegExp(` state=armed target=sentinel=2 paddr=${a.resolved_paddr} kind=ram len=8192 width=8 .* last=0x${pattern.toString(16)} `));
    // The second page, one word in: written from outside the guest, as a device would.
    const offset = 4096 + 0x40;
    guest.poke(pages + BigInt(offset), 8, 0xbadn);
    const [hit] = await eventually('the sentinel hit row', async () => {
      const hits = await hitsOf(sentinel.id);
      return hits.length > 0 && hits;
    }, 60_000, 200);
    expect(hit).toMatchObject({
      host_id: hostId, paddr: `0x${(pages + BigInt(offset)).toString(16)}`, offset, width: 8,
      old_value: `0x${pattern.toString(16)}`, new_value: '0xbad', writer: 'unknown', writer_reason: 'region_too_wide',
    });
    expect(Math.floor(hit.offset / 4096)).toBe(1);
    await api.stopWatch(sentinel.id);
    await eventually('the module to drop the sentinel watch', async () => statusOf(await guest.status(), sentinel.id) === undefined, 60_000, 200);
  });

  it('stopping the watch disarms it in the module', async () => {
    await api.stopWatch(watchId);
    // Positive evidence (the header says no watch is held), not an absent line that a
    // console line interleaved by the kernel could also explain.
    await eventually('the module to drop the watch', async () => {
      const lines = await guest.status();
      return lines.some((l) => /^physwatch seq=\d+ lost=0 watches=0 timer=idle( |$)/.test(l)) && statusOf(lines, watchId) === undefined;
    }, 60_000, 200);
  });

  it('every store is exactly one row: nothing lost, nothing duplicated', async () => {
    const hits = await hitsOf(watchId);
    expect(hits.length).toBe(stores);
    expect(new Set(hits.map((h) => `${h.boot_id}/${h.seq}`)).size).toBe(stores);
    expect(new Set(hits.map((h) => h.realtime_ns)).size).toBe(stores);
  });
});
