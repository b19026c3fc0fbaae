/**
 * The REST API's own connection budget: with every connection of the main pool (agent
 * streams, hit ingest) held in an open transaction, a hit batch waits for one, and REST
 * still answers from its own pool; released, the batch is stored and acked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@physwatch/testing/eventually';
import { TestAgent, wireHit } from '../test-support/agent-client';
import { startTestOrchestrator, TestOrchestrator } from '../test-support/test-orchestrator';

const MAIN_POOL = 2;
const ZERO_PAGE = { target: { paddr: '0x2a0e000' }, width: 1, condition: 'equals', value: '0x33', interval: '30ms' };

let orch: TestOrchestrator;
let agent: TestAgent;
/** Lets the held main-pool transactions end; afterAll calls it too, so a failed assertion cannot leave them open. */
let release: () => void = () => undefined;

beforeAll(async () => {
  orch = await startTestOrchestrator({ SCHEDULER_TICK_MS: '3600000', DATABASE_POOL_MAX: String(MAIN_POOL), API_DATABASE_POOL_MAX: '2' });
});

afterAll(async () => {
  release();
  agent?.close();
  await orch?.close();
});

describe('database pools', () => {
  it('serves REST from its own pool while ingest has every connection of the main pool taken', async () => {
    agent = new TestAgent(orch.grpcAddress);
    agent.hello('pool-1');
    await agent.nextDesired();
    const created = await orch.http('POST', '/api/v1/watches', { ...ZERO_PAGE, name: 'pools', hosts: { ids: ['pool-1'] } });
    expect(created.status).toBe(201);
    const watchId = created.body.id as string;
    agent.send({ hit_batch: { boot_id: 'boot-1', hits: [wireHit(1, watchId)] } });
    expect(await agent.nextAck()).toMatchObject({ up_to_seq: '1' });

    // A storm's worth of ingest transactions, as far as the main pool can tell: all of it checked out.
    const released = new Promise<void>((resolve) => (release = resolve));
    const holders = Array.from({ length: MAIN_POOL }, () => orch.db.transaction(() => released));
    await eventually('the main pool fully taken', async () => orch.db.pool.totalCount === MAIN_POOL && orch.db.pool.idleCount === 0);

    agent.send({ hit_batch: { boot_id: 'boot-1', hits: [wireHit(2, watchId)] } });
    const ack = agent.nextAck();
    await eventually('the batch waiting for a main-pool connection', async () => orch.db.pool.waitingCount > 0);

    const hits = await orch.http('GET', `/api/v1/hits?watch_id=${watchId}`);
    expect(hits.status).toBe(200);
    expect(hits.body.items.map((h: { seq: string; host_id: string }) => [h.host_id, h.seq])).toEqual([['pool-1', '1']]);
    const watch = await orch.http('GET', `/api/v1/watches/${watchId}`);
    expect(watch.body).toMatchObject({ id: watchId, name: 'pools', state: 'active' });
    // Statistics and the fleet gauges counted at scrape are HTTP too.
    expect((await orch.http('GET', '/api/v1/stats/overview')).status).toBe(200);
    const metrics = await orch.http<string>('GET', '/metrics');
    expect(metrics.body).toMatch(/^physwatch_fleet_gauges_up 1$/m);
    // The reads did not go through the main pool: the batch is still the one waiting there.
    expect(orch.db.pool.waitingCount).toBeGreaterThan(0);
    expect(orch.db.apiPool?.totalCount).toBeGreaterThan(0);

    release();
    await Promise.all(holders);
    expect(await ack).toMatchObject({ up_to_seq: '2', rejected: [] });
    const after = await orch.http('GET', `/api/v1/hits?watch_id=${watchId}`);
    expect(after.body.items.map((h: { seq: string }) => h.seq).sort()).toEqual(['1', '2']);
  });
});
