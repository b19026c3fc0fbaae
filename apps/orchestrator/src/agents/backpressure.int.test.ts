import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@physwatch/testing/eventually';
import { TcpRelay } from '@physwatch/testing/tcp-relay';
import { DesiredStateBus } from '../desired-state/desired-state.bus';
import { TestAgent, wireHit } from '../test-support/agent-client';
import { startTestOrchestrator, TestOrchestrator } from '../test-support/test-orchestrator';

// Enough large DesiredStates to exceed HTTP/2 flow control and grpc-js's 16-message write
// buffer many times over, so the server must see write() === false.
const WATCHES = 300;
const RESENDS = 60;
const BATCHES = 40;

let orch: TestOrchestrator;
let proxy: TcpRelay;
let agent: TestAgent;

beforeAll(async () => {
  orch = await startTestOrchestrator();
  proxy = await TcpRelay.start(orch.grpcAddress);
});

afterAll(async () => {
  agent?.close();
  await proxy?.close();
  await orch?.close();
});

describe('backpressure to an agent that does not read', () => {
  it('waits for drain, keeps only the newest desired state and ack, and delivers them once the agent reads', async () => {
    const { db } = orch;
    // grpc-js's client keeps reading the socket even when nobody reads the call, so the
    // agent's "not reading" is a relay that stops reading what the server sends.
    agent = new TestAgent(proxy.address);
    // The host must hold every watch: the scheduler never places beyond max_watches.
    agent.hello('slow-1', { rack: 'slow' }, { capabilities: { backend: 'simulated', max_watches: WATCHES } });
    await agent.nextDesired();
    proxy.holdDownstream('pause');

    // Many watches on the host, each with a long symbol name, make each DesiredState large.
    const symbol = `s${'x'.repeat(200)}`;
    const spec = { target: { symbol }, width: 8, condition: 'any_change', interval: '1s', action: 'report', hosts: { ids: ['slow-1'] } };
    const watchIds: string[] = [];
    for (let i = 0; i < WATCHES; i++) watchIds.push((await db.watches.create({ name: null, spec, expiresAt: null, maxHits: null })).id);
    await db.assignments.assign(watchIds.map((watchId) => ({ watchId, hostId: 'slow-1' })));

    const bus = orch.running.app.get(DesiredStateBus);
    let finalGeneration = '';
    for (let i = 0; i < RESENDS; i++) {
      finalGeneration = (await db.hosts.bumpDesiredGeneration(['slow-1'])).get('slow-1')!;
      await bus.publish(db.repos, { kind: 'hosts', hostIds: ['slow-1'] });
    }
    await eventually('a desired state was coalesced while waiting for drain', async () => {
      const { values } = await orch.metrics.coalesced.get();
      return values.some((v) => v.labels.kind === 'desired_state' && v.value > 0);
    });
    expect(await orch.metrics.value(orch.metrics.drainWaits)).toBeGreaterThan(0);

    // Hits keep flowing in while the agent does not read; their acks coalesce per boot.
    for (let seq = 1; seq <= BATCHES; seq++) agent.send({ hit_batch: { boot_id: 'boot-1', hits: [wireHit(seq, watchIds[0])] } });
    await eventually('every batch stored', async () => (await orch.metrics.value(orch.metrics.hitsStored)) === BATCHES);

    proxy.release();
    const last = await agent.next((m) => m.msg === 'desired_state' && m.desired_state!.generation === finalGeneration);
    expect(last.desired_state!.watches).toHaveLength(WATCHES);
    await agent.next((m) => m.msg === 'hit_ack' && m.hit_ack!.up_to_seq === String(BATCHES));

    const desiredReceived = agent.received.filter((m) => m.msg === 'desired_state');
    const acksReceived = agent.received.filter((m) => m.msg === 'hit_ack');
    // Memory stayed bounded: far fewer messages than changes were ever queued or sent.
    expect(desiredReceived.length).toBeLessThan(RESENDS);
    expect(acksReceived.length).toBeLessThan(BATCHES);
    const generations = desiredReceived.map((m) => BigInt(m.desired_state!.generation));
    expect(generations.every((g, i) => i === 0 || g > generations[i - 1])).toBe(true);
    const acked = acksReceived.map((m) => Number(m.hit_ack!.up_to_seq));
    expect(acked.every((s, i) => i === 0 || s > acked[i - 1])).toBe(true);
  });
});
