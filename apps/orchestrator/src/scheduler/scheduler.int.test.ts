import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@physwatch/testing/eventually';
import { TestAgent } from '../test-support/agent-client';
import { startTestOrchestrator, TestOrchestrator } from '../test-support/test-orchestrator';
import { SchedulerLeaderService } from './scheduler-leader.service';

// Rollout through the real orchestrator: canary first, soak, expansion by the leader's
// tick, pause/resume, capacity, the per-watch hosts view, and leadership handover.
let a: TestOrchestrator;
let b: TestOrchestrator | null = null;
let aStopped = false;
const agents: TestAgent[] = [];
const SPEC = { target: { paddr: '0x1000' }, width: 4, condition: 'any_change', interval: '1ms' };

beforeAll(async () => {
  a = await startTestOrchestrator({ SCHEDULER_TICK_MS: '100' });
});

afterAll(async () => {
  for (const agent of agents) agent.close();
  if (!aStopped) await a?.close();
  await b?.close();
});

async function connect(hostId: string, labels: Record<string, string>, maxWatches = 64): Promise<TestAgent> {
  const agent = new TestAgent(a.grpcAddress);
  agents.push(agent);
  agent.hello(hostId, labels, { capabilities: { backend: 'simulated', max_watches: maxWatches } });
  await agent.nextDesired();
  return agent;
}

/** Plays the agent's part: reports every watch of each desired state armed. */
function armEverything(agent: TestAgent): void {
  agent.call.on('data', (m: any) => {
    if (m.msg !== 'desired_state') return;
    const states = m.desired_state.watches.map((w: any) => ({ watch_id: w.watch_id, phase: 'WATCH_PHASE_ARMED', resolved_paddr: '4096', memory_kind: 'MEMORY_KIND_RAM', reason: '' }));
    agent.send({ watch_states: { generation: m.desired_state.generation, states } });
  });
}

describe('scheduler', () => {
  it('places a canary first, expands after the soak, and lists hosts by state', async () => {
    const fleet = await Promise.all(['c1', 'c2', 'c3'].map((id) => connect(id, { pool: 'canary' })));
    fleet.forEach(armEverything);
    const created = await a.http('POST', '/api/v1/watches', { ...SPEC, hosts: { selector: 'pool=canary' }, rollout: { canary: 1, soak: '500ms' } });
    expect(created.status).toBe(201);
    expect(created.body.rollout).toMatchObject({ canary: 1, soak: '500ms' });
    expect(created.body.counts.pending).toBe(1);

    const early = await a.http('GET', `/api/v1/watches/${created.body.id}/hosts`);
    expect(early.body.pending.filter((p: any) => p.reason === 'canary_soak')).toHaveLength(2);

    await eventually('expanded to all three', async () => (await a.http('GET', `/api/v1/watches/${created.body.id}`)).body.counts.armed === 3);
    const view = await a.http('GET', `/api/v1/watches/${created.body.id}/hosts`);
    expect(view.body).toMatchObject({ watch_id: created.body.id, failed: [], pending: [], offline: [] });
    expect(view.body.armed.map((h: any) => h.host_id).sort()).toEqual(['c1', 'c2', 'c3']);
  });

  it('holds a paused rollout and lets it go on when resumed', async () => {
    const fleet = await Promise.all(['p1', 'p2'].map((id) => connect(id, { pool: 'pause' })));
    fleet.forEach(armEverything);
    const created = await a.http('POST', '/api/v1/watches', { ...SPEC, hosts: { selector: 'pool=pause' }, rollout: { canary: 1, soak: '0s', paused: true } });
    expect(created.body.counts.pending + created.body.counts.armed).toBe(0);
    const paused = await a.http('GET', `/api/v1/watches/${created.body.id}/hosts`);
    expect(paused.body.pending.map((p: any) => p.reason)).toEqual(['paused', 'paused']);
    const resumed = await a.http('POST', `/api/v1/watches/${created.body.id}/resume`);
    expect(resumed.body.rollout.paused).toBe(false);
    await eventually('both armed', async () => (await a.http('GET', `/api/v1/watches/${created.body.id}`)).body.counts.armed === 2);
    expect((await a.http('POST', `/api/v1/watches/${created.body.id}/pause`)).body.rollout.paused).toBe(true);
  });

  it('never places beyond a host\'s max_watches and says the host is full', async () => {
    await connect('full-1', { pool: 'small' }, 1);
    const first = await a.http('POST', '/api/v1/watches', { ...SPEC, hosts: { ids: ['full-1'] } });
    const second = await a.http('POST', '/api/v1/watches', { ...SPEC, hosts: { ids: ['full-1'] } });
    expect(first.body.counts.pending).toBe(1);
    expect(second.body.counts.pending).toBe(0);
    const view = await a.http('GET', `/api/v1/watches/${second.body.id}/hosts`);
    expect(view.body.pending).toEqual([expect.objectContaining({ host_id: 'full-1', reason: 'capacity_full' })]);
    await a.http('POST', `/api/v1/watches/${first.body.id}/stop`);
    await eventually('second placed once the slot is free', async () => (await a.http('GET', `/api/v1/watches/${second.body.id}`)).body.counts.pending === 1);
  });

  it('hands scheduler leadership to another replica when the leader goes', async () => {
    expect(a.running.app.get(SchedulerLeaderService).isLeader).toBe(true);
    // b cleans the schema up at the end: a stops first, as a replica that goes away.
    b = await startTestOrchestrator({ DATABASE_SCHEMA: a.schema, SCHEDULER_TICK_MS: '100' }, true);
    const follower = b.running.app.get(SchedulerLeaderService);
    await follower.tick();
    expect(follower.isLeader).toBe(false);
    const agentsOfA = agents.splice(0);
    for (const agent of agentsOfA) agent.close();
    aStopped = true;
    await a.running.close();
    await eventually('b took over', async () => follower.isLeader);
  });
});
