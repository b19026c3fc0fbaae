import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database';
import { freshDatabase, hostFacts, TestDatabase } from './test-helpers';

let t: TestDatabase;
let db: Database;
let huntId: string;
let watchIds: string[];

beforeAll(async () => {
  t = await freshDatabase('hunts');
  db = t.db;
  for (const id of ['a', 'b', 'c']) await db.hosts.upsertConnected(hostFacts(id, { labels: { bios: id === 'c' ? 'v1' : 'v2' } }), 'c');
  huntId = (await db.hunts.create({ name: 'h', spec: { stages: [] }, createdBy: 'admin' })).id;
  watchIds = [];
  for (const stage of [0, 1]) {
    const w = await db.watches.create({ name: null, spec: { hosts: { ids: ['a', 'b'] } }, expiresAt: null, maxHits: null });
    await db.hunts.tagWatch(w.id, huntId, stage);
    watchIds.push(w.id);
  }
});

afterAll(async () => {
  await t.drop();
});

async function insertHit(hostId: string, watchId: string, seq: number, boottime: number, lastOld: number | null): Promise<void> {
  await db.pool.query(
    `insert into hits (host_id, boot_id, seq, watch_id, occurred_at, realtime_ns, boottime_ns, last_old_boottime_ns, cpu, paddr, "offset", width, old_value, new_value, pid, comm, ip, action)
     values ($1, 'boot-1', $2, $3, now(), 0, $4, $5, 0, 8192, 0, 1, 0, 51, 1, 'x', 'ip', 'report')`,
    [hostId, seq, watchId, boottime, lastOld],
  );
}

describe('HuntsRepository', () => {
  it('adds selected hosts at stage 0 once, with their labels', async () => {
    expect(await db.hunts.addHosts(huntId, ['a', 'b', 'c'])).toBe(3);
    expect(await db.hunts.addHosts(huntId, ['a', 'b'])).toBe(0);
    const hosts = await db.hunts.listHosts(huntId);
    expect(hosts.map((h) => [h.hostId, h.stage, h.held, h.labels.bios])).toEqual([['a', 0, false, 'v2'], ['b', 0, false, 'v2'], ['c', 0, false, 'v1']]);
  });

  it('makes a transition exactly once when many passes race for it, and never from a stage the host has left', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => db.hunts.transition(huntId, 'a', 0, 'race', 'engine')));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await db.hunts.transition(huntId, 'a', 0, 'again', 'engine')).toBe(false);
    expect(await db.hunts.transition(huntId, 'a', 2, 'skip', 'engine')).toBe(false);
    const transitions = await db.hunts.transitions(huntId);
    expect(transitions.map((x) => [x.hostId, x.fromStage, x.toStage, x.reason])).toEqual([['a', 0, 1, 'race']]);
    expect((await db.hunts.listHosts(huntId)).find((h) => h.hostId === 'a')!.stage).toBe(1);
  });

  it('refuses a second transitions row for the same (hunt, host, from_stage) and a skip, at the schema', async () => {
    await expect(db.pool.query(`insert into hunt_transitions (hunt_id, host_id, from_stage, to_stage, reason, actor) values ($1, 'a', 0, 1, 'dup', 'x')`, [huntId])).rejects.toThrow(/unique/);
    await expect(db.pool.query(`insert into hunt_transitions (hunt_id, host_id, from_stage, to_stage, reason, actor) values ($1, 'b', 0, 2, 'skip', 'x')`, [huntId])).rejects.toThrow(/check/);
  });

  it('counts hits per host and stage, with the newest brackets first', async () => {
    await insertHit('a', watchIds[0], 1, 1_000_000, 970_000);
    await insertHit('a', watchIds[1], 2, 2_000_000, 1_999_000);
    await insertHit('a', watchIds[1], 3, 3_000_000, 2_999_500);
    await insertHit('a', watchIds[1], 4, 4_000_000, null);
    // a stands at stage 1: its stages 1 and 0 are read.
    const stats = await db.hunts.hitStats(huntId, { countCap: 100, brackets: 10 });
    expect(stats).toEqual([
      { hostId: 'a', stage: 0, count: 1, brackets: [30_000] },
      { hostId: 'a', stage: 1, count: 3, brackets: [500, 1000] },
    ]);
    expect(await db.hunts.hitStats(huntId, { countCap: 2, brackets: 1 })).toEqual([
      { hostId: 'a', stage: 0, count: 1, brackets: [30_000] },
      { hostId: 'a', stage: 1, count: 2, brackets: [500] },
    ]);
  });

  it('reads the stage watches\' host ids and the poll cost of the host\'s current stage', async () => {
    expect(await db.hunts.stageWatches(huntId)).toEqual([
      { watchId: watchIds[0], stage: 0, hostIds: ['a', 'b'] },
      { watchId: watchIds[1], stage: 1, hostIds: ['a', 'b'] },
    ]);
    await db.assignments.assign([{ watchId: watchIds[1], hostId: 'a' }]);
    await db.pool.query(`update assignments set poll_ns_avg = 1500 where watch_id = $1 and host_id = 'a'`, [watchIds[1]]);
    expect((await db.hunts.listHosts(huntId)).find((h) => h.hostId === 'a')!.pollNsAvg).toBe(1500);
    expect(await db.hunts.setStageWatchSpec(watchIds[0], { hosts: { ids: ['b'] } })).toBe(true);
    expect((await db.hunts.stageWatches(huntId))[0].hostIds).toEqual(['b']);
  });

  it("reads the poll cost of the hosts' other armed timer watches, never the hunt's own", async () => {
    const other = await db.watches.create({ name: 'other', spec: { interval: '2ms', hosts: { ids: ['a', 'c'] } }, expiresAt: null, maxHits: null });
    const ftrace = await db.watches.create({ name: 'ftrace', spec: { mode: 'ftrace', hosts: { ids: ['a'] } }, expiresAt: null, maxHits: null });
    // A stage watch of the hunt itself, armed and measured: not "other".
    const own = await db.watches.create({ name: null, spec: { interval: '1ms', hosts: { ids: ['b'] } }, expiresAt: null, maxHits: null });
    await db.hunts.tagWatch(own.id, huntId, 2);
    await db.assignments.assign([{ watchId: other.id, hostId: 'a' }, { watchId: other.id, hostId: 'c' }, { watchId: ftrace.id, hostId: 'a' }, { watchId: own.id, hostId: 'b' }]);
    await db.assignments.recordStates('b', '50', [{ watchId: own.id, phase: 'armed', resolvedPaddr: '4096', memoryKind: 'ram', reason: '', pollNsAvg: '5000' }]);
    const state = (watchId: string, pollNsAvg: string | null, phase: 'armed' | 'failed' = 'armed') => ({ watchId, phase, resolvedPaddr: '4096', memoryKind: 'ram' as const, reason: '', pollNsAvg });
    await db.assignments.recordStates('a', '50', [state(other.id, '3000'), state(ftrace.id, '900')]);
    await db.assignments.recordStates('c', '50', [state(other.id, '700', 'failed')]);
    expect(await db.hunts.otherWatchCosts(huntId)).toEqual([{ hostId: 'a', pollNsAvg: 3000, interval: '2ms' }]);
    await db.watches.end(other.id, 'stopped');
    await db.watches.end(own.id, 'stopped');
    expect(await db.hunts.otherWatchCosts(huntId)).toEqual([]);
  });

  it('keeps a budget hold once per host and stage, and shows events and transitions as one timeline', async () => {
    expect(await db.hunts.addEvent({ huntId, kind: 'budget_held', hostId: 'b', stage: 0, message: 'over budget', actor: 'engine' })).toBe(true);
    expect(await db.hunts.addEvent({ huntId, kind: 'budget_held', hostId: 'b', stage: 0, message: 'over budget', actor: 'engine' })).toBe(false);
    await db.hunts.addEvent({ huntId, kind: 'paused', message: 'paused by admin', actor: 'admin' });
    const timeline = await db.hunts.timeline(huntId);
    expect(timeline.map((e) => e.kind)).toEqual(['transition', 'budget_held', 'paused']);
    expect(timeline[0]).toMatchObject({ hostId: 'a', fromStage: 0, toStage: 1, actor: 'engine' });
  });

  it('moves state only from the states it expects, and holds hosts', async () => {
    expect(await db.hunts.setState(huntId, ['active'], 'paused')).toBe(true);
    expect(await db.hunts.setState(huntId, ['active'], 'paused')).toBe(false);
    expect(await db.hunts.setHostsHeld(huntId, ['b', 'c', 'zz'], true)).toEqual(['b', 'c']);
    expect(await db.hunts.setHostsHeld(huntId, ['b'], true)).toEqual([]);
    expect(await db.hunts.setState(huntId, ['active', 'paused'], 'stopped')).toBe(true);
    expect(await db.hunts.get(huntId)).toMatchObject({ state: 'stopped', endedAt: expect.any(Date) });
    expect((await db.hunts.listLive()).map((h) => h.id)).not.toContain(huntId);
  });
});

describe('poll cost from watch states', () => {
  it('stores poll_ns_avg with the state and keeps the last measure when a report has none', async () => {
    const w = await db.watches.create({ name: null, spec: {}, expiresAt: null, maxHits: null });
    await db.assignments.assign([{ watchId: w.id, hostId: 'c' }]);
    const state = { watchId: w.id, phase: 'armed' as const, resolvedPaddr: '8192', memoryKind: 'ram' as const, reason: '' };
    await db.assignments.recordStates('c', '1', [{ ...state, pollNsAvg: '900' }]);
    await db.assignments.recordStates('c', '2', [{ ...state, pollNsAvg: null }]);
    const { rows } = await db.pool.query(`select poll_ns_avg::text as p from assignments where watch_id = $1 and host_id = 'c'`, [w.id]);
    expect(rows).toEqual([{ p: '900' }]);
  });
});
