import type { HitWriter } from '@physwatch/core';
import type { Queryable } from './pool';

export type HitSource = 'agent' | 'vmcore';

/** One hit as the agent numbered it; u64/i64 quantities are decimal strings. */
export interface NewHit {
  /** The agent's per-boot number; null for a hit recovered from a crash dump. */
  seq: string | null;
  /** The module's own event number (per boot); null when the hit did not come from the module. */
  moduleSeq: string | null;
  watchId: string;
  realtimeNs: string;
  boottimeNs: string;
  /** When the backend last saw the word holding oldValue (boottimeNs's clock); null when not known. */
  lastOldBoottimeNs: string | null;
  cpu: number;
  paddr: string;
  offset: number;
  width: number;
  oldValue: string;
  newValue: string;
  pid: number;
  comm: string;
  ip: string;
  /** One frame a line; '' when none was captured. */
  stack: string;
  action: string;
  /** Who made the write; null when the backend did not say. */
  writer: HitWriter | null;
  /** Why writer is 'unknown'; null otherwise. */
  writerReason: string | null;
  /** SMIs counted in the bracket, decimal; null when not known. */
  smiCount: string | null;
}

export interface HitRow extends NewHit {
  id: string;
  hostId: string;
  bootId: string;
  source: HitSource;
  /** boottimeNs - lastOldBoottimeNs: the write happened in (lastOldBoottimeNs, boottimeNs]. */
  bracketNs: string | null;
  occurredAt: Date;
  receivedAt: Date;
}

export interface InsertHitsResult {
  /** Rows stored by this call. */
  inserted: number;
  /** Hits naming a watch that does not exist; they cannot be stored. */
  unknownWatch: number;
  /** Already stored before (a re-sent batch), or repeated within the batch. */
  duplicates: number;
  /** Watches that got new rows, with how many. */
  insertedByWatch: Map<string, number>;
  /** The rows stored by this call, in insert order; realtimeNs dates the hit for the store-latency histogram. */
  stored: Array<{ id: string; watchId: string; realtimeNs: string }>;
}

export interface HitFilter {
  watchId?: string;
  hostId?: string;
  /** occurred_at >= since */
  since?: Date;
  /** occurred_at < until */
  until?: Date;
  writer?: HitWriter;
  /** Keyset cursor: only rows with id < beforeId. */
  beforeId?: string;
  limit: number;
}

const HIT_COLUMNS = `id::text as id, host_id as "hostId", boot_id as "bootId", seq::text as seq,
  module_seq::text as "moduleSeq", source, watch_id::text as "watchId",
  occurred_at as "occurredAt", realtime_ns::text as "realtimeNs", boottime_ns::text as "boottimeNs",
  last_old_boottime_ns::text as "lastOldBoottimeNs", (boottime_ns - last_old_boottime_ns)::text as "bracketNs", cpu,
  paddr::text as paddr, "offset", width, old_value::text as "oldValue", new_value::text as "newValue",
  pid, comm, ip, stack, action, writer, writer_reason as "writerReason", smi_count::text as "smiCount", received_at as "receivedAt"`;

export class HitsRepository {
  constructor(private readonly db: Queryable) {}

  /** Stored hits per (watch, host), for watches with a per-host max: watch id -> host id -> count. */
  async countByHost(watchIds: readonly string[]): Promise<Map<string, Map<string, number>>> {
    const counts = new Map<string, Map<string, number>>(watchIds.map((id) => [id, new Map()]));
    if (watchIds.length === 0) return counts;
    const { rows } = await this.db.query<{ watchId: string; hostId: string; n: number }>(
      `select watch_id::text as "watchId", host_id as "hostId", count(*)::int as n from hits
       where watch_id = any($1::bigint[]) group by watch_id, host_id`,
      [watchIds],
    );
    for (const row of rows) counts.get(row.watchId)!.set(row.hostId, row.n);
    return counts;
  }

  /**
   * Stores a batch in one statement, the one way hits get in: live batches and hits
   * recovered from a crash dump (`source` vmcore, seq null). Delivery is at-least-once, so a
   * hit already stored is skipped, whichever key finds it: (host, boot, seq) for a re-sent
   * batch, (host, boot, module_seq) for a hit sent live and recovered from the dump later.
   */
  async insertBatch(hostId: string, bootId: string, hits: readonly NewHit[], source: HitSource = 'agent'): Promise<InsertHitsResult> {
    if (hits.length === 0) return { inserted: 0, unknownWatch: 0, duplicates: 0, insertedByWatch: new Map(), stored: [] };
    const col = <K extends keyof NewHit>(key: K) => hits.map((h) => h[key]);
    const { rows } = await this.db.query<{ inserted: number; unknownWatch: number; stored: Array<{ id: string; watchId: string; realtimeNs: string }> | null }>(
      `with input as (
         select * from unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::numeric[], $7::int[], $8::numeric[], $9::int[],
                              $10::smallint[], $11::numeric[], $12::numeric[], $13::int[], $14::text[], $15::text[], $16::text[], $17::text[],
                              $18::bigint[], $20::bigint[], $21::text[], $22::text[], $23::bigint[])
           with ordinality
           as s(seq, watch_id, realtime_ns, boottime_ns, cpu, paddr, "offset", width, old_value, new_value, pid, comm, ip, stack, action,
                module_seq, last_old_boottime_ns, writer, writer_reason, smi_count, n)
       ),
       stored as (
         insert into hits (host_id, boot_id, seq, module_seq, source, watch_id, occurred_at, realtime_ns, boottime_ns, cpu, paddr, "offset",
                           width, old_value, new_value, pid, comm, ip, stack, action, last_old_boottime_ns, writer, writer_reason, smi_count)
         select $1, $2, i.seq, i.module_seq, $19, i.watch_id, to_timestamp(i.realtime_ns::double precision / 1e9), i.realtime_ns, i.boottime_ns,
                i.cpu, i.paddr, i."offset", i.width, i.old_value, i.new_value, i.pid, i.comm, i.ip, i.stack, i.action, i.last_old_boottime_ns,
                i.writer, i.writer_reason, i.smi_count
         from input i
         where exists (select 1 from watches w where w.id = i.watch_id)
         order by i.n
         on conflict do nothing
         returning id, watch_id, realtime_ns
       )
       select (select count(*) from stored)::int as inserted,
              (select count(*) from input i where not exists (select 1 from watches w where w.id = i.watch_id))::int as "unknownWatch",
              (select json_agg(json_build_object('id', id::text, 'watchId', watch_id::text, 'realtimeNs', realtime_ns::text) order by id) from stored) as stored`,
      [hostId, bootId, col('seq'), col('watchId'), col('realtimeNs'), col('boottimeNs'), col('cpu'), col('paddr'), col('offset'),
        col('width'), col('oldValue'), col('newValue'), col('pid'), col('comm'), col('ip'), col('stack'), col('action'), col('moduleSeq'), source,
        col('lastOldBoottimeNs'), col('writer'), col('writerReason'), col('smiCount')],
    );
    const { inserted, unknownWatch } = rows[0];
    const stored = rows[0].stored ?? [];
    const insertedByWatch = new Map<string, number>();
    for (const row of stored) insertedByWatch.set(row.watchId, (insertedByWatch.get(row.watchId) ?? 0) + 1);
    return { inserted, unknownWatch, duplicates: hits.length - inserted - unknownWatch, insertedByWatch, stored };
  }

  /** Stored hits of one boot by the module's event number, whichever path stored them. */
  async findByModuleSeq(hostId: string, bootId: string, moduleSeqs: readonly string[]): Promise<HitRow[]> {
    if (moduleSeqs.length === 0) return [];
    const { rows } = await this.db.query<HitRow>(
      `select ${HIT_COLUMNS} from hits where host_id = $1 and boot_id = $2 and module_seq = any($3::bigint[]) order by module_seq`,
      [hostId, bootId, moduleSeqs],
    );
    return rows;
  }

  async get(id: string): Promise<HitRow | null> {
    const { rows } = await this.db.query<HitRow>(`select ${HIT_COLUMNS} from hits where id = $1::bigint`, [id]);
    return rows[0] ?? null;
  }

  // Order by the qualified column: a bare `id` would mean the text alias and sort "9" > "10".
  /** Newest first (id desc). Fetch limit + 1 to learn whether another page follows. */
  async list(filter: HitFilter): Promise<HitRow[]> {
    const { rows } = await this.db.query<HitRow>(
      `select ${HIT_COLUMNS} from hits
       where ($1::bigint is null or watch_id = $1)
         and ($2::text is null or host_id = $2)
         and ($3::timestamptz is null or occurred_at >= $3)
         and ($4::timestamptz is null or occurred_at < $4)
         and ($5::bigint is null or id < $5)
         and ($7::text is null or writer = $7)
       order by hits.id desc
       limit $6`,
      [filter.watchId ?? null, filter.hostId ?? null, filter.since ?? null, filter.until ?? null, filter.beforeId ?? null, filter.limit, filter.writer ?? null],
    );
    return rows;
  }

  async countByWatch(watchIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>(watchIds.map((id) => [id, 0]));
    if (watchIds.length === 0) return counts;
    const { rows } = await this.db.query<{ watchId: string; n: number }>(
      `select watch_id::text as "watchId", count(*)::int as n from hits where watch_id = any($1::bigint[]) group by watch_id`,
      [watchIds],
    );
    for (const row of rows) counts.set(row.watchId, row.n);
    return counts;
  }
}
