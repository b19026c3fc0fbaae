import type { Queryable } from './pool';

export const HUNT_STATES = ['active', 'paused', 'stopped'] as const;
export type HuntState = (typeof HUNT_STATES)[number];
export const HUNT_EVENT_KINDS = ['created', 'paused', 'resumed', 'held', 'released', 'stopped', 'budget_held'] as const;
export type HuntEventKind = (typeof HUNT_EVENT_KINDS)[number];

export interface HuntRow {
  id: string;
  name: string | null;
  /** The canonical spec JSON (packages/core huntSpecToJson). */
  spec: Record<string, unknown>;
  state: HuntState;
  heldStage: number | null;
  createdBy: string | null;
  createdAt: Date;
  endedAt: Date | null;
}

export interface HuntHostRow {
  hostId: string;
  stage: number;
  held: boolean;
  enteredAt: Date;
  /** The host's effective labels (operator's winning): what cohort keys are read from. */
  labels: Record<string, string>;
  /** poll_ns_avg the host reported for the hunt's watch at its current stage; null when none. */
  pollNsAvg: number | null;
}

/** Hits stored for one host at one stage of the hunt, brackets (ns) of the newest first. */
export interface HuntHitStats {
  hostId: string;
  stage: number;
  count: number;
  brackets: number[];
}

export interface HuntStageWatch {
  watchId: string;
  stage: number;
  /** The explicit host ids of the watch's stored spec. */
  hostIds: string[];
}

export interface HuntTimelineRow {
  at: Date;
  kind: 'transition' | HuntEventKind;
  hostId: string | null;
  fromStage: number | null;
  toStage: number | null;
  reason: string;
  actor: string;
}

export interface HuntTransitionRow {
  hostId: string;
  fromStage: number;
  toStage: number;
  reason: string;
  actor: string;
  at: Date;
}

const HUNT_COLUMNS = `id::text as id, name, spec, state, held_stage as "heldStage", created_by as "createdBy",
  created_at as "createdAt", ended_at as "endedAt"`;

/**
 * Hunts, where each host stands, their transitions and timeline. The hunt's stage watches
 * are rows of `watches` (hunt_id, hunt_stage); this repository only tags them and edits
 * their host-id set, everything else about a watch goes through WatchesRepository.
 */
export class HuntsRepository {
  constructor(private readonly db: Queryable) {}

  async create(hunt: { name: string | null; spec: object; createdBy: string | null }): Promise<HuntRow> {
    const { rows } = await this.db.query<HuntRow>(
      `insert into hunts (name, spec, created_by) values ($1, $2, $3) returning ${HUNT_COLUMNS}`,
      [hunt.name, JSON.stringify(hunt.spec), hunt.createdBy],
    );
    return rows[0];
  }

  async get(id: string): Promise<HuntRow | null> {
    const { rows } = await this.db.query<HuntRow>(`select ${HUNT_COLUMNS} from hunts where id = $1::bigint`, [id]);
    return rows[0] ?? null;
  }

  /** Newest first; every state when `state` is omitted. */
  async list(state?: HuntState): Promise<HuntRow[]> {
    const { rows } = await this.db.query<HuntRow>(
      `select ${HUNT_COLUMNS} from hunts where $1::text is null or state = $1 order by id desc`,
      [state ?? null],
    );
    return rows;
  }

  /** Hunts not stopped, oldest first: what the engine's pass walks. */
  async listLive(): Promise<HuntRow[]> {
    const { rows } = await this.db.query<HuntRow>(`select ${HUNT_COLUMNS} from hunts where state <> 'stopped' order by id`);
    return rows;
  }

  /** Moves the hunt from one of `from` to `to`; false when it was in none of them. */
  async setState(id: string, from: readonly HuntState[], to: HuntState): Promise<boolean> {
    const result = await this.db.query(
      `update hunts set state = $3, ended_at = case when $3 = 'stopped' then now() else ended_at end
       where id = $1::bigint and state = any($2::text[])`,
      [id, from, to],
    );
    return result.rowCount === 1;
  }

  async setHeldStage(id: string, stage: number | null): Promise<boolean> {
    const result = await this.db.query(`update hunts set held_stage = $2 where id = $1::bigint and state <> 'stopped'`, [id, stage]);
    return result.rowCount === 1;
  }

  /** New selected hosts start at stage 0; hosts already in the hunt keep where they stand. Returns how many joined. */
  async addHosts(huntId: string, hostIds: readonly string[]): Promise<number> {
    if (hostIds.length === 0) return 0;
    const result = await this.db.query(
      `insert into hunt_hosts (hunt_id, host_id) select $1::bigint, unnest($2::text[]) on conflict do nothing`,
      [huntId, hostIds],
    );
    return result.rowCount ?? 0;
  }

  async setHostsHeld(huntId: string, hostIds: readonly string[], held: boolean): Promise<string[]> {
    const { rows } = await this.db.query<{ hostId: string }>(
      `update hunt_hosts set held = $3 where hunt_id = $1::bigint and host_id = any($2::text[]) and held <> $3 returning host_id as "hostId"`,
      [huntId, hostIds, held],
    );
    return rows.map((r) => r.hostId).sort();
  }

  /**
   * The measured poll cost and interval of every other armed timer watch on the hunt's hosts
   * (not the hunt's own): what the host's polling budget already carries.
   */
  async otherWatchCosts(huntId: string): Promise<Array<{ hostId: string; pollNsAvg: number; interval: string }>> {
    const { rows } = await this.db.query<{ hostId: string; pollNsAvg: string; interval: string }>(
      `select a.host_id as "hostId", a.poll_ns_avg::text as "pollNsAvg", w.spec->>'interval' as interval
       from hunt_hosts hh
       join assignments a on a.host_id = hh.host_id and a.phase = 'armed' and a.poll_ns_avg > 0
       join watches w on w.id = a.watch_id and w.state = 'active' and w.hunt_id is distinct from hh.hunt_id
       where hh.hunt_id = $1::bigint and w.spec->>'interval' is not null
       order by 1`,
      [huntId],
    );
    return rows.map((r) => ({ ...r, pollNsAvg: Number(r.pollNsAvg) }));
  }

  async listHosts(huntId: string): Promise<HuntHostRow[]> {
    const { rows } = await this.db.query<HuntHostRow & { pollNsAvg: string | null }>(
      `select hh.host_id as "hostId", hh.stage, hh.held, hh.entered_at as "enteredAt", h.effective_labels as labels,
              (select a.poll_ns_avg::text from watches w join assignments a on a.watch_id = w.id and a.host_id = hh.host_id
               where w.hunt_id = hh.hunt_id and w.hunt_stage = hh.stage and w.state = 'active') as "pollNsAvg"
       from hunt_hosts hh join hosts h on h.id = hh.host_id
       where hh.hunt_id = $1::bigint order by hh.host_id`,
      [huntId],
    );
    return rows.map((r) => ({ ...r, pollNsAvg: r.pollNsAvg === null ? null : Number(r.pollNsAvg) }));
  }

  /**
   * One transition, one statement (so one transaction): the host moves from `from` to
   * from + 1 only if it still stands at `from`, and the transition row is written with it.
   * A second pass deciding the same move finds the host elsewhere and writes nothing; the
   * unique (hunt, host, from_stage) key backs that up. True when this call made the move.
   */
  async transition(huntId: string, hostId: string, from: number, reason: string, actor: string): Promise<boolean> {
    const result = await this.db.query(
      `with moved as (
         update hunt_hosts set stage = $3::int + 1, entered_at = now()
         where hunt_id = $1::bigint and host_id = $2 and stage = $3::int
         returning hunt_id, host_id)
       insert into hunt_transitions (hunt_id, host_id, from_stage, to_stage, reason, actor)
       select hunt_id, host_id, $3::int, $3::int + 1, $4, $5 from moved`,
      [huntId, hostId, from, reason, actor],
    );
    return result.rowCount === 1;
  }

  /**
   * For each host of the hunt, at its current stage and the one before: how many hits are
   * stored on the hunt's watches of that stage (counted up to `countCap`: a rule needs no
   * more), and the brackets of the newest `brackets` that carry one. Per host and stage these
   * are index scans bounded by the caps (hits_bracket_idx, hits_host_idx), so a pass costs
   * the same however many hits a long hunt has stored.
   */
  async hitStats(huntId: string, caps: { countCap: number; brackets: number }): Promise<HuntHitStats[]> {
    const { rows } = await this.db.query<HuntHitStats>(
      `select hh.host_id as "hostId", s.stage, c.count, b.brackets
       from hunt_hosts hh
       cross join lateral (values (hh.stage), (hh.stage - 1)) s(stage)
       cross join lateral (select array_agg(w.id) as ids from watches w where w.hunt_id = hh.hunt_id and w.hunt_stage = s.stage) w
       cross join lateral (
         select count(*)::int as count from (select 1 from hits h where h.watch_id = any(w.ids) and h.host_id = hh.host_id limit $2) x) c
       cross join lateral (
         select coalesce(array_agg(y.bracket order by y.id desc), '{}') as brackets from (
           select h.id, (h.boottime_ns - h.last_old_boottime_ns)::float8 as bracket from hits h
           where h.watch_id = any(w.ids) and h.host_id = hh.host_id and h.last_old_boottime_ns is not null
           order by h.id desc limit $3) y) b
       where hh.hunt_id = $1::bigint and s.stage >= 0 and w.ids is not null and c.count > 0
       order by 1, 2`,
      [huntId, caps.countCap, caps.brackets],
    );
    return rows;
  }

  /** The hunt's active stage watches, by stage. */
  async stageWatches(huntId: string): Promise<HuntStageWatch[]> {
    const { rows } = await this.db.query<{ watchId: string; stage: number; ids: string[] | null }>(
      `select id::text as "watchId", hunt_stage as stage, array(select jsonb_array_elements_text(spec->'hosts'->'ids')) as ids
       from watches where hunt_id = $1::bigint and state = 'active' order by hunt_stage`,
      [huntId],
    );
    return rows.map((r) => ({ watchId: r.watchId, stage: r.stage, hostIds: r.ids ?? [] }));
  }

  /** Every watch the hunt's stages have had, ended ones too (a stage's watch ends when it empties), oldest first. */
  async stageWatchHistory(huntId: string): Promise<Array<{ watchId: string; stage: number }>> {
    const { rows } = await this.db.query<{ watchId: string; stage: number }>(
      `select id::text as "watchId", hunt_stage as stage from watches where hunt_id = $1::bigint order by id`,
      [huntId],
    );
    return rows;
  }

  /** Marks a just-created watch as the hunt's watch for `stage`. */
  async tagWatch(watchId: string, huntId: string, stage: number): Promise<void> {
    await this.db.query(`update watches set hunt_id = $2::bigint, hunt_stage = $3 where id = $1::bigint`, [watchId, huntId, stage]);
  }

  /** Replaces the stored spec of an active stage watch (its host-id set changed); false when it ended. */
  async setStageWatchSpec(watchId: string, spec: object): Promise<boolean> {
    const result = await this.db.query(
      `update watches set spec = $2 where id = $1::bigint and hunt_id is not null and state = 'active'`,
      [watchId, JSON.stringify(spec)],
    );
    return result.rowCount === 1;
  }

  /** A timeline event; a budget_held one is written once per host and stage (false when it already was). */
  async addEvent(e: { huntId: string; kind: HuntEventKind; hostId?: string | null; stage?: number | null; message: string; actor: string }): Promise<boolean> {
    const result = await this.db.query(
      `insert into hunt_events (hunt_id, kind, host_id, stage, message, actor) values ($1, $2, $3, $4, $5, $6) on conflict do nothing`,
      [e.huntId, e.kind, e.hostId ?? null, e.stage ?? null, e.message, e.actor],
    );
    return result.rowCount === 1;
  }

  async transitions(huntId: string): Promise<HuntTransitionRow[]> {
    const { rows } = await this.db.query<HuntTransitionRow>(
      `select host_id as "hostId", from_stage as "fromStage", to_stage as "toStage", reason, actor, at
       from hunt_transitions where hunt_id = $1::bigint order by id`,
      [huntId],
    );
    return rows;
  }

  /** The newest `limit` transitions and events, oldest first. */
  async timeline(huntId: string, limit = 1000): Promise<HuntTimelineRow[]> {
    const { rows } = await this.db.query<HuntTimelineRow>(
      `select * from (
         select at, 'transition' as kind, host_id as "hostId", from_stage as "fromStage", to_stage as "toStage", reason, actor from hunt_transitions where hunt_id = $1::bigint
         union all
         select at, kind, host_id, stage, null, message, actor from hunt_events where hunt_id = $1::bigint
       ) t order by at desc, kind = 'transition' limit $2`,
      [huntId, limit],
    );
    return rows.reverse();
  }
}
