/**
 * The hunt end to end: one orchestrator process (GRPC_INSECURE, so 50 agents need no
 * enrollment) and 50 simulated agents — the real Agent, several in this test's process to
 * spare the 2-core machine 50 Node processes; each has its own state dir, memory file, spool
 * and gRPC stream, exactly as it would in its own process. Only hosts with BIOS version
 * 1.2.3-bad carry a corruptor, and only some of them: the hunt must advance that whole cohort
 * (the corrupted ones by their hits, the rest pulled by the cohort) and leave every other host
 * at stage 0. Midway the orchestrator is killed with SIGKILL and started again; afterwards
 * each (host, from_stage) transition exists exactly once and no stage was skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Agent, buildConfig } from '@physwatch/agent';
import { Database } from '@physwatch/db';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { runCli } from '../support/cli-process';
import { testDatabaseUrl } from '../support/env';
import { eventually } from '../support/eventually';
import { Orchestrator } from '../support/stack';

const HOSTS = 50;
const BAD_BIOS = '1.2.3-bad';
/** Hosts 0..9 have the bad BIOS; 0..3 of them are the ones actually corrupted. */
const COHORT = Array.from({ length: 10 }, (_, i) => `hunt-${i}`);
const CORRUPTED = COHORT.slice(0, 4);
const LAST_STAGE = 3;
const agents: Agent[] = [];
const stateDirs: string[] = [];
let orchestrator: Orchestrator | null = null;
let db: Database | null = null;

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop().catch(() => undefined)));
  await orchestrator?.stop('SIGKILL');
  await db?.close();
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(orchestrator!, args);

async function startAgent(server: string, i: number): Promise<Agent> {
  const hostId = `hunt-${i}`;
  const stateDir = mkdtempSync(path.join(tmpdir(), `physwatch-hunt-${i}-`));
  stateDirs.push(stateDir);
  const corruption = CORRUPTED.includes(hostId) ? [{ afterMs: 500, paddr: '0x2000', width: 1, values: ['0x33', '0x0'], everyMs: 250, count: 0 }] : [];
  const config = buildConfig({
    server,
    insecure: true,
    hostId,
    hostname: hostId,
    bootId: `boot-${hostId}`,
    labels: { pool: 'hunt', 'dmi.bios.version': i < COHORT.length ? BAD_BIOS : '1.0.0' },
    stateDir,
    facts: { enabled: false },
    heartbeatIntervalMs: 1000,
    reconnect: { initialMs: 100, maxMs: 500 },
    batch: { maxHits: 100, maxDelayMs: 10 },
    backend: { kind: 'simulated', memorySize: 1024 * 1024, corruption },
  }, {});
  return Agent.start(config, pino({ level: 'silent' }));
}

describe('hunt with simulated agents', () => {
  it('advances exactly the corrupted BIOS cohort, leaves the rest at stage 0, and survives kill -9 without repeating or skipping a transition', async () => {
    orchestrator = await Orchestrator.start({ insecure: true, env: { SCHEDULER_TICK_MS: '200' } });
    const api = new Api(orchestrator.url, orchestrator.adminToken);
    db = new Database({ url: testDatabaseUrl(), schema: orchestrator.options.schema });
    for (let i = 0; i < HOSTS; i++) agents.push(await startAgent(orchestrator.grpcAddress, i));
    await eventually('50 hosts connected', async () => (await api.request('GET', '/api/v1/hosts')).body.items.filter((h: any) => h.connected).length === HOSTS);

    const created = await api.request('POST', '/api/v1/hunts', {
      name: 'bios cohort',
      target: { paddr: '0x2000' }, width: 1, condition: 'any_change',
      hosts: { selector: 'pool=hunt' },
      cohort: ['dmi.bios.version'],
      stages: [
        { interval: '30ms', advance: { after_hits: 3 } },
        { interval: '1ms', advance: { after_hits: 3 } },
        { interval: '100us', advance: { after_hits: 3 } },
        { interval: '100us', action: 'stack' },
      ],
    });
    expect(created.status).toBe(201);
    const huntId = created.body.id as string;
    expect(created.body.stage_counts).toEqual([HOSTS, 0, 0, 0]);

    // Mid-hunt: some transitions made, the cohort not yet at the last stage.
    const transitions = async () => (await db!.pool.query(`select host_id, from_stage, to_stage, reason from hunt_transitions where hunt_id = $1 order by id`, [huntId])).rows;
    await eventually('the first transitions', async () => (await transitions()).length >= 4, 60_000);
    const beforeKill = await transitions();
    expect(beforeKill.length).toBeLessThan(COHORT.length * LAST_STAGE);
    await orchestrator.stop('SIGKILL');
    await orchestrator.spawn();

    const done = await eventually('the whole cohort at the last stage', async () => {
      const h = (await api.request('GET', `/api/v1/hunts/${huntId}`)).body;
      // The stage's watch is made by the realise step right after the transitions commit.
      return h.stages?.[LAST_STAGE].hosts.length === COHORT.length && h.stages[LAST_STAGE].watch_id !== null ? h : undefined;
    }, 120_000, 250);
    expect([...done.stages[LAST_STAGE].hosts].sort()).toEqual([...COHORT].sort());
    expect(done.stages[0].hosts).toHaveLength(HOSTS - COHORT.length);
    expect(done.stages[0].hosts.some((h: string) => COHORT.includes(h))).toBe(false);

    const all = await transitions();
    // Exactly once per (host, from_stage), one stage at a time, only for the cohort.
    const keys = all.map((t: any) => `${t.host_id}/${t.from_stage}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(all.every((t: any) => t.to_stage === t.from_stage + 1)).toBe(true);
    for (const host of COHORT) expect(all.filter((t: any) => t.host_id === host).map((t: any) => t.from_stage).sort()).toEqual([0, 1, 2]);
    expect(all).toHaveLength(COHORT.length * LAST_STAGE);
    // The transitions stored before the kill are still there, unchanged.
    expect(all.slice(0, beforeKill.length)).toEqual(beforeKill);
    // Hosts that never hit were moved only by the cohort; the corrupted ones also by their own hits.
    const own = all.filter((t: any) => t.reason.includes('after_hits')).map((t: any) => t.host_id);
    expect(own.every((h: string) => CORRUPTED.includes(h))).toBe(true);
    expect(own.length).toBeGreaterThan(0);
    // The last stage is armed on the cohort through its own watch, nowhere else.
    const lastWatch = done.stages[LAST_STAGE].watch_id;
    await eventually('last stage armed on the cohort', async () => {
      const view = (await api.request('GET', `/api/v1/watches/${lastWatch}/hosts`)).body;
      if (!Array.isArray(view.armed)) throw new Error(JSON.stringify(view));
      return view.armed.length === COHORT.length;
    }, 60_000);
    // The simulated poller brackets every hit; the hunt shows the median per host at its stage.
    await eventually('the corrupted hosts\' brackets at the last stage', async () => {
      const h = (await api.request('GET', `/api/v1/hunts/${huntId}`)).body;
      return CORRUPTED.every((id) => h.hosts.find((x: any) => x.host_id === id)?.bracket_median_ns > 0);
    }, 60_000);
    const watch = (await api.request('GET', `/api/v1/watches/${lastWatch}`)).body;
    expect(watch).toMatchObject({ action: 'stack', interval: '100us' });
    expect([...watch.hosts.ids].sort()).toEqual([...COHORT].sort());

    // The CLI reads the same hunt: every cohort host at stage 3, the timeline with the reasons.
    const described = await cli(['hunt', 'describe', huntId]);
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(new RegExp(`hunt-9\\s+3\\s+\\d+`));
    expect(described.stdout).toContain('cohort dmi.bios.version=1.2.3-bad: host');
    expect((await cli(['hunt', 'list'])).stdout).toMatch(new RegExp(`${huntId}\\s+bios cohort\\s+active\\s+40 / 0 / 0 / 10`));
  }, 300_000);

  it('starts, refuses and stops hunts through the CLI', async () => {
    const bad = await cli(['hunt', 'start', '--template', 'zero-page', '--selector', 'pool=nowhere', '--budget-ppm', '0', '--yes']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--budget-ppm: "0" is not a whole number from 1 up');
    const refused = await cli(['hunt', 'start', '--template', 'zero-page', '--selector', 'pool=nowhere']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('add --yes');
    const started = await cli(['hunt', 'start', '--template', 'zero-page', '--selector', 'pool=nowhere', '--yes', '-o', 'json']);
    expect(started.code, started.stderr).toBe(0);
    const hunt = JSON.parse(started.stdout);
    expect(hunt.spec.stages.map((s: any) => s.action)).toEqual(['report', 'report', 'report', 'stack', 'hang']);
    const stopped = await cli(['hunt', 'stop', hunt.id, '-o', 'json']);
    expect(JSON.parse(stopped.stdout).state).toBe('stopped');
  });
});
