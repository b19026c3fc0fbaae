import type { Queryable } from './pool';

export const KDUMP_STATES = ['queued', 'deferred', 'triggering', 'awaiting_reboot', 'collecting', 'done', 'denied', 'expired', 'failed'] as const;
export type KdumpState = (typeof KDUMP_STATES)[number];
export const KDUMP_FINAL_STATES: readonly KdumpState[] = ['done', 'denied', 'expired', 'failed'];
/** A host is in a crash from the CrashRequest until its vmcore is in (or the job failed). */
export const KDUMP_CRASH_STATES: readonly KdumpState[] = ['triggering', 'awaiting_reboot', 'collecting'];

export interface KdumpJobRow {
  /** `kdump-<hit id>`; also the CrashRequest's request_id. */
  id: string;
  hitId: string;
  watchId: string;
  hostId: string;
  state: KdumpState;
  reason: string;
  bootBefore: string | null;
  bootAfter: string | null;
  vmcoreId: string | null;
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
  triggeredAt: Date | null;
  rebootedAt: Date | null;
  finishedAt: Date | null;
  deferUntil: Date;
}

export interface KdumpJobFilter {
  state?: KdumpState;
  hostId?: string;
  watchId?: string;
  limit: number;
}

/** What changes with a state: the fields a transition sets (others are kept). */
export interface KdumpTransition {
  reason?: string;
  bootBefore?: string;
  bootAfter?: string;
  vmcoreId?: string;
}

/** A job that holds (or held, within the window) crash budget, with its host's labels. */
export interface KdumpBudgetEntry {
  id: string;
  hostId: string;
  labels: Record<string, string>;
  state: KdumpState;
  triggeredAt: Date | null;
}

const COLUMNS = `id, hit_id::text as "hitId", watch_id::text as "watchId", host_id as "hostId", state, reason,
  boot_before as "bootBefore", boot_after as "bootAfter", vmcore_id::text as "vmcoreId", attempts,
  created_at as "createdAt", updated_at as "updatedAt", triggered_at as "triggeredAt", rebooted_at as "rebootedAt",
  finished_at as "finishedAt", defer_until as "deferUntil"`;

export function kdumpJobId(hitId: string): string {
  return `kdump-${hitId}`;
}

export class KdumpJobsRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * For each of `hitIds` whose watch is active and asks for kdump_on_hit, a job in state
   * queued, unless that (watch, host) already has one (whatever its state). Returns the rows
   * created by this call: only those get a trigger job.
   */
  async createForHits(hitIds: readonly string[], deferMaxMs: number): Promise<Array<{ id: string; hitId: string }>> {
    if (hitIds.length === 0) return [];
    const { rows } = await this.db.query<{ id: string; hitId: string }>(
      `insert into kdump_jobs (id, hit_id, watch_id, host_id, defer_until)
       select 'kdump-' || h.id, h.id, h.watch_id, h.host_id, now() + make_interval(secs => $2::double precision / 1000)
       from hits h join watches w on w.id = h.watch_id
       where h.id = any($1::bigint[]) and w.state = 'active' and (w.spec->>'kdump_on_hit')::boolean is true
       order by h.id
       on conflict do nothing
       returning id, hit_id::text as "hitId"`,
      [hitIds, deferMaxMs],
    );
    return rows;
  }

  async get(id: string): Promise<KdumpJobRow | null> {
    const { rows } = await this.db.query<KdumpJobRow>(`select ${COLUMNS} from kdump_jobs where id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Newest first. */
  async list(filter: KdumpJobFilter): Promise<KdumpJobRow[]> {
    const { rows } = await this.db.query<KdumpJobRow>(
      `select ${COLUMNS} from kdump_jobs
       where ($1::text is null or state = $1) and ($2::text is null or host_id = $2) and ($3::bigint is null or watch_id = $3)
       order by created_at desc, hit_id desc
       limit $4`,
      [filter.state ?? null, filter.hostId ?? null, filter.watchId ?? null, filter.limit],
    );
    return rows;
  }

  /** Every job not in a final state: what the sweep re-enqueues. */
  async listUnfinished(): Promise<Array<Pick<KdumpJobRow, 'id' | 'hitId' | 'state'>>> {
    const { rows } = await this.db.query<Pick<KdumpJobRow, 'id' | 'hitId' | 'state'>>(
      `select id, hit_id::text as "hitId", state from kdump_jobs
       where state not in ('done', 'denied', 'expired', 'failed') order by id`,
    );
    return rows;
  }

  /**
   * Moves a job from one of `from` to `to`, stamping the time that state records; null when
   * the job is not in one of `from` (someone else moved it first). Entering `triggering`
   * counts a CrashRequest (attempts) and stamps triggered_at, also when re-sent.
   */
  async advance(id: string, from: readonly KdumpState[], to: KdumpState, fields: KdumpTransition = {}): Promise<KdumpJobRow | null> {
    const { rows } = await this.db.query<KdumpJobRow>(
      `update kdump_jobs set
         state = $3,
         reason = coalesce($4, reason),
         boot_before = coalesce($5, boot_before),
         boot_after = coalesce($6, boot_after),
         vmcore_id = coalesce($7::bigint, vmcore_id),
         attempts = attempts + case when $3 = 'triggering' then 1 else 0 end,
         updated_at = now(),
         triggered_at = case when $3 = 'triggering' then now() else triggered_at end,
         rebooted_at = case when $3 = 'collecting' then now() else rebooted_at end,
         finished_at = case when $3 in ('done', 'denied', 'expired', 'failed') then now() else finished_at end
       where id = $1 and state = any($2::text[])
       returning ${COLUMNS}`,
      [id, from, to, fields.reason ?? null, fields.bootBefore ?? null, fields.bootAfter ?? null, fields.vmcoreId ?? null],
    );
    return rows[0] ?? null;
  }

  /** Jobs in a crash now, or triggered within the last `windowMs`: what crash budgets count. */
  async budgetUsage(windowMs: number): Promise<KdumpBudgetEntry[]> {
    const { rows } = await this.db.query<KdumpBudgetEntry>(
      `select k.id, k.host_id as "hostId", h.effective_labels as labels, k.state, k.triggered_at as "triggeredAt"
       from kdump_jobs k join hosts h on h.id = k.host_id
       where k.state in ('triggering', 'awaiting_reboot', 'collecting')
          or k.triggered_at > now() - make_interval(secs => $1::double precision / 1000)
       order by k.triggered_at nulls last, k.id`,
      [windowMs],
    );
    return rows;
  }
}
