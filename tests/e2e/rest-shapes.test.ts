/**
 * The exact answers of the dashboard's read endpoints, from a real run with known hits:
 * GET /api/v1/stats/overview, GET /api/v1/watches/:id/hit-groups and the SSE stream
 * GET /api/v1/events (docs/contracts.md "Dashboard and stats"; packages/core/src/api).
 *
 * Hosts (labels; facts off so labels are only these):   hits of watch W1 (0x4000), W2 (0x5000)
 *   shape-a1  suite=shapes bios=2.1                       W1: 3, W2: 2
 *   shape-a2  suite=shapes bios=2.1                       W1: 1
 *   shape-b1  suite=shapes bios=1.5                       W1: 0   (also holds W3, stopped)
 *   shape-c1  suite=shapes (no bios)                      W1: 2
 *   shape-gone suite=away, stopped before the watches: offline
 */
import { corruptMemoryFile } from '@physwatch/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api';
import { EventStream } from '../support/event-stream';
import { eventually } from '../support/eventually';
import { Agent, Orchestrator } from '../support/stack';

const LABELS: Record<string, Record<string, string>> = {
  'shape-a1': { suite: 'shapes', bios: '2.1' },
  'shape-a2': { suite: 'shapes', bios: '2.1' },
  'shape-b1': { suite: 'shapes', bios: '1.5' },
  'shape-c1': { suite: 'shapes' },
  'shape-gone': { suite: 'away' },
};

let orch: Orchestrator;
let api: Api;
let events: EventStream;
const agents = new Map<string, Agent>();
const watch: Record<'w1' | 'w2' | 'w3', string> = { w1: '', w2: '', w3: '' };
const written = new Map<string, bigint>();
let startedAt: Date;

function startAgent(hostId: string, labels: Record<string, string>): Promise<Agent> {
  return Agent.start({ server: orch.grpcAddress, hostId, labels, extra: { facts: { enabled: false } } });
}

async function armed(watchId: string, count: number): Promise<void> {
  await eventually(`watch ${watchId} armed on ${count}`, async () => (await api.watch(watchId)).counts.armed === count);
}

/** One more hit of the watch at `paddr` on the host, waited for until stored. */
async function hit(hostId: string, watchId: string, paddr: bigint): Promise<void> {
  const before = (await api.allHits({ watch_id: watchId, host_id: hostId })).length;
  const key = `${hostId}@${paddr}`;
  const value = (written.get(key) ?? 0n) + 1n;
  written.set(key, value);
  await corruptMemoryFile(agents.get(hostId)!.memoryFile, paddr, 4, value);
  await eventually(`hit ${before + 1} of watch ${watchId} on ${hostId}`, async () => (await api.allHits({ watch_id: watchId, host_id: hostId })).length === before + 1);
}

const minute = (iso: string) => new Date(Math.floor(Date.parse(iso) / 60_000) * 60_000).toISOString();
const hour = (iso: string) => new Date(Math.floor(Date.parse(iso) / 3_600_000) * 3_600_000).toISOString();

/** The buckets the hits themselves imply: count per (bucket start of occurred_at, watch), by time then watch. */
function bucketsOf(hits: any[], bucketOf: (iso: string) => string): Array<{ t: string; watch_id: string; hits: number }> {
  const counts = new Map<string, number>();
  for (const h of hits) {
    const key = `${bucketOf(h.occurred_at)} ${h.watch_id}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([key, n]) => ({ t: key.split(' ')[0], watch_id: key.split(' ')[1], hits: n }))
    .sort((a, b) => a.t.localeCompare(b.t) || Number(a.watch_id) - Number(b.watch_id));
}

beforeAll(async () => {
  startedAt = new Date();
  orch = await Orchestrator.start();
  api = new Api(orch.url, orch.adminToken);
  events = await EventStream.open(`${orch.url}/api/v1/events`, orch.adminToken);
  for (const [hostId, labels] of Object.entries(LABELS)) agents.set(hostId, await startAgent(hostId, labels));
  await eventually('5 hosts online', async () => (await api.request('GET', '/api/v1/hosts')).body.items.filter((h: any) => h.online).length === 5);
  await agents.get('shape-gone')!.stop();
  await eventually('shape-gone offline', async () => (await api.host('shape-gone')).online === false);

  watch.w1 = (await api.createWatch({ target: { paddr: '0x4000' }, width: 4, condition: 'any_change', interval: '2ms', hosts: { selector: 'suite=shapes' } })).id;
  watch.w2 = (await api.createWatch({ target: { paddr: '0x5000' }, width: 4, condition: 'any_change', interval: '2ms', hosts: { ids: ['shape-a1'] } })).id;
  watch.w3 = (await api.createWatch({ target: { paddr: '0x6000' }, width: 4, condition: 'any_change', interval: '2ms', hosts: { ids: ['shape-b1'] } })).id;
  await armed(watch.w1, 4);
  await armed(watch.w2, 1);
  await armed(watch.w3, 1);
  await api.stopWatch(watch.w3);

  for (const hostId of ['shape-a1', 'shape-a1', 'shape-a1', 'shape-a2', 'shape-c1', 'shape-c1']) await hit(hostId, watch.w1, 0x4000n);
  for (let i = 0; i < 2; i++) await hit('shape-a1', watch.w2, 0x5000n);
}, 180_000);

afterAll(async () => {
  events?.close();
  for (const agent of agents.values()) {
    await agent.stop('SIGKILL');
    agent.removeState();
  }
  await orch?.stop();
});

describe('GET /api/v1/stats/overview', () => {
  it('answers the range, the bucket, each non-zero minute bucket per watch (as the stored hits imply), the total and the fleet counts', async () => {
    const since = new Date(Math.floor(startedAt.getTime() / 60_000) * 60_000 - 60_000).toISOString();
    const until = new Date(Date.now() + 60_000).toISOString();
    const hits = await api.allHits();
    expect(hits).toHaveLength(8);
    const res = await api.request('GET', `/api/v1/stats/overview?${new URLSearchParams({ since, until, bucket: '1m' })}`);
    expect(res).toEqual({
      status: 200,
      body: {
        since,
        until,
        bucket: '1m',
        bucket_seconds: 60,
        buckets: bucketsOf(hits, minute),
        hits_total: 8,
        watches_active: 2,
        hosts_online: 4,
        hosts_offline: 1,
      },
    });
    const perWatch = res.body.buckets.reduce((n: Record<string, number>, b: any) => ({ ...n, [b.watch_id]: (n[b.watch_id] ?? 0) + b.hits }), {});
    expect(perWatch).toEqual({ [watch.w1]: 6, [watch.w2]: 2 });
  });

  it('keeps one watch with watch_id, counting hourly buckets from the hourly rollup', async () => {
    const since = new Date(Math.floor(startedAt.getTime() / 3_600_000) * 3_600_000 - 3_600_000).toISOString();
    const until = new Date(Date.now() + 60_000).toISOString();
    const hits = await api.allHits({ watch_id: watch.w2 });
    const res = await api.request('GET', `/api/v1/stats/overview?${new URLSearchParams({ since, until, bucket: '1h', watch_id: watch.w2 })}`);
    expect(res.body).toEqual({
      since,
      until,
      bucket: '1h',
      bucket_seconds: 3600,
      buckets: bucketsOf(hits, hour),
      hits_total: 2,
      watches_active: 2,
      hosts_online: 4,
      hosts_offline: 1,
    });
  });

  it('defaults to the last 24 h in 1 h buckets', async () => {
    const res = await api.request('GET', '/api/v1/stats/overview');
    expect(res.status).toBe(200);
    const { since, until, ...rest } = res.body;
    expect(Date.parse(until) - Date.parse(since)).toBe(86_400_000);
    expect(Date.parse(until)).toBeGreaterThanOrEqual(Date.parse((await api.allHits())[0].occurred_at));
    expect(rest).toEqual({ bucket: '1h', bucket_seconds: 3600, buckets: bucketsOf(await api.allHits(), hour), hits_total: 8, watches_active: 2, hosts_online: 4, hosts_offline: 1 });
  });
});

describe('GET /api/v1/watches/:id/hit-groups', () => {
  it('groups the watch\'s hosts by a label, highest hit rate first (null for hosts without it), with each host and the label keys', async () => {
    const lastHit = async (hostId: string) => (await api.allHits({ watch_id: watch.w1, host_id: hostId }))[0].occurred_at;
    expect(await api.request('GET', `/api/v1/watches/${watch.w1}/hit-groups?by=bios`)).toEqual({
      status: 200,
      body: {
        watch_id: watch.w1,
        by: 'bios',
        groups: [
          { value: '2.1', hosts: 2, hit_hosts: 2, hits: 4, hit_rate: 1, hits_per_host: 2 },
          { value: null, hosts: 1, hit_hosts: 1, hits: 2, hit_rate: 1, hits_per_host: 2 },
          { value: '1.5', hosts: 1, hit_hosts: 0, hits: 0, hit_rate: 0, hits_per_host: 0 },
        ],
        hosts: [
          { host_id: 'shape-a1', value: '2.1', hits: 3, last_hit_at: await lastHit('shape-a1') },
          { host_id: 'shape-a2', value: '2.1', hits: 1, last_hit_at: await lastHit('shape-a2') },
          { host_id: 'shape-b1', value: '1.5', hits: 0, last_hit_at: null },
          { host_id: 'shape-c1', value: null, hits: 2, last_hit_at: await lastHit('shape-c1') },
        ],
        keys: ['bios', 'suite'],
      },
    });
  });

  it('by a label every host shares: one group of all four, a rate of 3 hit hosts in 4', async () => {
    const res = await api.request('GET', `/api/v1/watches/${watch.w1}/hit-groups?by=suite`);
    expect(res.body.groups).toEqual([{ value: 'shapes', hosts: 4, hit_hosts: 3, hits: 6, hit_rate: 0.75, hits_per_host: 1.5 }]);
    expect(res.body.hosts.map((h: any) => [h.host_id, h.value, h.hits])).toEqual([
      ['shape-a1', 'shapes', 3], ['shape-a2', 'shapes', 1], ['shape-b1', 'shapes', 0], ['shape-c1', 'shapes', 2],
    ]);
  });

  it('refuses a missing `by` naming it, and answers 404 for an unknown watch', async () => {
    expect(await api.request('GET', `/api/v1/watches/${watch.w1}/hit-groups`)).toEqual({
      status: 400,
      body: {
        error: 'invalid_query',
        message: 'by: required: a host label key such as dmi.bios.version',
        errors: [{ field: 'by', reason: 'required: a host label key such as dmi.bios.version' }],
      },
    });
    expect(await api.request('GET', '/api/v1/watches/999999/hit-groups?by=bios')).toEqual({
      status: 404,
      body: { error: 'not_found', message: 'watch 999999 does not exist' },
    });
  });
});

describe('GET /api/v1/events', () => {
  it('is an SSE stream that opens with its retry and a comment', () => {
    expect(events.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(events.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(events.preamble.startsWith('retry: 2000\n: connected\n\n')).toBe(true);
  });

  it('sends a hits event naming the watch and host and counting the hits', async () => {
    const from = events.mark;
    await hit('shape-a2', watch.w1, 0x4000n);
    // Hits stored close together share one event (the stream coalesces them), so an earlier
    // test's hit whose event was still on its way may be counted in it too.
    const event = await events.next((e) => e.kind === 'hits' && e.host_ids?.includes('shape-a2') === true, from);
    expect(Object.keys(event).sort()).toEqual(['count', 'host_ids', 'kind', 'watch_ids']);
    expect(event.watch_ids).toContain(watch.w1);
    expect(event.count).toBeGreaterThanOrEqual(1);
    expect(event.count).toBeLessThanOrEqual(event.host_ids.length * event.watch_ids.length);
  });

  it('sends a watch event naming the watch that changed', async () => {
    const from = events.mark;
    await api.request('POST', `/api/v1/watches/${watch.w2}/pause`);
    expect(await events.next((e) => e.kind === 'watch', from)).toEqual({ kind: 'watch', watch_ids: [watch.w2] });
  });

  it('sends a host event naming a host that connects', async () => {
    const from = events.mark;
    agents.set('shape-late', await startAgent('shape-late', { suite: 'late' }));
    expect(await events.next((e) => e.kind === 'host', from)).toEqual({ kind: 'host', host_ids: ['shape-late'] });
  });
});
