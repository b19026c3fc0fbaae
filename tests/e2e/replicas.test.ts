/**
 * Two orchestrator replicas on one schema, agents spread over both through a failover
 * relay (the load balancer's part). A watch created through one replica arms on agents
 * streaming to the other; kill -9 of the replica holding the scheduler lock moves its
 * agents and the lock to the survivor, and every hit is stored exactly once.
 */
import { corruptMemoryFile } from '@physwatch/agent';
import { Database } from '@physwatch/db';
import { afterAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { eventually } from '../support/eventually';
import { TcpRelay } from '../support/tcp-relay';
import { testDatabaseUrl } from '../support/env';
import { Agent, Orchestrator } from '../support/stack';

const WATCHED = 0x2a0e000n;
const HOSTS = ['rep-a1', 'rep-b1', 'rep-b2'];
const stoppable: { stop(signal?: NodeJS.Signals): Promise<void> }[] = [];
const relays: TcpRelay[] = [];
const agents: Agent[] = [];

afterAll(async () => {
  while (stoppable.length) await stoppable.pop()!.stop('SIGKILL');
  for (const relay of relays) await relay.close();
  for (const agent of agents) agent.removeState();
});

async function armedEverywhere(api: Api, watchId: string): Promise<void> {
  await eventually(`watch ${watchId} armed on ${HOSTS.join(', ')}`, async () => {
    const view = (await api.request('GET', `/api/v1/watches/${watchId}/hosts`)).body;
    return HOSTS.every((id) => view.armed.some((h: any) => h.host_id === id)) ? view : undefined;
  });
}

describe('two replicas', () => {
  it('arms across replicas, survives kill -9 of the scheduler leader, and stores every hit once', async () => {
    // B starts first, so B holds the scheduler lock when it is killed.
    const fast = { SCHEDULER_TICK_MS: '200' };
    const b = await Orchestrator.start({ env: fast });
    stoppable.push(b);
    await b.child.waitForLog((l) => l.msg === 'scheduler leadership taken');
    const a = await Orchestrator.start({ schema: b.options.schema, env: fast });
    stoppable.push(a);
    const apiA = new Api(a.url, a.adminToken);

    for (const hostId of HOSTS) {
      const order = hostId.startsWith('rep-a') ? [a.options.grpcPort, b.options.grpcPort] : [b.options.grpcPort, a.options.grpcPort];
      const relay = await TcpRelay.start(order);
      relays.push(relay);
      const agent = await Agent.start({ server: relay.address, hostId, labels: { suite: 'replicas' } });
      stoppable.push(agent);
      agents.push(agent);
    }
    await eventually('agents connected', async () => (await Promise.all(HOSTS.map((id) => apiA.host(id).catch(() => null)))).every((h) => h?.connected));

    const watch = await apiA.createWatch({ target: { paddr: `0x${WATCHED.toString(16)}` }, width: 4, condition: 'any_change', interval: '2ms', hosts: { selector: 'suite=replicas' } });
    await armedEverywhere(apiA, watch.id);

    let value = 0n;
    /** One more value on every host, once each agent spooled the one before (a value overwritten too soon is never seen). */
    const write = async () => {
      value++;
      for (const agent of agents) await corruptMemoryFile(agent.memoryFile, WATCHED, 4, value);
      for (const agent of agents) await agent.child.waitForLog((l) => l.msg === 'hit spooled' && l.watchId === watch.id && l.new === String(value));
    };
    for (let i = 0; i < 10; i++) await write();
    await b.stop('SIGKILL');
    for (let i = 0; i < 10; i++) await write();

    await a.child.waitForLog((l) => l.msg === 'scheduler leadership taken');
    await eventually('B\'s agents reconnected to A', async () => (await Promise.all(HOSTS.map((id) => apiA.host(id)))).every((h) => h.connected));
    for (let i = 0; i < 10; i++) await write();

    const last = `0x${value.toString(16)}`;
    for (const hostId of HOSTS) {
      const hits = await eventually(`${hostId} delivered everything up to ${last}`, async () => {
        const all = await apiA.allHits({ host_id: hostId });
        return all.some((h) => h.new_value === last) ? all : undefined;
      });
      const seqs = hits.map((h: any) => Number(h.seq)).sort((x: number, y: number) => x - y);
      // Every value was spooled before the next was written: one hit per value, each stored once.
      expect(seqs).toEqual(Array.from({ length: Number(value) }, (_, i) => i + 1));
    }
    // A new watch after the handover is placed by the survivor on every host.
    const after = await apiA.createWatch({ target: { paddr: '0x1000' }, width: 4, condition: 'any_change', interval: '2ms', hosts: { selector: 'suite=replicas' } });
    await armedEverywhere(apiA, after.id);
  });

  it('a canary report watch arms on one host first, then on all once the soak is over', async () => {
    const orch = await Orchestrator.start({ env: { SCHEDULER_TICK_MS: '200' } });
    stoppable.push(orch);
    const api = new Api(orch.url, orch.adminToken);
    const ids = ['can-1', 'can-2', 'can-3'];
    for (const hostId of ids) {
      const agent = await Agent.start({ server: orch.grpcAddress, hostId, labels: { suite: 'canary' } });
      stoppable.push(agent);
      agents.push(agent);
    }
    await eventually('agents connected', async () => (await Promise.all(ids.map((id) => api.host(id).catch(() => null)))).every((h) => h?.connected));
    const watch = await api.createWatch({ target: { paddr: '0x2000' }, width: 4, condition: 'any_change', interval: '2ms', hosts: { selector: 'suite=canary' }, rollout: { canary: 1, soak: '1h' } });
    // Placed on the one canary only (its agent may already have armed it when the answer is read).
    expect(watch.counts.pending + watch.counts.armed).toBe(1);
    const first = await eventually('canary armed', async () => {
      const view = (await api.request('GET', `/api/v1/watches/${watch.id}/hosts`)).body;
      return view.armed.length === 1 ? view : undefined;
    });
    expect(first.pending.map((p: any) => p.reason)).toEqual(['canary_soak', 'canary_soak']);
    // An hour of soak, without waiting an hour: the canary armed an hour ago as far as the scheduler can tell.
    const db = new Database({ url: testDatabaseUrl(), schema: orch.options.schema });
    try {
      await db.pool.query(`update assignments set phase_since = phase_since - interval '1 hour' where watch_id = $1`, [watch.id]);
    } finally {
      await db.close();
    }
    await eventually('all armed', async () => (await api.watch(watch.id)).counts.armed === 3);
  });
});
