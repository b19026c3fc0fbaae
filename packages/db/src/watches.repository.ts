import type { Queryable } from './pool';

export const WATCH_STATES = ['active', 'stopped', 'expired', 'exhausted'] as const;
export type WatchState = (typeof WATCH_STATES)[number];
export type EndedWatchState = Exclude<WatchState, 'active'>;

export interface WatchRow {
  id: string;
  name: string | null;
  /** The canonical spec JSON (packages/core watchSpecToJson), stored as given. */
  spec: Record<string, unknown>;
  state: WatchState;
  createdAt: Date;
  endedAt: Date | null;
  expiresAt: Date | null;
  maxHits: number | null;
}

export interface NewWatch {
  name: string | null;
  spec: object;
  expiresAt: Date | null;
  maxHits: number | null;
}

const WATCH_COLUMNS = `id::text as id, name, spec, state, created_at as "createdAt", ended_at as "endedAt",
  expires_at as "expiresAt", max_hits as "maxHits"`;

export class WatchesRepository {
  constructor(private readonly db: Queryable) {}

  async create(watch: NewWatch): Promise<WatchRow> {
    const { rows } = await this.db.query<WatchRow>(
      `insert into watches (name, spec, expires_at, max_hits) values ($1, $2, $3, $4) returning ${WATCH_COLUMNS}`,
      [watch.name, JSON.stringify(watch.spec), watch.expiresAt, watch.maxHits],
    );
    return rows[0];
  }

  async get(id: string): Promise<WatchRow | null> {
    const { rows } = await this.db.query<WatchRow>(`select ${WATCH_COLUMNS} from watches where id = $1::bigint`, [id]);
    return rows[0] ?? null;
  }

  /** Newest first; every state when `state` is omitted. */
  async list(state?: WatchState): Promise<WatchRow[]> {
    const { rows } = await this.db.query<WatchRow>(
      `select ${WATCH_COLUMNS} from watches where $1::text is null or state = $1 order by watches.id desc`,
      [state ?? null],
    );
    return rows;
  }

  async listActive(): Promise<WatchRow[]> {
    return this.list('active');
  }

  /** Ends the watch only if it is still active; false when it had already ended (or does not exist). */
  async end(id: string, state: EndedWatchState): Promise<boolean> {
    const result = await this.db.query(
      `update watches set state = $2, ended_at = now() where id = $1::bigint and state = 'active'`,
      [id, state],
    );
    return result.rowCount === 1;
  }

  /** Sets rollout.paused in the stored spec of an active watch; false when it is not active. */
  async setPaused(id: string, paused: boolean): Promise<boolean> {
    const result = await this.db.query(
      `update watches set spec = spec || jsonb_build_object('rollout', coalesce(spec->'rollout', '{}'::jsonb) || jsonb_build_object('paused', $2::boolean))
       where id = $1::bigint and state = 'active'`,
      [id, paused],
    );
    return result.rowCount === 1;
  }

  /** Of `ids`, the active watches whose stored hits have reached their fleet-wide max_hits. */
  async reachedMaxHits(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query<{ id: string }>(
      `select w.id::text as id from watches w
       where w.id = any($1::bigint[]) and w.state = 'active' and w.max_hits is not null
         and (select count(*) from hits h where h.watch_id = w.id) >= w.max_hits
       order by w.id`,
      [ids],
    );
    return rows.map((r) => r.id);
  }
}
