import type { Queryable } from './pool';
import type { WatchRow } from './watches.repository';

export const ASSIGNMENT_PHASES = ['pending', 'armed', 'failed', 'disarmed', 'removed'] as const;
export type AssignmentPhase = (typeof ASSIGNMENT_PHASES)[number];
export type ReportedPhase = Exclude<AssignmentPhase, 'pending' | 'removed'>;

export interface AssignmentRow {
  watchId: string;
  hostId: string;
  phase: AssignmentPhase;
  resolvedPaddr: string | null;
  memoryKind: 'ram' | 'mmio' | null;
  reason: string;
  generation: string;
  updatedAt: Date;
}

export interface ReportedState {
  watchId: string;
  phase: ReportedPhase;
  /** Decimal u64, or null when the agent did not resolve an address. */
  resolvedPaddr: string | null;
  memoryKind: 'ram' | 'mmio' | null;
  reason: string;
  /** Decimal ns, the backend's measured cost of one poll; null/absent when not measured (the last measure is kept). */
  pollNsAvg?: string | null;
}

/** What the scheduler needs of a placement: which phase, since when. */
export interface ActiveAssignment {
  watchId: string;
  hostId: string;
  phase: Exclude<AssignmentPhase, 'removed'>;
  phaseSince: Date;
}

export type PhaseCounts = Record<Exclude<AssignmentPhase, 'removed'>, number>;

const ASSIGNMENT_COLUMNS = `a.watch_id::text as "watchId", a.host_id as "hostId", a.phase,
  a.resolved_paddr::text as "resolvedPaddr", a.memory_kind as "memoryKind", a.reason,
  a.generation::text as generation, a.updated_at as "updatedAt"`;

/** What a report changed: rows updated, and for each placement it armed, the seconds since it was placed (pending). */
export interface RecordedStates {
  updated: number;
  armedAfterSeconds: number[];
}

export class AssignmentsRepository {
  constructor(private readonly db: Queryable) {}

  /** Places watches on hosts (pairs by position); existing pairs are left as they are. Returns the new pairs' host ids. */
  async assign(pairs: ReadonlyArray<{ watchId: string; hostId: string }>): Promise<string[]> {
    if (pairs.length === 0) return [];
    const { rows } = await this.db.query<{ hostId: string }>(
      `insert into assignments (watch_id, host_id)
       select w, h from unnest($1::bigint[], $2::text[]) as p(w, h)
       on conflict (watch_id, host_id) do nothing
       returning host_id as "hostId"`,
      [pairs.map((p) => p.watchId), pairs.map((p) => p.hostId)],
    );
    return [...new Set(rows.map((r) => r.hostId))];
  }

  /** The full set a host should run now: active watches assigned to it and not removed. */
  async desiredWatches(hostId: string): Promise<WatchRow[]> {
    const { rows } = await this.db.query<WatchRow>(
      `select w.id::text as id, w.name, w.spec, w.state, w.created_at as "createdAt", w.ended_at as "endedAt",
              w.expires_at as "expiresAt", w.max_hits as "maxHits"
       from assignments a join watches w on w.id = a.watch_id
       where a.host_id = $1 and a.phase <> 'removed' and w.state = 'active'
       order by w.id`,
      [hostId],
    );
    return rows;
  }

  /** desiredWatches for many hosts in one query: each row names its host. */
  async desiredWatchesForHosts(hostIds: readonly string[]): Promise<Array<WatchRow & { hostId: string }>> {
    const { rows } = await this.db.query<WatchRow & { hostId: string }>(
      `select a.host_id as "hostId", w.id::text as id, w.name, w.spec, w.state, w.created_at as "createdAt", w.ended_at as "endedAt",
              w.expires_at as "expiresAt", w.max_hits as "maxHits"
       from assignments a join watches w on w.id = a.watch_id
       where a.host_id = any($1::text[]) and a.phase <> 'removed' and w.state = 'active'
       order by a.host_id, w.id`,
      [hostIds],
    );
    return rows;
  }

  /**
   * Records what a host reported for `generation`, in one statement. A report older than
   * the one already stored is ignored, and a removed assignment stays removed.
   */
  async recordStates(hostId: string, generation: string, states: readonly ReportedState[]): Promise<RecordedStates> {
    return this.recordManyStates(states.map((s) => ({ ...s, hostId, generation })));
  }

  /**
   * The same for reports of many hosts at once, one statement. A (host, watch) pair may
   * appear once only: the caller keeps the newest report of each.
   */
  async recordManyStates(states: ReadonlyArray<ReportedState & { hostId: string; generation: string }>): Promise<RecordedStates> {
    if (states.length === 0) return { updated: 0, armedAfterSeconds: [] };
    // `old` is the same row as the statement's snapshot saw it: the phase it leaves and since when.
    const { rows } = await this.db.query<{ armedAfter: number | null }>(
      `update assignments a set phase = s.phase, phase_since = case when a.phase = s.phase then a.phase_since else now() end,
              resolved_paddr = s.resolved_paddr, memory_kind = s.memory_kind,
              reason = s.reason, generation = s.generation, updated_at = now(), poll_ns_avg = coalesce(s.poll_ns_avg, a.poll_ns_avg)
       from unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::numeric[], $6::text[], $7::text[], $8::bigint[])
            as s(host_id, generation, watch_id, phase, resolved_paddr, memory_kind, reason, poll_ns_avg),
            assignments old
       where a.host_id = s.host_id and a.watch_id = s.watch_id and a.phase <> 'removed' and a.generation <= s.generation
         and old.host_id = a.host_id and old.watch_id = a.watch_id
       returning case when old.phase = 'pending' and s.phase = 'armed' then extract(epoch from now() - old.phase_since)::float8 end as "armedAfter"`,
      [states.map((s) => s.hostId), states.map((s) => s.generation), states.map((s) => s.watchId), states.map((s) => s.phase),
        states.map((s) => s.resolvedPaddr), states.map((s) => s.memoryKind), states.map((s) => s.reason), states.map((s) => s.pollNsAvg ?? null)],
    );
    return { updated: rows.length, armedAfterSeconds: rows.flatMap((r) => (r.armedAfter === null ? [] : [r.armedAfter])) };
  }

  async listForWatch(watchId: string): Promise<AssignmentRow[]> {
    const { rows } = await this.db.query<AssignmentRow>(
      `select ${ASSIGNMENT_COLUMNS} from assignments a where a.watch_id = $1::bigint order by a.host_id`,
      [watchId],
    );
    return rows;
  }

  async listForHosts(hostIds: readonly string[]): Promise<AssignmentRow[]> {
    const { rows } = await this.db.query<AssignmentRow>(
      `select ${ASSIGNMENT_COLUMNS} from assignments a where a.host_id = any($1::text[]) order by a.host_id, a.watch_id`,
      [hostIds],
    );
    return rows;
  }

  /**
   * Of `watchIds`, those that are or were placed on the host: assignment rows are never
   * deleted (a watch that ended is 'removed'), so they are the placement history.
   */
  async everPlaced(hostId: string, watchIds: readonly string[]): Promise<Set<string>> {
    const { rows } = await this.db.query<{ watchId: string }>(
      `select watch_id::text as "watchId" from assignments where host_id = $1 and watch_id = any($2::bigint[])`,
      [hostId, watchIds],
    );
    return new Set(rows.map((r) => r.watchId));
  }

  /** Hosts holding any assignment (removed ones included) of the watch. */
  async hostsOfWatch(watchId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ hostId: string }>(
      `select host_id as "hostId" from assignments where watch_id = $1::bigint order by host_id`,
      [watchId],
    );
    return rows.map((r) => r.hostId);
  }

  /** Per-watch counts by phase, zero-filled; removed assignments are not counted. */
  async countsByWatch(watchIds: readonly string[]): Promise<Map<string, PhaseCounts>> {
    const counts = new Map<string, PhaseCounts>(watchIds.map((id) => [id, { pending: 0, armed: 0, failed: 0, disarmed: 0 }]));
    if (watchIds.length === 0) return counts;
    const { rows } = await this.db.query<{ watchId: string; phase: keyof PhaseCounts; n: number }>(
      `select watch_id::text as "watchId", phase, count(*)::int as n from assignments
       where watch_id = any($1::bigint[]) and phase <> 'removed'
       group by watch_id, phase`,
      [watchIds],
    );
    for (const row of rows) counts.get(row.watchId)![row.phase] = row.n;
    return counts;
  }

  /** Every placement of an active watch that a host holds (not removed). */
  async listActive(): Promise<ActiveAssignment[]> {
    return this.active(null);
  }

  /** The same, for one host: what a Hello needs, without reading the whole fleet. */
  async listActiveForHost(hostId: string): Promise<ActiveAssignment[]> {
    return this.active(hostId);
  }

  private async active(hostId: string | null): Promise<ActiveAssignment[]> {
    const { rows } = await this.db.query<ActiveAssignment>(
      `select a.watch_id::text as "watchId", a.host_id as "hostId", a.phase, a.phase_since as "phaseSince"
       from assignments a join watches w on w.id = a.watch_id
       where w.state = 'active' and a.phase <> 'removed' and ($1::text is null or a.host_id = $1)`,
      [hostId],
    );
    return rows;
  }

  /**
   * Applies a scheduler decision: `add` pairs become pending (a removed pair comes back),
   * `remove` pairs become removed. Returns the hosts whose set changed.
   */
  async applyPlan(add: ReadonlyArray<{ watchId: string; hostId: string }>, remove: ReadonlyArray<{ watchId: string; hostId: string }>): Promise<string[]> {
    const changed = new Set<string>();
    if (add.length > 0) {
      const { rows } = await this.db.query<{ hostId: string }>(
        `insert into assignments (watch_id, host_id)
         select w, h from unnest($1::bigint[], $2::text[]) as p(w, h)
         on conflict (watch_id, host_id) do update
           set phase = 'pending', reason = '', phase_since = now(), updated_at = now()
           where assignments.phase = 'removed'
         returning host_id as "hostId"`,
        [add.map((p) => p.watchId), add.map((p) => p.hostId)],
      );
      for (const row of rows) changed.add(row.hostId);
    }
    if (remove.length > 0) {
      const { rows } = await this.db.query<{ hostId: string }>(
        `update assignments a set phase = 'removed', phase_since = now(), updated_at = now()
         from unnest($1::bigint[], $2::text[]) as p(w, h)
         where a.watch_id = p.w and a.host_id = p.h and a.phase <> 'removed'
         returning a.host_id as "hostId"`,
        [remove.map((p) => p.watchId), remove.map((p) => p.hostId)],
      );
      for (const row of rows) changed.add(row.hostId);
    }
    return [...changed];
  }

  /** The watch ended: every host drops it. Returns the hosts whose set changed. */
  async markRemoved(watchId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ hostId: string }>(
      `update assignments set phase = 'removed', updated_at = now()
       where watch_id = $1::bigint and phase <> 'removed'
       returning host_id as "hostId"`,
      [watchId],
    );
    return rows.map((r) => r.hostId);
  }
}
