import { afterAll, describe, expect, it } from 'vitest';
import { freshSchemaName, testRedisUrl } from '@physwatch/testing/env';
import { deleteRedisKeys } from '@physwatch/testing/redis-keys';
import { eventually } from '@physwatch/testing/eventually';
import { TestAgent } from '../test-support/agent-client';
import { JobsService } from '../jobs/jobs.service';
import { SchedulerLeaderService } from '../scheduler/scheduler-leader.service';
import { startTestOrchestrator, TestOrchestrator } from '../test-support/test-orchestrator';

let orch: TestOrchestrator | undefined;
let live: TestOrchestrator | undefined;
let agent: TestAgent | undefined;

afterAll(async () => {
  agent?.close();
  await live?.close();
  await orch?.close();
});

describe('watch expiry', () => {
  it('re-enqueues expiry at start, so a watch still expires after Redis lost its job', async () => {
    const schema = freshSchemaName('exp');
    const first = await startTestOrchestrator({ DATABASE_SCHEMA: schema }, false);
    const created = await first.http('POST', '/api/v1/watches', {
      target: { paddr: '0x1000' }, width: 4, condition: 'any_change', interval: '1s', hosts: { ids: ['nobody'] },
      expires_at: new Date(Date.now() + 2000).toISOString(),
    });
    expect(created.status).toBe(201);
    await first.close();
    await deleteRedisKeys(testRedisUrl(), `physwatch:${schema}:*`);

    orch = await startTestOrchestrator({ DATABASE_SCHEMA: schema }, true);
    await eventually('expired', async () => (await orch!.http('GET', `/api/v1/watches/${created.body.id}`)).body.state === 'expired');
    expect((await orch.http('GET', '/api/v1/watches?state=expired')).body.items.map((w: { id: string }) => w.id)).toEqual([created.body.id]);
  });

  it('ends a watch whose job Redis lost while running exactly once, as expired, from the leader\'s tick', async () => {
    live = await startTestOrchestrator({ SCHEDULER_TICK_MS: '200' });
    agent = new TestAgent(live.grpcAddress);
    agent.hello('exp-1', { rack: 'x' });
    await agent.nextDesired();
    const created = await live.http('POST', '/api/v1/watches', {
      target: { paddr: '0x1000' }, width: 4, condition: 'any_change', interval: '1s', hosts: { selector: 'rack=x' },
      expires_at: new Date(Date.now() + 1500).toISOString(),
    });
    expect(created.status).toBe(201);
    expect((await agent.nextDesired()).watches.map((w) => w.watch_id)).toEqual([created.body.id]);
    // Redis loses the delayed job; the orchestrator keeps running (no restart re-enqueues it).
    await deleteRedisKeys(testRedisUrl(), `${live.running.app.get(JobsService).prefix}:*`);

    expect((await agent.nextDesired()).watches).toEqual([]);
    const ended = (await live.http('GET', `/api/v1/watches/${created.body.id}`)).body;
    expect(ended).toMatchObject({ state: 'expired', ended_at: expect.any(String) });
    expect(ended.assignments.map((a: { phase: string }) => a.phase)).toEqual(['removed']);
    // Later ticks find nothing left to end: once, and ended_at does not move. Two awaited
    // ticks: at least one whole tick starts after the watch ended.
    const leader = live.running.app.get(SchedulerLeaderService);
    await leader.tick();
    await leader.tick();
    expect((await live.http('GET', `/api/v1/watches/${created.body.id}`)).body.ended_at).toBe(ended.ended_at);
    expect(await live.metrics.value(live.metrics.watchesEnded)).toBe(1);
  });
});
