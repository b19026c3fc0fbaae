/**
 * The spine end to end, with real processes: a watch created over REST reaches agents
 * over gRPC, memory corrupted from outside the watcher produces hits, and they land in
 * Postgres exactly once through agent crashes, orchestrator restarts and lost acks.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { eventually } from '../support/eventually';
import { corruptMemoryFile } from '@physwatch/agent';
import { Agent, Orchestrator } from '../support/stack';
import { TcpRelay } from '../support/tcp-relay';

const WATCHED = 0x2a0e000n;
const started: { stop(signal?: NodeJS.Signals): Promise<void> }[] = [];
const stateDirs: Agent[] = [];

async function orchestrator(): Promise<{ orch: Orchestrator; api: Api }> {
  const orch = await Orchestrator.start();
  started.push(orch);
  return { orch, api: new Api(orch.url, orch.adminToken) };
}

async function agent(server: string, hostId: string, labels: Record<string, string> = { suite: 'delivery' }, stateDir?: string): Promise<Agent> {
  const a = await Agent.start({ server, hostId, labels, stateDir });
  started.push(a);
  if (!stateDir) stateDirs.push(a);
  return a;
}

function anyChangeWatch(hosts: object, interval = '2ms') {
  return { target: { paddr: `0x${WATCHED.toString(16)}` }, width: 4, condition: 'any_change', interval, hosts };
}

async function armedOn(api: Api, watchId: string, hostIds: string[]): Promise<any> {
  return eventually(`watch ${watchId} armed on ${hostIds.join(', ')}`, async () => {
    const watch = await api.watch(watchId);
    const failed = watch.assignments?.find((h: any) => h.phase === 'failed');
    if (failed) throw new Error(`watch ${watchId} failed on ${failed.host_id}: ${failed.reason}`);
    const armed = watch.assignments?.filter((h: any) => h.phase === 'armed').map((h: any) => h.host_id) ?? [];
    return hostIds.every((id) => armed.includes(id)) ? watch : undefined;
  });
}

/** Seqs of one host's hits must be exactly 1..n: nothing lost, nothing stored twice. */
function expectContiguous(hits: any[]): void {
  const seqs = hits.map((h) => Number(h.seq)).sort((a, b) => a - b);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
}

afterEach(async () => {
  while (started.length) await started.pop()!.stop('SIGKILL');
});

afterAll(() => {
  for (const a of stateDirs) a.removeState();
});

describe('delivery', () => {
  it('a watch reaches every matching agent, hits carry old and new values, and stopping disarms it everywhere', async () => {
    const { orch, api } = await orchestrator();
    const a1 = await agent(orch.grpcAddress, 'host-a1', { rack: 'r12' });
    const a2 = await agent(orch.grpcAddress, 'host-a2', { rack: 'r12' });
    await agent(orch.grpcAddress, 'host-other', { rack: 'r99' });

    const watch = await api.createWatch({
      target: { paddr: `0x${WATCHED.toString(16)}` },
      width: 1,
      condition: 'equals',
      value: '0x33',
      interval: '5ms',
      hosts: { selector: 'rack=r12' },
    });
    const armed = await armedOn(api, watch.id, ['host-a1', 'host-a2']);
    expect(armed.assignments.map((h: any) => h.host_id).sort()).toEqual(['host-a1', 'host-a2']);
    expect(armed.assignments[0]).toMatchObject({ resolved_paddr: '0x2a0e000', memory_kind: 'ram' });

    await corruptMemoryFile(a1.memoryFile, WATCHED, 1, 0x33n);
    await corruptMemoryFile(a2.memoryFile, WATCHED, 1, 0x33n);
    const hits = await eventually('a hit from each host', async () => {
      const all = await api.allHits({ watch_id: watch.id });
      return all.length === 2 ? all : undefined;
    });
    for (const hit of hits) {
      expect(hit).toMatchObject({ watch_id: watch.id, seq: '1', paddr: '0x2a0e000', offset: 0, width: 1, old_value: '0x0', new_value: '0x33' });
    }
    expect(hits.map((h) => h.host_id).sort()).toEqual(['host-a1', 'host-a2']);

    await api.stopWatch(watch.id);
    for (const hostId of ['host-a1', 'host-a2']) {
      await eventually(`${hostId} no longer holds the watch`, async () => {
        const host = await api.host(hostId);
        const entry = host.watches.find((w: any) => w.watch_id === watch.id);
        return host.applied_generation === host.desired_generation && (!entry || entry.phase === 'removed');
      });
    }
    // A disarmed watch sees nothing: a change now and a later marker change on a live
    // watch prove the agent looked after the first write.
    await corruptMemoryFile(a1.memoryFile, WATCHED, 1, 0x0n);
    await corruptMemoryFile(a1.memoryFile, WATCHED, 1, 0x33n);
    const marker = await api.createWatch({ ...anyChangeWatch({ ids: ['host-a1'] }), target: { paddr: '0x1000' } });
    await armedOn(api, marker.id, ['host-a1']);
    await corruptMemoryFile(a1.memoryFile, 0x1000n, 4, 7n);
    await eventually('the marker hit', async () => (await api.allHits({ watch_id: marker.id })).length === 1);
    expect(await api.allHits({ watch_id: watch.id })).toHaveLength(2);
  });

  it('an agent killed with -9 between hit and ack re-sends after restart, and each hit is stored once', async () => {
    const { orch, api } = await orchestrator();
    const proxy = await TcpRelay.start(orch.options.grpcPort);
    started.push({ stop: () => proxy.close() });
    const first = await agent(proxy.address, 'host-k9');
    const watch = await api.createWatch(anyChangeWatch({ ids: ['host-k9'] }, '1ms'));
    await armedOn(api, watch.id, ['host-k9']);

    proxy.holdDownstream('drop'); // from here on the orchestrator stores hits but no ack arrives
    for (let v = 1n; v <= 5n; v++) {
      await corruptMemoryFile(first.memoryFile, WATCHED, 4, v);
      await eventually(`hit ${v} stored`, async () => (await api.allHits({ host_id: 'host-k9' })).length === Number(v));
    }
    const duplicatesBefore = await api.metric('physwatch_hits_duplicate_total');
    await first.stop('SIGKILL');
    proxy.dropConnections();
    proxy.release();

    const second = await agent(proxy.address, 'host-k9', { suite: 'delivery' }, first.stateDir);
    await eventually('the 5 unacked hits re-sent and recognised', async () =>
      (await api.metric('physwatch_hits_duplicate_total')) - duplicatesBefore >= 5,
    );
    await corruptMemoryFile(second.memoryFile, WATCHED, 4, 6n);
    const hits = await eventually('the hit after restart', async () => {
      const all = await api.allHits({ host_id: 'host-k9' });
      return all.length === 6 ? all : undefined;
    });
    expectContiguous(hits);
    const bySeq = new Map(hits.map((h) => [Number(h.seq), h]));
    expect(bySeq.get(6)).toMatchObject({ old_value: '0x5', new_value: '0x6' });
    expect(new Set(hits.map((h) => h.boot_id)).size).toBe(1);
  });

  it('an orchestrator killed with -9 before its acks arrive gets the unacked hits again after restart (its duplicate count shows the re-send), loses none, and stores each once', async () => {
    const { orch, api } = await orchestrator();
    const relay = await TcpRelay.start(orch.options.grpcPort);
    started.push({ stop: () => relay.close() });
    const agents = [await agent(relay.address, 'host-r1'), await agent(relay.address, 'host-r2')];
    const watch = await api.createWatch(anyChangeWatch({ selector: 'suite=delivery' }));
    await armedOn(api, watch.id, ['host-r1', 'host-r2']);

    let value = 0n;
    /** One more value on every host, written once each agent spooled the one before (a value overwritten too soon is never seen). */
    const write = async () => {
      value++;
      for (const a of agents) await corruptMemoryFile(a.memoryFile, WATCHED, 4, value);
      for (const a of agents) await a.child.waitForLog((l) => l.msg === 'hit spooled' && l.watchId === watch.id && l.new === String(value));
    };
    const ackedUpTo = (seq: number) =>
      Promise.all(agents.map((a) => a.child.waitForLog((l) => l.msg === 'hits acked' && String(l.seq) === String(seq) && l.unacked === 0)));

    for (let i = 0; i < 10; i++) await write();
    await ackedUpTo(10);
    // Stored but never acked: the agents must send 11..13 again to whoever answers next.
    relay.holdDownstream('drop');
    for (let i = 0; i < 3; i++) {
      await write();
      await eventually(`hit ${value} stored for both hosts`, async () =>
        (await Promise.all(['host-r1', 'host-r2'].map((id) => api.allHits({ host_id: id })))).every((hits) => hits.length === Number(value)),
      );
    }
    await orch.stop('SIGKILL');
    relay.dropConnections();
    relay.release();
    for (let i = 0; i < 10; i++) await write(); // hits while no orchestrator is up wait in the agents' spools
    await orch.spawn();
    for (let i = 0; i < 10; i++) await write();
    await ackedUpTo(33);

    for (const hostId of ['host-r1', 'host-r2']) {
      const hits = await api.allHits({ host_id: hostId });
      expect(hits).toHaveLength(33);
      expectContiguous(hits);
      expect(hits.map((h) => BigInt(h.new_value)).sort((x, y) => (x < y ? -1 : 1))).toEqual(Array.from({ length: 33 }, (_, i) => BigInt(i + 1)));
      // The restarted process saw exactly the 3 unacked hits again, as duplicates.
      const batches = orch.child.lines.filter((l) => l.msg === 'hit batch stored' && l.hostId === hostId);
      expect(batches.reduce((sum, l) => sum + Number(l.duplicates), 0), hostId).toBe(3);
      expect(batches.reduce((sum, l) => sum + Number(l.inserted), 0), hostId).toBe(20);
      const host = await eventually(`${hostId} reconnected and applied its desired state`, async () => {
        const h = await api.host(hostId);
        return h.connected && h.applied_generation === h.desired_generation ? h : undefined;
      });
      expect(host.watches.find((w: any) => w.watch_id === watch.id)).toMatchObject({ phase: 'armed' });
    }
    expect(await api.metric('physwatch_hits_duplicate_total')).toBe(6);
  });
});
