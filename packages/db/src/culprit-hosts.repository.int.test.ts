import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsRepository } from './stats.repository';
import { freshDatabase, hostFacts, newHit, SPEC, TestDatabase } from './test-helpers';

let t: TestDatabase;
let stats: StatsRepository;

beforeAll(async () => {
  t = await freshDatabase('culprits');
  stats = new StatsRepository(t.db.pool);
  await t.db.hosts.upsertConnected(hostFacts('a', { labels: { 'dmi.bios.version': '2.1.3', 'dmi.system.product': 'X-1000' } }), 'c');
  await t.db.hosts.upsertConnected(hostFacts('b', { labels: { 'dmi.bios.version': '2.0.9' } }), 'c');
  await t.db.hosts.setOperatorLabels('b', { rack: 'r7' });
  await t.db.hosts.upsertConnected(hostFacts('c', { labels: { 'dmi.bios.version': '2.0.9' } }), 'c');
});

afterAll(async () => {
  await t.drop();
});

describe('StatsRepository.culpritHosts', () => {
  it("gives a watch's placed hosts with every effective label and hits from the rollup", async () => {
    const watchId = (await t.db.watches.create({ name: null, spec: SPEC, expiresAt: null, maxHits: null })).id;
    const other = (await t.db.watches.create({ name: null, spec: SPEC, expiresAt: null, maxHits: null })).id;
    await t.db.assignments.assign(['a', 'b'].map((hostId) => ({ watchId, hostId })));
    await t.db.hits.insertBatch('a', 'boot-1', [newHit(1, watchId), newHit(2, watchId), newHit(3, other)]);
    // A hit stored from a host no longer assigned still counts it in.
    await t.db.hits.insertBatch('c', 'boot-1', [newHit(4, watchId)]);
    expect(await stats.culpritHosts({ watchId })).toEqual([
      { hostId: 'a', labels: { 'dmi.bios.version': '2.1.3', 'dmi.system.product': 'X-1000' }, hits: 2 },
      { hostId: 'b', labels: { 'dmi.bios.version': '2.0.9', rack: 'r7' }, hits: 0 },
      { hostId: 'c', labels: { 'dmi.bios.version': '2.0.9' }, hits: 1 },
    ]);
    expect(await stats.culpritHosts({ watchId: '999999' })).toEqual([]);
  });

  it("sums a hunt's hits over all its stage watches and includes every host it selected", async () => {
    const hunt = await t.db.hunts.create({ name: 'h', spec: {}, createdBy: null });
    await t.db.hunts.addHosts(hunt.id, ['a', 'b', 'c']);
    const stage0 = (await t.db.watches.create({ name: null, spec: SPEC, expiresAt: null, maxHits: null })).id;
    const stage1 = (await t.db.watches.create({ name: null, spec: SPEC, expiresAt: null, maxHits: null })).id;
    await t.db.hunts.tagWatch(stage0, hunt.id, 0);
    await t.db.hunts.tagWatch(stage1, hunt.id, 1);
    await t.db.assignments.assign([{ watchId: stage0, hostId: 'b' }, { watchId: stage1, hostId: 'a' }]);
    await t.db.hits.insertBatch('a', 'boot-1', [newHit(10, stage0), newHit(11, stage1), newHit(12, stage1)]);
    const rows = await stats.culpritHosts({ huntId: hunt.id });
    expect(rows.map((r) => [r.hostId, r.hits])).toEqual([['a', 3], ['b', 0], ['c', 0]]);
  });
});
