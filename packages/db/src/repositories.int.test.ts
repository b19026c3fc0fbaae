import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database';
import { freshDatabase, hostFacts, SPEC, TestDatabase } from './test-helpers';

let t: TestDatabase;
let db: Database;

beforeAll(async () => {
  t = await freshDatabase('repo');
  db = t.db;
});

afterAll(async () => {
  await t.drop();
});

describe('HostsRepository', () => {
  it('upserts on Hello, and only the stream that holds the host can mark it disconnected', async () => {
    await db.hosts.upsertConnected(hostFacts('n1', { labels: { rack: 'r1' } }), 'old');
    await db.hosts.upsertConnected(hostFacts('n1', { labels: { rack: 'r2' }, bootId: 'boot-2' }), 'new');
    expect(await db.hosts.markDisconnected('n1', 'old')).toBe(false);
    const host = await db.hosts.get('n1', 30_000);
    expect(host).toMatchObject({ id: 'n1', connected: true, online: true, bootId: 'boot-2', labels: { rack: 'r2' } });
    expect(await db.hosts.markDisconnected('n1', 'new')).toBe(true);
    expect(await db.hosts.get('n1', 30_000)).toMatchObject({ connected: false, online: false });
  });

  it('computes online from last_seen_at against the grace it is given', async () => {
    await db.hosts.upsertConnected(hostFacts('n2'), 'c');
    await t.db.pool.query(`update hosts set last_seen_at = now() - interval '10 seconds' where id = 'n2'`);
    expect((await db.hosts.get('n2', 60_000))!.online).toBe(true);
    expect((await db.hosts.get('n2', 5_000))!.online).toBe(false);
    await db.hosts.touchHeartbeat('n2', '4');
    expect(await db.hosts.get('n2', 5_000)).toMatchObject({ online: true, appliedGeneration: '4' });
  });

  it('bumps the desired generation of many hosts in one call', async () => {
    const before = await db.hosts.list(30_000);
    const bumped = await db.hosts.bumpDesiredGeneration(['n1', 'n2', 'missing']);
    expect([...bumped.keys()].sort()).toEqual(['n1', 'n2']);
    for (const host of before) expect(bumped.get(host.id)).toBe(String(BigInt(host.desiredGeneration) + 1n));
  });

  it('keeps reported and operator labels apart; the operator wins a shared key where placement reads them', async () => {
    await db.hosts.setOperatorLabels('n3', { env: 'prod', rack: 'r9' }, 'n3.example');
    // Known before its first Hello (enrollment): never connected, no boot, labels in place.
    expect(await db.hosts.get('n3', 30_000)).toMatchObject({ hostname: 'n3.example', bootId: '', connected: false, labels: { env: 'prod', rack: 'r9' } });
    const merged = await db.hosts.upsertConnected(hostFacts('n3', { labels: { rack: 'r1', cpu: 'x' } }), 'c');
    expect(merged.labels).toEqual({ env: 'prod', rack: 'r9', cpu: 'x' });
    expect(await db.hosts.get('n3', 30_000)).toMatchObject({
      labels: { env: 'prod', rack: 'r9', cpu: 'x' },
      reportedLabels: { rack: 'r1', cpu: 'x' },
      operatorLabels: { env: 'prod', rack: 'r9' },
    });
    expect((await db.hosts.listSchedulable(30_000)).find((h) => h.id === 'n3')?.labels).toEqual({ env: 'prod', rack: 'r9', cpu: 'x' });
    expect((await db.hosts.listLabels()).find((h) => h.id === 'n3')?.labels.rack).toBe('r9');
    await db.hosts.setOperatorLabels('n3', {});
    expect((await db.hosts.get('n3', 30_000))!.labels).toEqual({ rack: 'r1', cpu: 'x' });
  });

  it('remembers every boot a host announced, and only for that host', async () => {
    await db.hosts.upsertConnected(hostFacts('n4', { bootId: 'boot-a' }), 'c');
    await db.hosts.upsertConnected(hostFacts('n4', { bootId: 'boot-c', spooledBootIds: ['boot-b'] }), 'c');
    expect([...(await db.hosts.announcedBoots('n4', ['boot-a', 'boot-b', 'boot-c', 'boot-z']))].sort()).toEqual(['boot-a', 'boot-b', 'boot-c']);
    expect((await db.hosts.announcedBoots('n1', ['boot-a'])).size).toBe(0);
  });
});

describe('WatchesRepository and AssignmentsRepository', () => {
  it('places a watch, reports states per generation, counts, and removes it on end', async () => {
    await db.hosts.upsertConnected(hostFacts('p1'), 'c');
    await db.hosts.upsertConnected(hostFacts('p2'), 'c');
    const watch = await db.watches.create({ name: 'zp', spec: SPEC, expiresAt: null, maxHits: null });
    expect(watch).toMatchObject({ state: 'active', endedAt: null, spec: SPEC });

    expect(await db.assignments.assign([{ watchId: watch.id, hostId: 'p1' }, { watchId: watch.id, hostId: 'p2' }])).toEqual(['p1', 'p2']);
    // placing again changes nothing
    expect(await db.assignments.assign([{ watchId: watch.id, hostId: 'p1' }])).toEqual([]);
    expect((await db.assignments.desiredWatches('p1')).map((w) => w.id)).toEqual([watch.id]);
    expect([...(await db.assignments.everPlaced('p1', [watch.id, '999999']))]).toEqual([watch.id]);

    // Placed 2 s ago: the report that arms it says so (the arm-latency histogram's input).
    await db.pool.query(`update assignments set phase_since = now() - interval '2 seconds' where watch_id = $1 and host_id = 'p1'`, [watch.id]);
    const armed = await db.assignments.recordStates('p1', '2', [
      { watchId: watch.id, phase: 'armed', resolvedPaddr: '44097536', memoryKind: 'ram', reason: '' },
    ]);
    expect(armed.updated).toBe(1);
    expect(armed.armedAfterSeconds).toHaveLength(1);
    expect(armed.armedAfterSeconds[0]).toBeGreaterThanOrEqual(2);
    expect(armed.armedAfterSeconds[0]).toBeLessThan(3600);
    // Armed again (a later generation) or failed: no placement was armed by that report.
    expect(await db.assignments.recordStates('p1', '3', [{ watchId: watch.id, phase: 'armed', resolvedPaddr: '44097536', memoryKind: 'ram', reason: '' }])).toEqual({ updated: 1, armedAfterSeconds: [] });
    expect(await db.assignments.recordStates('p2', '2', [
      { watchId: watch.id, phase: 'failed', resolvedPaddr: null, memoryKind: null, reason: 'symbol not found' },
    ])).toEqual({ updated: 1, armedAfterSeconds: [] });
    // a late report for an older generation does not overwrite a newer one
    expect(await db.assignments.recordStates('p1', '1', [
      { watchId: watch.id, phase: 'failed', resolvedPaddr: null, memoryKind: null, reason: 'stale' },
    ])).toEqual({ updated: 0, armedAfterSeconds: [] });
    const rows = await db.assignments.listForWatch(watch.id);
    expect(rows.map((r) => [r.hostId, r.phase, r.resolvedPaddr, r.memoryKind, r.reason])).toEqual([
      ['p1', 'armed', '44097536', 'ram', ''],
      ['p2', 'failed', null, null, 'symbol not found'],
    ]);
    expect((await db.assignments.countsByWatch([watch.id])).get(watch.id)).toEqual({ pending: 0, armed: 1, failed: 1, disarmed: 0 });

    expect(await db.watches.end(watch.id, 'stopped')).toBe(true);
    expect(await db.watches.end(watch.id, 'expired')).toBe(false);
    expect(await db.assignments.markRemoved(watch.id)).toEqual(['p1', 'p2']);
    // Ended is still history: a hit of it sent late by a host it ran on is that host's.
    expect([...(await db.assignments.everPlaced('p2', [watch.id]))]).toEqual([watch.id]);
    expect(await db.assignments.desiredWatches('p1')).toEqual([]);
    expect(await db.assignments.hostsOfWatch(watch.id)).toEqual(['p1', 'p2']);
    expect((await db.watches.get(watch.id))!.state).toBe('stopped');
    expect((await db.watches.list('active')).map((w) => w.id)).not.toContain(watch.id);
    expect((await db.watches.list('stopped')).map((w) => w.id)).toContain(watch.id);
  });

  it('commits a transaction as a whole or not at all', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.watches.create({ name: 'rolled-back', spec: SPEC, expiresAt: null, maxHits: null });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await db.watches.list()).map((w) => w.name)).not.toContain('rolled-back');
  });
});
