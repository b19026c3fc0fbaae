import type { Queryable } from './pool';

export interface HitBucketFilter {
  since: Date;
  until: Date;
  bucketSeconds: number;
  watchId?: string;
}

export interface HitBucket {
  /** Start of the bucket (aligned to multiples of the bucket size since the Unix epoch). */
  t: Date;
  watchId: string;
  hits: number;
}

export interface FleetCounts {
  watchesActive: number;
  hostsOnline: number;
  hostsOffline: number;
}

/** What the fleet gauges of /metrics export: counts by state, read at scrape time. */
export interface FleetStates {
  hosts: { online: number; offline: number };
  watches: Record<string, number>;
  /** Current assignments (not 'removed') by phase. */
  assignments: Record<string, number>;
}

export interface WatchHostHits {
  hostId: string;
  /** The host's value of the grouping label; null when the host lacks the label (or the row). */
  value: string | null;
  hits: number;
  lastHitAt: Date | null;
}

/** A host of a watch or hunt with every label it has and its hits: the culprit finder's input. */
export interface CulpritHostRow {
  hostId: string;
  /** Effective labels (reported merged with the operator's); empty when the host row is gone. */
  labels: Record<string, string>;
  hits: number;
}

export type CulpritScope = { watchId: string } | { huntId: string };

const EPOCH = `timestamptz '1970-01-01 00:00:00+00'`;

/**
 * The dashboard's aggregate reads. They go to the rollups of migration 0005 (kept by a
 * trigger on hits), never to the hits table, so they cost the same at 10 rows or 10 million.
 */
export class StatsRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Hits per bucket and watch. Buckets that are whole hours read the hourly rollup, others the
   * per-minute one; `since` is rounded down to its bucket so every bucket counts whole.
   */
  async hitBuckets(filter: HitBucketFilter): Promise<HitBucket[]> {
    const hourly = filter.bucketSeconds % 3600 === 0;
    const table = hourly ? 'hit_counts_hour' : 'hit_counts_minute';
    const column = hourly ? 'hour' : 'minute';
    const { rows } = await this.db.query<{ t: Date; watchId: string; hits: string }>(
      `select date_bin(make_interval(secs => $3), ${column}, ${EPOCH}) as t, watch_id::text as "watchId", sum(hits)::text as hits
       from ${table}
       where ${column} >= date_bin(make_interval(secs => $3), $1::timestamptz, ${EPOCH}) and ${column} < $2
         and ($4::bigint is null or watch_id = $4)
       group by 1, 2
       order by 1, 2`,
      [filter.since, filter.until, filter.bucketSeconds, filter.watchId ?? null],
    );
    return rows.map((r) => ({ t: r.t, watchId: r.watchId, hits: Number(r.hits) }));
  }

  /** Active watches and hosts online/offline; `offlineAfterMs` as HostsRepository counts it. */
  async fleetCounts(offlineAfterMs: number): Promise<FleetCounts> {
    const states = await this.fleetStates(offlineAfterMs);
    return { watchesActive: states.watches.active ?? 0, hostsOnline: states.hosts.online, hostsOffline: states.hosts.offline };
  }

  /**
   * Hosts online/offline, watches by state and current assignments by phase, in one
   * statement; counts of small tables and of assignments by phase, not of hits.
   */
  async fleetStates(offlineAfterMs: number): Promise<FleetStates> {
    const { rows } = await this.db.query<{ kind: string; key: string; n: number }>(
      `select 'host' as kind, case when connected and last_seen_at > now() - make_interval(secs => $1::double precision / 1000) then 'online' else 'offline' end as key, count(*)::int as n
         from hosts group by 2
       union all select 'watch', state, count(*)::int from watches group by state
       union all select 'assignment', phase, count(*)::int from assignments where phase <> 'removed' group by phase`,
      [offlineAfterMs],
    );
    const out: FleetStates = { hosts: { online: 0, offline: 0 }, watches: {}, assignments: {} };
    for (const r of rows) {
      if (r.kind === 'host') out.hosts[r.key as 'online' | 'offline'] = r.n;
      else if (r.kind === 'watch') out.watches[r.key] = r.n;
      else out.assignments[r.key] = r.n;
    }
    return out;
  }

  /**
   * Every host the watch was placed on (or that stored a hit of it), with the host's value of
   * `labelKey` and its hits of the watch: the input of the hit-groups view.
   */
  async watchHostHits(watchId: string, labelKey: string): Promise<WatchHostHits[]> {
    const { rows } = await this.db.query<{ hostId: string; value: string | null; hits: string; lastHitAt: Date | null }>(
      `with placed as (
         select host_id from assignments where watch_id = $1::bigint
         union
         select host_id from hit_counts_host where watch_id = $1::bigint
       )
       select p.host_id as "hostId", h.effective_labels ->> $2 as value, coalesce(c.hits, 0)::text as hits, c.last_hit_at as "lastHitAt"
       from placed p
       left join hosts h on h.id = p.host_id
       left join hit_counts_host c on c.watch_id = $1::bigint and c.host_id = p.host_id
       order by p.host_id`,
      [watchId, labelKey],
    );
    return rows.map((r) => ({ ...r, hits: Number(r.hits) }));
  }

  /**
   * Every host placed on the watch (or every stage watch of the hunt, and every host the hunt
   * selected), or that stored a hit of it, with all its labels and its hits summed from the
   * per-host rollup: the culprit finder's population.
   */
  async culpritHosts(scope: CulpritScope): Promise<CulpritHostRow[]> {
    const hunt = 'huntId' in scope;
    const { rows } = await this.db.query<{ hostId: string; labels: Record<string, string> | null; hits: string }>(
      `with w as (
         select id from watches where ${hunt ? 'hunt_id' : 'id'} = $1::bigint
       ), placed as (
         select host_id from assignments where watch_id in (select id from w)
         union
         select host_id from hit_counts_host where watch_id in (select id from w)
         union
         select host_id from hunt_hosts where $2 and hunt_id = $1::bigint
       )
       select p.host_id as "hostId", h.effective_labels as labels,
              (select coalesce(sum(c.hits), 0) from hit_counts_host c where c.host_id = p.host_id and c.watch_id in (select id from w))::text as hits
       from placed p
       left join hosts h on h.id = p.host_id
       order by p.host_id`,
      [hunt ? scope.huntId : scope.watchId, hunt],
    );
    return rows.map((r) => ({ hostId: r.hostId, labels: r.labels ?? {}, hits: Number(r.hits) }));
  }

  /** The label keys set on any host the watch was placed on: what else it can be grouped by. */
  async watchLabelKeys(watchId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ key: string }>(
      `select distinct jsonb_object_keys(h.effective_labels) as key
       from assignments a join hosts h on h.id = a.host_id
       where a.watch_id = $1::bigint
       order by 1`,
      [watchId],
    );
    return rows.map((r) => r.key);
  }
}
