import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database';
import type { HitRow } from './hits.repository';
import { freshDatabase, hostFacts, newHit, SPEC, TestDatabase } from './test-helpers';

let t: TestDatabase;
let db: Database;
let watchA: string;
let watchB: string;

beforeAll(async () => {
  t = await freshDatabase('hits');
  db = t.db;
  await db.hosts.upsertConnected(hostFacts('h1'), 'c1');
  await db.hosts.upsertConnected(hostFacts('h2'), 'c2');
  watchA = (await db.watches.create({ name: 'a', spec: SPEC, expiresAt: null, maxHits: null })).id;
  watchB = (await db.watches.create({ name: 'b', spec: SPEC, expiresAt: null, maxHits: 3 })).id;
});

afterAll(async () => {
  await t.drop();
});

describe('HitsRepository.insertBatch', () => {
  it('stores a re-sent batch once and reports 0 new the second time', async () => {
    const batch = [1, 2, 3].map((seq) => newHit(seq, watchA, { oldValue: '18446744073709551615', paddr: '4503599627370495' }));
    const first = await db.hits.insertBatch('h1', 'boot-x', batch);
    expect(first).toMatchObject({ inserted: 3, duplicates: 0, unknownWatch: 0 });
    expect([...first.insertedByWatch]).toEqual([[watchA, 3]]);
    const again = await db.hits.insertBatch('h1', 'boot-x', batch);
    expect(again).toMatchObject({ inserted: 0, duplicates: 3, unknownWatch: 0 });
    expect(again.insertedByWatch.size).toBe(0);
    const rows = await db.hits.list({ hostId: 'h1', limit: 100 });
    expect(rows.filter((r) => r.bootId === 'boot-x').map((r) => r.seq)).toEqual(['3', '2', '1']);
    // u64 extremes survive the round trip as decimal strings
    expect(rows[0].oldValue).toBe('18446744073709551615');
    expect(rows[0].paddr).toBe('4503599627370495');
  });

  it('numbers per boot: the same seq in another boot or on another host is a new hit', async () => {
    const r1 = await db.hits.insertBatch('h1', 'boot-y', [newHit(1, watchA)]);
    const r2 = await db.hits.insertBatch('h2', 'boot-x', [newHit(1, watchA)]);
    expect([r1.inserted, r2.inserted]).toEqual([1, 1]);
  });

  it('counts a seq repeated inside one batch as a duplicate, and a hit for an unknown watch as unknown', async () => {
    const result = await db.hits.insertBatch('h2', 'boot-z', [newHit(7, watchB), newHit(7, watchB), newHit(8, '999999')]);
    expect(result).toMatchObject({ inserted: 1, duplicates: 1, unknownWatch: 1 });
  });

  it('stores the bracket and reads it back with its width; a hit without one reads null', async () => {
    const bracketed = newHit(1, watchA, { boottimeNs: '9223372036854775807', lastOldBoottimeNs: '9223372036825975807' });
    const result = await db.hits.insertBatch('h1', 'boot-bracket', [bracketed, newHit(2, watchA)]);
    expect(result.inserted).toBe(2);
    const [first, second] = await Promise.all(result.stored.map((s) => db.hits.get(s.id)));
    expect(first).toMatchObject({ boottimeNs: '9223372036854775807', lastOldBoottimeNs: '9223372036825975807', bracketNs: '28800000' });
    expect(second).toMatchObject({ lastOldBoottimeNs: null, bracketNs: null });
  });

  it('stores who wrote, its reason, the SMIs and the stack, and lists by writer; a hit that does not say reads null', async () => {
    const watch = (await db.watches.create({ name: 'writer', spec: SPEC, expiresAt: null, maxHits: null })).id;
    const stack = 'pw_chain_writer_store+0x1a/0x40[pw_chain_writer]\nvfs_write+0x2b4/0x3e0';
    const result = await db.hits.insertBatch('h1', 'boot-writer', [
      newHit(1, watch, { writer: 'cpu', smiCount: '9223372036854775807', stack }),
      newHit(2, watch, { writer: 'unknown', writerReason: 'no_slot' }),
      newHit(3, watch, { writer: 'no_cpu_via_kernel_map', smiCount: '0' }),
      newHit(4, watch),
    ]);
    const [cpu, unknown, noCpu, notSaid] = await Promise.all(result.stored.map((s) => db.hits.get(s.id)));
    expect(cpu).toMatchObject({ writer: 'cpu', writerReason: null, smiCount: '9223372036854775807', stack });
    expect(unknown).toMatchObject({ writer: 'unknown', writerReason: 'no_slot', smiCount: null });
    expect(noCpu).toMatchObject({ writer: 'no_cpu_via_kernel_map', smiCount: '0' });
    expect(notSaid).toMatchObject({ writer: null, writerReason: null, smiCount: null, stack: '' });
    const listed = await db.hits.list({ watchId: watch, writer: 'unknown', limit: 10 });
    expect(listed.map((h) => h.seq)).toEqual(['2']);
  });

  it('refuses a writer, reason or SMI count the table does not take (the agent limits refuse them first)', async () => {
    await expect(db.hits.insertBatch('h1', 'boot-bad-writer', [newHit(1, watchA, { writer: 'dma' as 'cpu' })])).rejects.toThrow(/hits_writer_check/);
    await expect(db.hits.insertBatch('h1', 'boot-bad-writer', [newHit(1, watchA, { writer: 'cpu', writerReason: 'no_slot' })])).rejects.toThrow(/hits_writer_reason_check/);
    await expect(db.hits.insertBatch('h1', 'boot-bad-writer', [newHit(1, watchA, { writer: 'cpu', smiCount: '-1' })])).rejects.toThrow(/hits_smi_count_check/);
  });

  it('refuses a last-old time of 0 or after the new one at the table too (the agent limits refuse them first)', async () => {
    await expect(db.hits.insertBatch('h1', 'boot-bad', [newHit(1, watchA, { lastOldBoottimeNs: '0' })])).rejects.toThrow(/hits_last_old_check/);
    await expect(db.hits.insertBatch('h1', 'boot-bad', [newHit(1, watchA, { boottimeNs: '5', lastOldBoottimeNs: '6' })])).rejects.toThrow(/hits_last_old_check/);
  });

  it('answers the median bracket of the last hits of a (watch, host) from hits_bracket_idx alone', async () => {
    const brackets = [5n, 1n, 9n, 3n, 7n];
    const batch = brackets.map((b, i) => newHit(i + 1, watchB, { boottimeNs: String(1_000_000n + BigInt(i)), lastOldBoottimeNs: String(1_000_000n + BigInt(i) - b) }));
    await db.hits.insertBatch('h1', 'boot-median', [...batch, newHit(9, watchB)]);
    const median = `select percentile_disc(0.5) within group (order by bracket) as m from (
        select boottime_ns - last_old_boottime_ns as bracket from hits
        where watch_id = $1 and host_id = 'h1' and last_old_boottime_ns is not null order by id desc limit 3) last`;
    const client = await db.pool.connect();
    try {
      const { rows } = await client.query<{ m: string }>(median, [watchB]);
      // The last three bracketed hits are 9, 3, 7: the hit without a bracket does not count.
      expect(rows[0].m).toBe('7');
      // A table this small would be read whole; the plan that matters is the one at scale.
      await client.query('set enable_seqscan = off');
      const plan = await client.query<{ 'QUERY PLAN': string }>(`explain ${median}`, [watchB]);
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index Only Scan using hits_bracket_idx/);
    } finally {
      await client.query('reset enable_seqscan');
      client.release();
    }
  });

  it('derives occurred_at from realtime_ns', async () => {
    const [row] = await db.hits.list({ hostId: 'h2', watchId: watchB, limit: 1 });
    expect(row.occurredAt.toISOString()).toBe('2026-01-01T00:00:07.000Z');
  });
});

describe('HitsRepository.list', () => {
  let all: HitRow[];

  beforeAll(async () => {
    const batch = Array.from({ length: 57 }, (_, i) => newHit(i + 1, i % 2 === 0 ? watchA : watchB));
    await db.hits.insertBatch('h2', 'boot-page', batch);
    all = await db.hits.list({ limit: 1000 });
  });

  it('pages with a keyset cursor and returns every row exactly once, newest first', async () => {
    const seen: string[] = [];
    let beforeId: string | undefined;
    for (;;) {
      const page = await db.hits.list({ limit: 10, beforeId });
      seen.push(...page.map((r) => r.id));
      if (page.length < 10) break;
      beforeId = page[page.length - 1].id;
    }
    expect(seen).toEqual(all.map((r) => r.id));
    expect(new Set(seen).size).toBe(seen.length);
    const ids = seen.map(BigInt);
    expect(ids.every((id, i) => i === 0 || id < ids[i - 1])).toBe(true);
  });

  it('filters by watch, host and time range, and the filters combine', async () => {
    const byWatch = await db.hits.list({ watchId: watchB, limit: 1000 });
    expect(byWatch.length).toBe(all.filter((r) => r.watchId === watchB).length);
    expect(byWatch.every((r) => r.watchId === watchB)).toBe(true);

    const byHost = await db.hits.list({ hostId: 'h1', limit: 1000 });
    expect(byHost.map((r) => r.hostId)).toEqual(all.filter((r) => r.hostId === 'h1').map((r) => r.hostId));

    // seconds 10..19 of 2026-01-01: since inclusive, until exclusive
    const since = new Date(Date.UTC(2026, 0, 1, 0, 0, 10));
    const until = new Date(Date.UTC(2026, 0, 1, 0, 0, 20));
    const inRange = await db.hits.list({ hostId: 'h2', since, until, limit: 1000 });
    const expected = all.filter((r) => r.hostId === 'h2' && r.occurredAt >= since && r.occurredAt < until);
    expect(inRange.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(inRange.length).toBeGreaterThan(0);

    const combined = await db.hits.list({ hostId: 'h2', watchId: watchA, since, until, limit: 1000 });
    expect(combined.map((r) => r.id)).toEqual(expected.filter((r) => r.watchId === watchA).map((r) => r.id));
  });

  it('counts per watch', async () => {
    const counts = await db.hits.countByWatch([watchA, watchB, '424242']);
    expect(counts.get(watchA)).toBe(all.filter((r) => r.watchId === watchA).length);
    expect(counts.get(watchB)).toBe(all.filter((r) => r.watchId === watchB).length);
    expect(counts.get('424242')).toBe(0);
  });

  it('knows when a watch reached its fleet-wide max_hits', async () => {
    expect(await db.watches.reachedMaxHits([watchA, watchB])).toEqual([watchB]);
  });
});
