/**
 * The REST surface people and tools depend on: health, readiness, metrics, the OpenAPI
 * document, host listing, and hit listing with filters and cursor pagination.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, ApiResponse } from '../support/api';
import { eventually } from '../support/eventually';
import { corruptMemoryFile } from '@physwatch/agent';
import { Agent, Orchestrator } from '../support/stack';

let orch: Orchestrator;
let api: Api;
let agent: Agent;
let watchId: string;
const WRITES = 25;

beforeAll(async () => {
  orch = await Orchestrator.start();
  api = new Api(orch.url, orch.adminToken);
  agent = await Agent.start({ server: orch.grpcAddress, hostId: 'host-rest', labels: { rack: 'r7', 'bios.version': '1.0' } });
  const watch = await api.createWatch({ target: { paddr: '0x4000' }, width: 8, condition: 'any_change', interval: '1ms', hosts: { selector: 'rack=r7' } });
  watchId = watch.id;
  await eventually('armed', async () => (await api.watch(watchId)).assignments?.[0]?.phase === 'armed');
  for (let v = 1n; v <= BigInt(WRITES); v++) {
    await corruptMemoryFile(agent.memoryFile, 0x4000n, 8, v * 0x0101010101n);
    await eventually(`hit ${v}`, async () => (await api.allHits({ watch_id: watchId })).length === Number(v));
  }
});

afterAll(async () => {
  await agent?.stop('SIGKILL');
  agent?.removeState();
  await orch?.stop();
});

describe('REST API', () => {
  it('answers health, readiness and metrics', async () => {
    expect((await api.request('GET', '/healthz')).status).toBe(200);
    expect((await api.request('GET', '/readyz')).status).toBe(200);
    expect(await api.metric('physwatch_agents_connected')).toBe(1);
    expect(await api.metric('physwatch_hits_stored_total')).toBe(WRITES);
  });

  it('publishes an OpenAPI document describing its routes', async () => {
    const doc = (await api.request('GET', '/api/v1/openapi.json')).body;
    expect(doc.openapi).toMatch(/^3\./);
    for (const route of ['/api/v1/watches', '/api/v1/watches/{id}', '/api/v1/watches/{id}/stop', '/api/v1/hosts', '/api/v1/hits']) {
      expect(Object.keys(doc.paths)).toContain(route);
    }
  });

  it('lists the host online with its labels and per-watch state', async () => {
    const { items } = (await api.request('GET', '/api/v1/hosts')).body;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: 'host-rest', online: true, connected: true, labels: { rack: 'r7', 'bios.version': '1.0' } });
    expect(items[0].watches).toEqual([expect.objectContaining({ watch_id: watchId, phase: 'armed', resolved_paddr: '0x4000' })]);
    expect((await api.request('GET', '/api/v1/hosts/nope')).status).toBe(404);
  });

  it('pages through every hit exactly once, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiResponse = await api.request('GET', `/api/v1/hits?watch_id=${watchId}&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(7);
      seen.push(...res.body.items.map((h: any) => h.seq));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(WRITES / 7));
    expect(seen).toEqual(Array.from({ length: WRITES }, (_, i) => String(WRITES - i)));
  });

  it('filters hits by host and time range', async () => {
    const all = await api.allHits({ watch_id: watchId });
    const middle = all[Math.floor(all.length / 2)];
    const since = await api.allHits({ watch_id: watchId, since: middle.occurred_at });
    expect(since.every((h) => h.occurred_at >= middle.occurred_at)).toBe(true);
    expect(since.length).toBeGreaterThan(0);
    expect(since.length).toBeLessThan(all.length);
    const until = await api.allHits({ watch_id: watchId, until: middle.occurred_at });
    expect(until.every((h) => h.occurred_at <= middle.occurred_at)).toBe(true);
    expect(await api.allHits({ host_id: 'someone-else' })).toEqual([]);
  });

  it('refuses a bad query naming the parameter', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=5000', 'limit'],
      ['since=yesterday', 'since'],
      ['watch_id=abc', 'watch_id'],
      ['cursor=not-a-cursor', 'cursor'],
    ]) {
      const res = await api.request('GET', `/api/v1/hits?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error).toBe('invalid_query');
      expect(res.body.errors.map((e: any) => e.field)).toContain(field);
    }
  });

  it('answers 404 for an unknown watch', async () => {
    const res = await api.request('GET', '/api/v1/watches/999999');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });
});
