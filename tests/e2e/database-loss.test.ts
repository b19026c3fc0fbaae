/**
 * Losing Postgres in the middle of a stream of hits (issue 16), with real processes: the
 * orchestrator talks to the shared Postgres through a TCP relay, and only the relay is cut
 * (every connection dropped, new ones refused, as in a restart). The orchestrator keeps
 * running and /readyz names the cause; the agent keeps spooling — past its memory cap, which
 * is set small here so the backlog waits on disk, also through a kill -9 — and once Postgres
 * is back ingest resumes by itself: every hit the agent numbered is stored, exactly once.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corruptMemoryFile } from '@physwatch/agent';
import { createPool } from '@physwatch/db';
import { Api } from '../support/api';
import { testDatabaseUrl } from '../support/env';
import { eventually } from '../support/eventually';
import { Agent, Orchestrator } from '../support/stack';
import { TcpRelay } from '../support/tcp-relay';

const WATCHED = 0x2a0e000n;
const MEMORY_HITS = 20;

let relay: TcpRelay;
let orch: Orchestrator;
let agent: Agent;
let api: Api;
let writing = false;
let writer: Promise<void> = Promise.resolve();

/** The highest seq the agent's spool ever handed out in its boot (hit, ack or mark lines). */
function highestSeq(stateDir: string): number {
  const text = readFileSync(path.join(stateDir, 'spool', 'journal.jsonl'), 'utf8');
  let highest = 0;
  for (const line of text.split('\n')) {
    const m = /"s":"([0-9]+)"/.exec(line);
    if (m) highest = Math.max(highest, Number(m[1]));
  }
  return highest;
}

beforeAll(async () => {
  const postgres = new URL(testDatabaseUrl());
  relay = await TcpRelay.start({ host: postgres.hostname, port: Number(postgres.port || 5432) });
  const throughRelay = new URL(testDatabaseUrl());
  throughRelay.host = relay.address;
  orch = await Orchestrator.start({ env: { DATABASE_URL: throughRelay.toString() } });
  api = new Api(orch.url, orch.adminToken);
  agent = await Agent.start({ server: orch.grpcAddress, hostId: 'db-loss-1', extra: { spool: { memoryHits: MEMORY_HITS } } });
});

afterAll(async () => {
  writing = false;
  await writer;
  await agent?.stop('SIGKILL');
  agent?.removeState();
  await orch?.stop();
  await relay?.close();
});

describe('database loss mid-stream', () => {
  it('keeps running, names postgres in /readyz, and stores every spooled hit exactly once when Postgres is back, across an agent kill -9 mid-backlog', async () => {
    const watch = await api.createWatch({ target: { paddr: `0x${WATCHED.toString(16)}` }, width: 4, condition: 'any_change', interval: '2ms', hosts: { ids: ['db-loss-1'] } });
    await eventually('armed', async () => (await api.watch(watch.id)).counts?.armed === 1);

    let value = 0n;
    writing = true;
    writer = (async () => {
      while (writing) {
        await corruptMemoryFile(agent.memoryFile, WATCHED, 4, ++value);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await eventually('hits stored before the loss', async () => (await api.allHits({ watch_id: watch.id })).length >= 10);

    await relay.refuseConnections();
    const readyz = new Api(orch.url, null);
    // Connections cut mid-query answer "Connection terminated unexpectedly" first; then every check is refused.
    const down = await eventually('a 503 naming postgres and the refusal', async () => {
      const res = await readyz.request('GET', '/readyz');
      return res.status === 503 && String(res.body.checks?.postgres).includes('ECONNREFUSED') ? res.body : undefined;
    });
    expect(down).toMatchObject({ status: 'unavailable', down: ['postgres'], checks: { postgres: expect.stringContaining('ECONNREFUSED'), redis: 'ok' } });
    // Hits go on being numbered and spooled, beyond what the agent keeps in memory.
    const atLoss = highestSeq(agent.stateDir);
    await agent.child.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('behind'));
    await eventually('the backlog past the memory cap', async () => highestSeq(agent.stateDir) > atLoss + 3 * MEMORY_HITS);
    // kill -9 mid-backlog: the restarted agent reads its journal as a stream, opens within the cap, keeps numbering.
    await agent.stop('SIGKILL');
    await agent.spawn();
    const opened = await agent.child.waitForLog((l) => l.msg === 'spool open');
    expect(opened).toMatchObject({ inMemory: MEMORY_HITS });
    expect(opened.onDisk).toBeGreaterThan(2 * MEMORY_HITS);
    const atRestart = highestSeq(agent.stateDir);
    expect(orch.child.alive).toBe(true);

    await relay.acceptConnections();
    await eventually('ready again', async () => (await readyz.request('GET', '/readyz')).status === 200);
    // The restarted agent gets its watch back from the orchestrator and numbers on after its backlog.
    await eventually('hits numbered after the restart', async () => highestSeq(agent.stateDir) > atRestart + 5);
    writing = false;
    await writer;
    let generated = 0;
    await eventually('the last hits spooled', async () => {
      const now = highestSeq(agent.stateDir);
      const settled = now === generated;
      generated = now;
      return settled;
    }, 30_000, 500);
    const stored = await eventually(
      'every hit stored',
      async () => {
        const hits = await api.allHits({ watch_id: watch.id });
        return hits.length >= generated ? hits : undefined;
      },
      60_000,
    );
    const seqs = stored.map((h: { seq: string }) => Number(h.seq)).sort((a: number, b: number) => a - b);
    expect(seqs).toEqual(Array.from({ length: generated }, (_, i) => i + 1));
    await agent.child.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('caught up'));
    expect(orch.child.alive).toBe(true);
  });

  it('survives its Postgres backends being terminated mid-stream (in transactions or idle), and stores every hit once', async () => {
    const watch = (await api.request('GET', '/api/v1/watches')).body.items[0];
    const before = (await api.allHits({ watch_id: watch.id })).length;
    let value = 1n << 20n;
    writing = true;
    writer = (async () => {
      while (writing) {
        await corruptMemoryFile(agent.memoryFile, WATCHED, 4, ++value);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await eventually('hits flowing', async () => (await api.allHits({ watch_id: watch.id })).length > before + 20);
    // Only this orchestrator's backends: those reached through this test's relay.
    const admin = createPool({ url: testDatabaseUrl(), schema: 'public', max: 1 });
    let terminated = 0;
    try {
      for (let round = 0; round < 3; round++) {
        const { rows } = await admin.query<{ n: string }>(
          "select count(*) filter (where pg_terminate_backend(pid)) as n from pg_stat_activity where backend_type = 'client backend' and client_port = any($1::int[])",
          [relay.upstreamPorts()],
        );
        terminated += Number(rows[0].n);
        await new Promise((r) => setTimeout(r, 300));
      }
    } finally {
      await admin.end();
    }
    expect(terminated).toBeGreaterThan(0);
    writing = false;
    await writer;
    expect(orch.child.alive).toBe(true);
    const readyz = new Api(orch.url, null);
    await eventually('ready', async () => (await readyz.request('GET', '/readyz')).status === 200);
    let generated = 0;
    await eventually('the last hits spooled', async () => {
      const now = highestSeq(agent.stateDir);
      const settled = now === generated;
      generated = now;
      return settled;
    }, 30_000, 500);
    const stored = await eventually('every hit stored', async () => {
      const hits = await api.allHits({ watch_id: watch.id });
      return hits.length >= generated ? hits : undefined;
    }, 60_000);
    const seqs = stored.map((h: { seq: string }) => Number(h.seq)).sort((a: number, b: number) => a - b);
    expect(seqs).toEqual(Array.from({ length: generated }, (_, i) => i + 1));
    expect(orch.child.alive).toBe(true);
  });
});
