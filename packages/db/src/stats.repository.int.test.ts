import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Listener } from './notify';
import { StatsRepository } from './stats.repository';
import { freshDatabase, hostFacts, newHit, SPEC, TestDatabase } from './test-helpers';

let t: TestDatabase;
let stats: StatsRepository;
let watchId: string;

beforeAll(async () => {
  t = await freshDatabase('stats');
  stats = new StatsRepository(t.db.pool);
  await t.db.hosts.upsertConnected(hostFacts('a', { labels: { 'dmi.bios.version': '1.2' } }), 'c');
  await t.db.hosts.upsertConnected(hostFacts('b', { labels: { 'dmi.bios.version': '1.2' } }), 'c');
  await t.db.hosts.upsertConnected(hostFacts('c', { labels: { 'dmi.bios.version': '2.0' } }), 'c');
  await t.db.hosts.upsertConnected(hostFacts('d'), 'c');
  watchId = (await t.db.watches.create({ name: null, spec: SPEC, expiresAt: null, maxHits: null })).id;
  await t.db.assignments.assign(['a', 'b', 'c', 'd'].map((hostId) => ({ watchId, hostId })));
});

afterAll(async () => {
  await t.drop();
});

describe('StatsRepository', () => {
  it('counts each stored hit once in the rollups, re-sent batches included', async () => {
    // seq N occurs N seconds after 2026-01-01T00:00Z: 1..90 span two minutes, 3601 the next hour.
    const batch = [...Array(90).keys()].map((i) => newHit(i + 1, watchId));
    await t.db.hits.insertBatch('a', 'boot-1', batch);
    await t.db.hits.insertBatch('a', 'boot-1', batch);
    await t.db.hits.insertBatch('b', 'boot-1', [newHit(3601, watchId)]);

    const since = new Date('2026-01-01T00:00:00Z');
    const until = new Date('2026-01-01T02:00:00Z');
    const minutes = await stats.hitBuckets({ since, until, bucketSeconds: 60, watchId });
    expect(minutes.map((b) => [b.t.toISOString(), b.hits])).toEqual([
      ['2026-01-01T00:00:00.000Z', 59],
      ['2026-01-01T00:01:00.000Z', 31],
      ['2026-01-01T01:00:00.000Z', 1],
    ]);
    const hours = await stats.hitBuckets({ since: new Date('2026-01-01T00:30:00Z'), until, bucketSeconds: 3600 });
    expect(hours.map((b) => [b.t.toISOString(), b.watchId, b.hits])).toEqual([
      ['2026-01-01T00:00:00.000Z', watchId, 90],
      ['2026-01-01T01:00:00.000Z', watchId, 1],
    ]);
  });

  it('lists every placed host with its label value and hits of the watch', async () => {
    const rows = await stats.watchHostHits(watchId, 'dmi.bios.version');
    expect(rows.map((r) => [r.hostId, r.value, r.hits])).toEqual([
      ['a', '1.2', 90],
      ['b', '1.2', 1],
      ['c', '2.0', 0],
      ['d', null, 0],
    ]);
    expect(rows[0].lastHitAt?.toISOString()).toBe('2026-01-01T00:01:30.000Z');
    expect(await stats.watchLabelKeys(watchId)).toEqual(['dmi.bios.version']);
  });

  it('counts active watches and hosts online/offline', async () => {
    await t.db.hosts.markDisconnected('d', 'c');
    expect(await stats.fleetCounts(30_000)).toEqual({ watchesActive: 1, hostsOnline: 3, hostsOffline: 1 });
  });

  it('announces stored hits, watch and host changes on the schema events channel', async () => {
    const events: unknown[] = [];
    const listener = new Listener({ url: t.url, channel: `physwatch_events_${t.schema}`.slice(0, 63), onNotification: (p) => events.push(JSON.parse(p)) });
    await listener.start();
    try {
      await t.db.hits.insertBatch('c', 'boot-1', [newHit(1, watchId), newHit(2, watchId)]);
      await t.db.hits.insertBatch('c', 'boot-1', [newHit(1, watchId)]);
      await t.db.hosts.touchHeartbeat('c', '1');
      await t.db.hosts.upsertConnected(hostFacts('c', { labels: { 'dmi.bios.version': '2.1' } }), 'c2');
      await t.db.watches.end(watchId, 'stopped');
      // Notifications arrive in commit order: once the last change's is here, any the
      // heartbeat or the repeated insert had sent would be here too.
      await expect.poll(() => events.some((e) => (e as { kind: string }).kind === 'watch'), { timeout: 5000 }).toBe(true);
    } finally {
      await listener.close();
    }
    expect(events).toEqual([
      { kind: 'hits', count: 2, watch_ids: [watchId], host_ids: ['c'] },
      { kind: 'host', host_ids: ['c'] },
      { kind: 'watch', watch_ids: [watchId] },
    ]);
  });
});
