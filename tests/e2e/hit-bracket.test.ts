/**
 * Every hit states its bracket, end to end with the real processes: a simulated agent
 * (enrolled, over mutual TLS) reports when it last saw the old value, and REST gives the hit
 * with last_old_boottime_ns and bracket_ns; hits recovered from a crash dump's saved dmesg
 * carry the bracket their line had, or none for a line of an older module.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { corruptMemoryFile } from '@physwatch/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { eventually } from '../support/eventually';
import { Agent, Orchestrator } from '../support/stack';

const WATCHED = 0x2a0e000n;
const INTERVAL_MS = 50;
const HOST = 'hb-1';

let orch: Orchestrator;
let api: Api;
let agent: Agent | undefined;
let watchId: string;
const stateDir = mkdtempSync(path.join(tmpdir(), 'physwatch-hit-bracket-'));
const crashDir = path.join(stateDir, 'crash');

async function startAgent(bootId: string): Promise<Agent> {
  const started = await Agent.start({
    server: orch.grpcAddress,
    hostId: HOST,
    stateDir,
    extra: {
      bootId,
      // The crash itself is what a simulated host cannot do; its dump appears in crashDir.
      kdump: { allowCrash: false, crashDir, sysrqTrigger: path.join(stateDir, 'sysrq-trigger'), crashKernelLoaded: path.join(stateDir, 'kexec_crash_loaded') },
    },
  });
  await started.child.waitForLog((l) => l.msg === 'stream established');
  return started;
}

async function hitWithValue(value: string): Promise<any> {
  return eventually(`the hit to ${value}`, async () => (await api.allHits({ watch_id: watchId, host_id: HOST })).find((h) => h.new_value === value));
}

beforeAll(async () => {
  orch = await Orchestrator.start();
  api = new Api(orch.url, orch.adminToken);
  mkdirSync(crashDir);
  writeFileSync(path.join(stateDir, 'sysrq-trigger'), '');
  writeFileSync(path.join(stateDir, 'kexec_crash_loaded'), '1\n');
  agent = await startAgent(`${HOST}-boot-1`);
  const watch = await api.createWatch({ target: { paddr: `0x${WATCHED.toString(16)}` }, width: 1, condition: 'any_change', interval: `${INTERVAL_MS}ms`, hosts: { ids: [HOST] } });
  watchId = watch.id;
  await eventually('the watch armed', async () => (await api.watch(watchId)).assignments?.some((a: any) => a.host_id === HOST && a.phase === 'armed'));
});

afterAll(async () => {
  await agent?.stop('SIGKILL');
  await orch?.stop('SIGKILL');
  rmSync(stateDir, { recursive: true, force: true });
});

describe('the hit bracket', () => {
  it('a simulated hit arrives with the two poll times around the write, one interval or more apart', async () => {
    await corruptMemoryFile(agent!.memoryFile, WATCHED, 1, 0x11n);
    const first = await hitWithValue('0x11');
    // Written only once the first hit is stored: the read that saw 0x11 had ended by then.
    await corruptMemoryFile(agent!.memoryFile, WATCHED, 1, 0x22n);
    const second = await hitWithValue('0x22');

    for (const hit of [first, second]) {
      const [lastOld, seen, bracket] = [BigInt(hit.last_old_boottime_ns), BigInt(hit.boottime_ns), BigInt(hit.bracket_ns)];
      expect(hit.source).toBe('agent');
      expect(lastOld).toBeGreaterThan(0n);
      expect(lastOld).toBeLessThan(seen);
      // Postgres's width is exactly the difference of the two times the agent reported.
      expect(bracket).toBe(seen - lastOld);
      // The poller waits one interval (setTimeout) between the two reads of a bracket. The
      // event loop's clock is whole (and coarse) milliseconds, so a timer may fire up to a
      // few ms short of the interval by the precise clock; never more.
      expect(bracket).toBeGreaterThanOrEqual(BigInt(INTERVAL_MS - 5) * 1_000_000n);
    }
    // The second bracket starts at a read that saw 0x11: no earlier than the first hit's
    // own read, which began after the first bracket's start; and it ends after that read.
    expect(BigInt(second.last_old_boottime_ns)).toBeGreaterThan(BigInt(first.last_old_boottime_ns));
    expect(BigInt(second.boottime_ns)).toBeGreaterThan(BigInt(first.boottime_ns));
  });

  it('is in the OpenAPI document\'s hit, both fields nullable decimal strings', async () => {
    const doc = (await api.request('GET', '/api/v1/openapi.json')).body;
    const { properties, required } = doc.components.schemas.HitDto;
    for (const field of ['last_old_boottime_ns', 'bracket_ns']) {
      expect(properties[field]).toMatchObject({ type: 'string', nullable: true });
      expect(required).toContain(field);
    }
  });

  it('hits recovered from a crash dump carry the bracket of their dmesg line, or null for an older module\'s line', async () => {
    await agent!.stop('SIGKILL');
    const stamp = new Date(Date.now() + 60_000).toISOString().replace(/[-:T]/g, '').slice(0, 12);
    const dump = path.join(crashDir, stamp);
    mkdirSync(dump);
    writeFileSync(path.join(dump, `dump.${stamp}`), Buffer.alloc(8192, 1));
    const line = (seq: number, bootNs: string) =>
      `[   99.5${seq}0000] physwatch: hit seq=${seq} id=${watchId} realtime_ns=1795687782739564950 boottime_ns=${bootNs} cpu=0 paddr=0x2a0e000 offset=0x0 width=1 old=0x0 new=0x3${seq} pid=0 comm=swapper/0 ip=native_safe_halt+0xb/0x10 src=timer action=report`;
    writeFileSync(
      path.join(dump, `dmesg.${stamp}`),
      ['[    0.000000] Linux version 6.1.0-test', `${line(1, '99510000000')} last_old_ns=99480200000`, line(2, '99520000000'), '[  100.000001] Kernel panic - not syncing: sysrq triggered crash'].join('\n') + '\n',
    );
    agent = await startAgent(`${HOST}-boot-2`);

    const recovered = await eventually('both recovered hits', async () => {
      const hits = (await api.allHits({ watch_id: watchId, host_id: HOST })).filter((h) => h.source === 'vmcore');
      return hits.length === 2 ? hits : undefined;
    });
    const byModuleSeq = Object.fromEntries(recovered.map((h) => [h.module_seq, h]));
    expect(byModuleSeq['1']).toMatchObject({ boot_id: `${HOST}-boot-1`, seq: null, boottime_ns: '99510000000', last_old_boottime_ns: '99480200000', bracket_ns: '29800000' });
    expect(byModuleSeq['2']).toMatchObject({ boot_id: `${HOST}-boot-1`, seq: null, boottime_ns: '99520000000', last_old_boottime_ns: null, bracket_ns: null });
  });
});
