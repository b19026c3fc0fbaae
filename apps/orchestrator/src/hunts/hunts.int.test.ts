import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '@physwatch/testing/api';
import { TestAgent } from '../test-support/agent-client';
import { startTestOrchestrator, TestOrchestrator } from '../test-support/test-orchestrator';
import { HuntEngine } from './hunt-engine.service';

// The hunt engine through the real orchestrator (Postgres, the scheduler, desired state to
// in-process agents). The leader's tick is slowed to a crawl so the test drives each pass.
let o: TestOrchestrator;
let engine: HuntEngine;
const agents: TestAgent[] = [];
let huntId: string;
let seq = 0;

const HUNT = {
  name: 'int',
  target: { paddr: '0x2000' }, width: 1, condition: 'any_change',
  hosts: { selector: 'pool=hunt' },
  cohort: ['bios'],
  stages: [
    { interval: '30ms', advance: { after_hits: 2 } },
    { interval: '1ms', advance: { after_hits: 1 } },
    { interval: '100us', action: 'stack' },
  ],
};

beforeAll(async () => {
  o = await startTestOrchestrator({ SCHEDULER_TICK_MS: '600000' });
  engine = o.running.app.get(HuntEngine);
  for (const [id, labels] of [['h1', { bios: 'A' }], ['h2', { bios: 'A' }], ['h3', { bios: 'B' }], ['h4', {}]] as const) {
    const agent = new TestAgent(o.grpcAddress);
    agents.push(agent);
    agent.hello(id, { pool: 'hunt', ...labels });
    await agent.nextDesired();
  }
});

afterAll(async () => {
  for (const agent of agents) agent.close();
  await o?.close();
});

/** A stored hit; `bracketNs` sets last_old_boottime_ns that far before boottime_ns. */
async function hit(hostId: string, watchId: string, bracketNs: number | null = null): Promise<void> {
  seq++;
  const boottime = 1_000_000_000 + seq * 1_000_000;
  await o.db.pool.query(
    `insert into hits (host_id, boot_id, seq, watch_id, occurred_at, realtime_ns, boottime_ns, last_old_boottime_ns, cpu, paddr, "offset", width, old_value, new_value, pid, comm, ip, action)
     values ($1, 'boot-1', $2, $3, now(), 0, $4, $5, 0, 8192, 0, 1, 0, 51, 1, 'x', 'ip', 'report')`,
    [hostId, seq, watchId, boottime, bracketNs === null ? null : boottime - bracketNs],
  );
}

async function hunt(): Promise<any> {
  return (await o.http('GET', `/api/v1/hunts/${huntId}`)).body;
}

async function watchOfHost(hostId: string): Promise<string[]> {
  const { rows } = await o.db.pool.query(`select watch_id::text as id from assignments where host_id = $1 and phase <> 'removed' order by watch_id`, [hostId]);
  return rows.map((r: { id: string }) => r.id);
}

describe('hunts', () => {
  it('refuses a bad hunt with every field named', async () => {
    const bad = await o.http('POST', '/api/v1/hunts', { ...HUNT, stages: [{ interval: '30ms' }, { interval: '1us' }, { action: 'nope' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_request');
    expect(bad.body.errors.map((e: any) => e.field)).toEqual(expect.arrayContaining(['stages[1].interval', 'stages[2].action']));
  });

  it('starts with every selected host at stage 0 on one watch placed by the scheduler', async () => {
    const created = await o.http('POST', '/api/v1/hunts', HUNT);
    expect(created.status).toBe(201);
    huntId = created.body.id;
    expect(created.body.stage_counts).toEqual([4, 0, 0]);
    const stage0 = created.body.stages[0];
    expect(stage0.hosts).toEqual(['h1', 'h2', 'h3', 'h4']);
    expect(await watchOfHost('h1')).toEqual([stage0.watch_id]);
    const watch = await o.http('GET', `/api/v1/watches/${stage0.watch_id}`);
    expect(watch.body).toMatchObject({ interval: '30ms', hosts: { ids: ['h1', 'h2', 'h3', 'h4'] } });
  });

  it('advances the host that hit and its cohort, each once, however many passes race', async () => {
    const stage0 = (await hunt()).stages[0].watch_id;
    await hit('h1', stage0);
    await hit('h1', stage0);
    await hit('h3', stage0);
    const results = await Promise.all([engine.runAll(), engine.runAll(), engine.runAll()]);
    expect(results.reduce((n, r) => n + r.transitions, 0)).toBe(2);
    const h = await hunt();
    expect(h.stages.map((s: any) => s.hosts)).toEqual([['h3', 'h4'], ['h1', 'h2'], []]);
    const { rows } = await o.db.pool.query(`select host_id, from_stage, to_stage, reason from hunt_transitions where hunt_id = $1 order by host_id`, [huntId]);
    expect(rows).toEqual([
      { host_id: 'h1', from_stage: 0, to_stage: 1, reason: '2 hits at stage 0 (after_hits 2)' },
      { host_id: 'h2', from_stage: 0, to_stage: 1, reason: 'cohort bios=A: host h1 is at stage 1' },
    ]);
    const stage1 = h.stages[1].watch_id;
    expect(await watchOfHost('h1')).toEqual([stage1]);
    expect(await watchOfHost('h3')).toEqual([stage0]);
    expect((await o.http('GET', `/api/v1/watches/${stage1}`)).body).toMatchObject({ interval: '1ms', hosts: { ids: ['h1', 'h2'] } });
    // A pass with nothing new changes nothing.
    expect(await engine.runAll()).toEqual({ transitions: 0, watchesChanged: 0 });
  });

  it('makes no transition while paused, and goes on when resumed', async () => {
    expect((await o.http('POST', `/api/v1/hunts/${huntId}/pause`)).body.state).toBe('paused');
    await hit('h1', (await hunt()).stages[1].watch_id);
    expect((await engine.runAll()).transitions).toBe(0);
    expect((await o.http('POST', `/api/v1/hunts/${huntId}/resume`)).body.state).toBe('active');
    // h2 would follow h1 into stage 2, but its measured poll cost does not fit at 100us.
    const stage1 = (await hunt()).stages[1].watch_id;
    await o.db.pool.query(`update assignments set poll_ns_avg = 5000 where watch_id = $1 and host_id = 'h2'`, [stage1]);
    expect((await engine.runAll()).transitions).toBe(1);
    const h = await hunt();
    expect(h.stages[2].hosts).toEqual(['h1']);
    expect(h.hosts.find((x: any) => x.host_id === 'h2')).toMatchObject({ stage: 1, poll_ns_avg: 5000 });
    const held = h.timeline.filter((e: any) => e.kind === 'budget_held');
    expect(held).toEqual([expect.objectContaining({ host_id: 'h2', from_stage: 1, reason: expect.stringContaining('50000 ppm of a CPU, over the hunt\'s budget_ppm 10000') })]);
    expect(h.timeline.map((e: any) => e.kind)).toEqual(['created', 'transition', 'transition', 'paused', 'resumed', 'transition', 'budget_held']);
    await engine.runAll();
    expect((await hunt()).timeline.filter((e: any) => e.kind === 'budget_held')).toHaveLength(1);
  });

  it('holds and advances by hand, audited, with the actor in the reason', async () => {
    const hold = await o.http('POST', `/api/v1/hunts/${huntId}/hold`, { host_ids: ['h4'] });
    expect(hold.body.hosts.find((x: any) => x.host_id === 'h4').held).toBe(true);
    const advanced = await o.http('POST', `/api/v1/hunts/${huntId}/advance`, { cohort: { bios: 'B' } });
    expect(advanced.status).toBe(200);
    expect(advanced.body.stages[1].hosts).toEqual(['h2', 'h3']);
    expect(advanced.body.timeline.at(-1)).toMatchObject({ kind: 'transition', host_id: 'h3', from_stage: 0, to_stage: 1, reason: expect.stringMatching(/^manual by /) });
    // The held host is never moved by the engine, even with hits.
    await hit('h4', advanced.body.stages[0].watch_id);
    await hit('h4', advanced.body.stages[0].watch_id);
    await engine.runAll();
    expect((await hunt()).hosts.find((x: any) => x.host_id === 'h4').stage).toBe(0);
    const bad = await o.http('POST', `/api/v1/hunts/${huntId}/advance`, { host_ids: ['nope'] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'host_ids[0]', reason: 'nope is not a host of this hunt' }]);
    const audit = await o.db.pool.query(`select action from audit_log where action like 'hunt.%' order by id`);
    expect(audit.rows.map((r: any) => r.action)).toEqual(expect.arrayContaining(['hunt.create', 'hunt.pause', 'hunt.resume', 'hunt.hold', 'hunt.advance']));
  });

  it('puts a host that is selected later at stage 0, and pulls one that joins a cohort ahead of it', async () => {
    for (const [id, bios] of [['h5', 'C'], ['h6', 'A']]) {
      const agent = new TestAgent(o.grpcAddress);
      agents.push(agent);
      agent.hello(id, { pool: 'hunt', bios });
      await agent.nextDesired();
    }
    await engine.runAll();
    const h = await hunt();
    expect(h.hosts.find((x: any) => x.host_id === 'h5')).toMatchObject({ stage: 0, cohort: 'bios=C' });
    expect(h.stages[0].hosts).toContain('h5');
    expect(await watchOfHost('h5')).toEqual([h.stages[0].watch_id]);
    // h1 of cohort A stands at stage 2: h6 climbs from 0, one stage per pass.
    expect(h.hosts.find((x: any) => x.host_id === 'h6').stage).toBe(1);
    await engine.runAll();
    expect((await hunt()).hosts.find((x: any) => x.host_id === 'h6').stage).toBe(2);
    expect((await hunt()).timeline.filter((e: any) => e.host_id === 'h6').map((e: any) => [e.from_stage, e.to_stage, e.reason])).toEqual([
      [0, 1, 'cohort bios=A: host h1 is at stage 2'],
      [1, 2, 'cohort bios=A: host h1 is at stage 2'],
    ]);
  });

  it('needs admin to start a hunt with a destructive stage, as a destructive watch does', async () => {
    const made = await o.http('POST', '/api/v1/tokens', { name: 'oncall', role: 'operator' });
    const operator = new Api(`http://127.0.0.1:${o.running.httpPort}`, made.body.token);
    const refused = await operator.request('POST', '/api/v1/hunts', { ...HUNT, stages: undefined });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('starting a hunt whose stage 4 is destructive (kdump_on_hit) needs role admin; this token (oncall) has role operator');
    const fine = await operator.request('POST', '/api/v1/hunts', { ...HUNT, hosts: { ids: ['h4'] } });
    expect(fine.status).toBe(201);
    expect((await operator.request('POST', `/api/v1/hunts/${fine.body.id}/stop`)).status).toBe(200);
  });

  it('advances by bracket_stalled, reading the brackets stored with the hits', async () => {
    const created = await o.http('POST', '/api/v1/hunts', {
      ...HUNT, hosts: { ids: ['h3'] }, cohort: [],
      stages: [{ interval: '30ms', advance: { after_hits: 1 } }, { interval: '1ms', advance: { bracket_stalled: { window: 3 } } }, { action: 'stack' }],
    });
    const id = created.body.id;
    await hit('h3', created.body.stages[0].watch_id, 20_000_000);
    await hit('h3', created.body.stages[0].watch_id, 30_000_000);
    await hit('h3', created.body.stages[0].watch_id, 25_000_000);
    await engine.runAll();
    const stage1 = (await o.http('GET', `/api/v1/hunts/${id}`)).body.stages[1].watch_id;
    // Shrinking against stage 0 (median 25 ms): not stalled.
    for (const b of [400_000, 500_000, 600_000]) await hit('h3', stage1, b);
    await engine.runAll();
    let h = (await o.http('GET', `/api/v1/hunts/${id}`)).body;
    expect(h.hosts[0]).toMatchObject({ stage: 1, hits_at_stage: 3, bracket_median_ns: 500_000 });
    // The newest three (median 30 ms) are not smaller than stage 0's 25 ms: the bracket stalled.
    for (const b of [30_000_000, 26_000_000, 40_000_000]) await hit('h3', stage1, b);
    await engine.runAll();
    h = (await o.http('GET', `/api/v1/hunts/${id}`)).body;
    expect(h.hosts[0].stage).toBe(2);
    expect(h.timeline.at(-1).reason).toBe('median bracket 30000000 ns of the last 3 hits at stage 1 is not smaller than stage 0\'s 25000000 ns (bracket_stalled)');
    await o.http('POST', `/api/v1/hunts/${id}/stop`);
  });

  it('stops: every stage watch ends the way a watch ends, and no host keeps one', async () => {
    const before = (await hunt()).stages.map((s: any) => s.watch_id).filter(Boolean);
    const stopped = await o.http('POST', `/api/v1/hunts/${huntId}/stop`);
    expect(stopped.body.state).toBe('stopped');
    for (const id of before) expect((await o.http('GET', `/api/v1/watches/${id}`)).body.state).toBe('stopped');
    for (const h of ['h1', 'h2', 'h3', 'h4', 'h5', 'h6']) expect(await watchOfHost(h)).toEqual([]);
    expect(await engine.runAll()).toEqual({ transitions: 0, watchesChanged: 0 });
    expect((await o.http('GET', '/api/v1/hunts?state=stopped')).body.items.map((x: any) => x.id)).toContain(huntId);
  });
});
