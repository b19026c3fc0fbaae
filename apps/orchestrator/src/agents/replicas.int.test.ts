import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@physwatch/testing/env';
import { TestAgent } from '../test-support/agent-client';
import { startTestOrchestrator, TestOrchestrator } from '../test-support/test-orchestrator';

// Two replicas on one schema: desired-state changes reach the replica holding the stream
// through Postgres NOTIFY, and a host's newest stream wins across replicas.
let a: TestOrchestrator;
let b: TestOrchestrator;
const agents: TestAgent[] = [];

beforeAll(async () => {
  a = await startTestOrchestrator();
  b = await startTestOrchestrator({ DATABASE_SCHEMA: a.schema });
});

afterAll(async () => {
  for (const agent of agents) agent.close();
  await b?.close();
  await a?.close();
});

function agentOn(replica: TestOrchestrator): TestAgent {
  const agent = new TestAgent(replica.grpcAddress);
  agents.push(agent);
  return agent;
}

describe('several replicas', () => {
  it('delivers a watch created on one replica to an agent streaming to the other, and its stop too', async () => {
    const agent = agentOn(b);
    agent.hello('rep-1', { zone: 'z1' });
    await agent.nextDesired();
    const created = await a.http('POST', '/api/v1/watches', { target: { symbol: 'empty_zero_page' }, width: 8, condition: 'any_change', interval: '1ms', hosts: { selector: 'zone=z1' } });
    expect(created.status).toBe(201);
    expect((await agent.nextDesired()).watches.map((w) => w.watch_id)).toEqual([created.body.id]);
    await a.http('POST', `/api/v1/watches/${created.body.id}/stop`);
    expect((await agent.nextDesired()).watches).toEqual([]);
  });

  it('ends the older stream of a host on the other replica when the host connects again', async () => {
    const old = agentOn(a);
    old.hello('rep-2');
    await old.nextDesired();
    const fresh = agentOn(b);
    fresh.hello('rep-2');
    await fresh.nextDesired();
    expect(await old.ended).toEqual({ code: status.ABORTED, details: 'superseded by a newer stream for host rep-2' });
    expect((await b.http('GET', '/api/v1/hosts/rep-2')).body.connected).toBe(true);
  });

  it('answers 503 on /readyz naming Redis when Redis does not answer', async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const c = await startTestOrchestrator({ DATABASE_SCHEMA: a.schema, REDIS_URL: deadRedis });
    try {
      const ready = await c.http('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'unavailable', down: ['redis'], checks: { postgres: 'ok' } });
      expect((await a.http('GET', '/readyz')).body).toMatchObject({ status: 'ready', down: [] });
    } finally {
      await c.close();
    }
  });
});
