import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database';
import { freshDatabase, hostFacts, newHit, SPEC, TestDatabase } from './test-helpers';
import type { NewVmcore } from './vmcores.repository';

let t: TestDatabase;
let db: Database;
let kdumpWatch: string;
let plainWatch: string;

beforeAll(async () => {
  t = await freshDatabase('kdump');
  db = t.db;
  await db.hosts.upsertConnected(hostFacts('k1', { labels: { rack: 'r1' } }), 'c1');
  await db.hosts.upsertConnected(hostFacts('k2', { labels: { rack: 'r2' } }), 'c2');
  kdumpWatch = (await db.watches.create({ name: 'kd', spec: { ...SPEC, kdump_on_hit: true }, expiresAt: null, maxHits: null })).id;
  plainWatch = (await db.watches.create({ name: 'plain', spec: SPEC, expiresAt: null, maxHits: null })).id;
});

afterAll(async () => {
  await t.drop();
});

function vmcore(overrides: Partial<NewVmcore> = {}): NewVmcore {
  return {
    hostId: 'k1',
    crashedBootId: 'boot-1',
    path: '/var/crash/202611261200/dump.202611261200',
    layout: 'kdump-tools',
    format: 'kdump-compressed',
    sizeBytes: '123456',
    sha256: 'ab'.repeat(32),
    dumpLevel: 31,
    crashTime: new Date('2026-11-26T12:00:00Z'),
    kernelRelease: '6.1.0',
    dmesgPath: '/var/crash/202611261200/dmesg.202611261200',
    dmesgExcerpt: 'Kernel panic',
    crashRequestId: null,
    ...overrides,
  };
}

describe('hits recovered from a crash dump', () => {
  it('a hit stored live with module_seq and recovered from the dump later is one row', async () => {
    const live = await db.hits.insertBatch('k1', 'boot-r', [newHit(1, plainWatch, { moduleSeq: '7' }), newHit(2, plainWatch, { moduleSeq: '8' })]);
    expect(live.inserted).toBe(2);
    const recovered = await db.hits.insertBatch(
      'k1',
      'boot-r',
      [newHit(1, plainWatch, { seq: null, moduleSeq: '7' }), newHit(3, plainWatch, { seq: null, moduleSeq: '9', action: 'panic' })],
      'vmcore',
    );
    expect(recovered).toMatchObject({ inserted: 1, duplicates: 1, unknownWatch: 0 });
    const rows = (await db.hits.list({ hostId: 'k1', limit: 100 })).filter((r) => r.bootId === 'boot-r');
    expect(rows.map((r) => [r.seq, r.moduleSeq, r.source])).toEqual([
      [null, '9', 'vmcore'],
      ['2', '8', 'agent'],
      ['1', '7', 'agent'],
    ]);
    // re-sent report: nothing new
    expect((await db.hits.insertBatch('k1', 'boot-r', [newHit(3, plainWatch, { seq: null, moduleSeq: '9' })], 'vmcore')).inserted).toBe(0);
    const found = await db.hits.findByModuleSeq('k1', 'boot-r', ['7', '9', '10']);
    expect(found.map((r) => r.moduleSeq)).toEqual(['7', '9']);
    expect(recovered.stored.map((s) => s.id)).toEqual([found[1].id]);
  });

  it('the same module_seq in another boot is another hit; an agent hit without seq is refused', async () => {
    expect((await db.hits.insertBatch('k1', 'boot-s', [newHit(1, plainWatch, { moduleSeq: '7' })])).inserted).toBe(1);
    await expect(db.hits.insertBatch('k1', 'boot-s', [newHit(9, plainWatch, { seq: null, moduleSeq: '70' })])).rejects.toThrow(/hits_seq_source_check/);
  });
});

describe('KdumpJobsRepository', () => {
  it('creates one job per (watch, host), only for kdump_on_hit watches', async () => {
    const batch = await db.hits.insertBatch('k1', 'boot-1', [newHit(1, kdumpWatch), newHit(2, plainWatch), newHit(3, kdumpWatch)]);
    const ids = batch.stored.map((s) => s.id);
    const created = await db.kdumpJobs.createForHits(ids, 60_000);
    expect(created).toEqual([{ id: `kdump-${ids[0]}`, hitId: ids[0] }]);
    // later hits of the same watch on the same host start none
    const more = await db.hits.insertBatch('k1', 'boot-1', [newHit(4, kdumpWatch)]);
    expect(await db.kdumpJobs.createForHits(more.stored.map((s) => s.id), 60_000)).toEqual([]);
    expect(await db.kdumpJobs.createForHits(ids, 60_000)).toEqual([]);
    // another host is another job
    const other = await db.hits.insertBatch('k2', 'boot-1', [newHit(1, kdumpWatch)]);
    expect(await db.kdumpJobs.createForHits(other.stored.map((s) => s.id), 60_000)).toHaveLength(1);

    const job = (await db.kdumpJobs.get(`kdump-${ids[0]}`))!;
    expect(job).toMatchObject({ hitId: ids[0], watchId: kdumpWatch, hostId: 'k1', state: 'queued', attempts: 0, triggeredAt: null });
    expect(job.deferUntil.getTime() - job.createdAt.getTime()).toBeGreaterThanOrEqual(59_000);
  });

  it('moves a job only from the states given, stamping what each state records', async () => {
    const [job] = await db.kdumpJobs.list({ hostId: 'k1', limit: 10 });
    expect(await db.kdumpJobs.advance(job.id, ['awaiting_reboot'], 'collecting')).toBeNull();
    const triggering = await db.kdumpJobs.advance(job.id, ['queued', 'deferred'], 'triggering', { bootBefore: 'boot-1' });
    expect(triggering).toMatchObject({ state: 'triggering', bootBefore: 'boot-1', attempts: 1 });
    expect(triggering!.triggeredAt).toBeInstanceOf(Date);
    // a second trigger of the same job finds it already moved
    expect(await db.kdumpJobs.advance(job.id, ['queued', 'deferred'], 'triggering', { bootBefore: 'boot-1' })).toBeNull();

    const usage = await db.kdumpJobs.budgetUsage(3_600_000);
    expect(usage).toEqual([{ id: job.id, hostId: 'k1', labels: { rack: 'r1' }, state: 'triggering', triggeredAt: triggering!.triggeredAt }]);

    await db.kdumpJobs.advance(job.id, ['triggering'], 'awaiting_reboot');
    const collecting = await db.kdumpJobs.advance(job.id, ['awaiting_reboot'], 'collecting', { bootAfter: 'boot-2' });
    expect(collecting).toMatchObject({ state: 'collecting', bootBefore: 'boot-1', bootAfter: 'boot-2' });
    expect(collecting!.rebootedAt).toBeInstanceOf(Date);
    expect((await db.kdumpJobs.listUnfinished()).map((r) => [r.id, r.state])).toContainEqual([job.id, 'collecting']);

    const { row } = await db.vmcores.insert(vmcore({ crashRequestId: job.id }));
    const done = await db.kdumpJobs.advance(job.id, ['collecting'], 'done', { vmcoreId: row.id });
    expect(done).toMatchObject({ state: 'done', vmcoreId: row.id });
    expect(done!.finishedAt).toBeInstanceOf(Date);
    expect((await db.kdumpJobs.listUnfinished()).map((r) => r.id)).not.toContain(job.id);
    // done but triggered within the hour: still counts against max_per_hour
    expect((await db.kdumpJobs.budgetUsage(3_600_000)).map((u) => [u.id, u.state])).toEqual([[job.id, 'done']]);
    expect(await db.kdumpJobs.list({ state: 'done', watchId: kdumpWatch, limit: 10 })).toHaveLength(1);
  });
});

describe('VmcoresRepository', () => {
  it('stores a dump once per (host, path) and finds it for its job by request id or crashed boot', async () => {
    const first = await db.vmcores.insert(vmcore({ hostId: 'k2', path: '/var/crash/k2-2026-11-26/vmcore', layout: 'rhel', crashRequestId: 'kdump-999' }));
    expect(first.created).toBe(true);
    const again = await db.vmcores.insert(vmcore({ hostId: 'k2', path: '/var/crash/k2-2026-11-26/vmcore', sha256: 'changed' }));
    expect(again).toMatchObject({ created: false, row: { id: first.row.id, sha256: 'ab'.repeat(32) } });

    expect((await db.vmcores.findForJob('k2', 'kdump-999', null))?.id).toBe(first.row.id);
    expect((await db.vmcores.findForJob('k2', 'kdump-1000', 'boot-1'))?.id).toBe(first.row.id);
    expect(await db.vmcores.findForJob('k2', 'kdump-1000', 'boot-9')).toBeNull();
    expect(await db.vmcores.findForJob('k1', 'kdump-999', null)).toBeNull();

    const [hit] = await db.hits.list({ hostId: 'k2', limit: 1 });
    const linked = await db.vmcores.link(first.row.id, { hitId: hit.id, watchId: hit.watchId, kdumpJobId: null });
    expect(linked).toMatchObject({ hitId: hit.id, watchId: hit.watchId, kdumpJobId: null, sizeBytes: '123456', dumpLevel: 31 });
    expect((await db.vmcores.list({ hitId: hit.id, limit: 10 })).map((v) => v.id)).toEqual([first.row.id]);
    expect((await db.vmcores.list({ hostId: 'k2', watchId: hit.watchId, limit: 10 })).map((v) => v.id)).toEqual([first.row.id]);
    expect(await db.vmcores.list({ hostId: 'k1', watchId: hit.watchId, limit: 10 })).toEqual([]);
  });
});
