import type { Queryable } from './pool';

/** KdumpReadiness as the agent's Hello gave it (snake_case, as stored in hosts.kdump). */
export interface HostKdump {
  crash_kernel_loaded: boolean;
  crash_allowed: boolean;
  policy_source: string;
}

export interface HelloFacts {
  id: string;
  hostname: string;
  bootId: string;
  kernelRelease: string;
  arch: string;
  agentVersion: string;
  /** What the host reports about itself; operator labels are kept apart (setOperatorLabels). */
  labels: Record<string, string>;
  capabilities: Record<string, unknown>;
  /** null: the agent sent no KdumpReadiness (an agent without kdump support). */
  kdump: HostKdump | null;
  /** Earlier boots whose hits the agent still holds; announced with this Hello's boot. */
  spooledBootIds?: readonly string[];
}

/** A host as stored: what its last Hello said, plus what the orchestrator tracks. */
export interface HostRow extends Omit<HelloFacts, 'labels' | 'spooledBootIds'> {
  /** Both kinds merged, the operator's value winning on a key both set: what placement matches. */
  labels: Record<string, string>;
  /** As the host's last Hello reported them. */
  reportedLabels: Record<string, string>;
  /** Set by an operator (REST) or by the enrollment token the host joined with. */
  operatorLabels: Record<string, string>;
  firstSeenAt: Date;
  lastSeenAt: Date;
  connected: boolean;
  /** connected, and heard from within the grace the caller passed. */
  online: boolean;
  desiredGeneration: string;
  appliedGeneration: string;
}

/** A host as the scheduler sees it. */
export interface SchedulableHost {
  id: string;
  labels: Record<string, string>;
  /** capabilities.max_watches when the agent gave a positive one, else null (no limit). */
  maxWatches: number | null;
  online: boolean;
  /** As the agent sent them in Hello; the scheduler reads modes, target kinds and phys_addr_bits (core hostLimits). */
  capabilities: Record<string, unknown>;
}

const HOST_COLUMNS = `
  id, hostname, boot_id as "bootId", kernel_release as "kernelRelease", arch,
  agent_version as "agentVersion", effective_labels as labels, labels as "reportedLabels",
  operator_labels as "operatorLabels", capabilities, kdump,
  first_seen_at as "firstSeenAt", last_seen_at as "lastSeenAt", connected,
  desired_generation::text as "desiredGeneration", applied_generation::text as "appliedGeneration"`;

// $1 is always the offline grace in milliseconds.
const ONLINE = `(connected and last_seen_at > now() - make_interval(secs => $1::double precision / 1000)) as online`;

export class HostsRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * A Hello: record the host's facts, its boots (host_boots: what hits may be stored under) and
   * that `connectionId` now holds its stream. Returns its labels merged with the operator's,
   * which are what placement must match.
   */
  async upsertConnected(facts: HelloFacts, connectionId: string): Promise<{ labels: Record<string, string> }> {
    const { rows } = await this.db.query<{ labels: Record<string, string> }>(
      `with host as (insert into hosts (id, hostname, boot_id, kernel_release, arch, agent_version, labels, capabilities, kdump, connected, connection_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $10, true, $9)
       on conflict (id) do update set
         hostname = excluded.hostname, boot_id = excluded.boot_id, kernel_release = excluded.kernel_release,
         arch = excluded.arch, agent_version = excluded.agent_version, labels = excluded.labels,
         capabilities = excluded.capabilities, kdump = excluded.kdump, connected = true, connection_id = excluded.connection_id,
         last_seen_at = now()
       returning id, effective_labels),
       boots as (insert into host_boots (host_id, boot_id)
         select host.id, b from host, unnest(array_prepend($3::text, $11::text[])) as b
         on conflict do nothing)
       select effective_labels as labels from host`,
      [facts.id, facts.hostname, facts.bootId, facts.kernelRelease, facts.arch, facts.agentVersion,
        JSON.stringify(facts.labels), JSON.stringify(facts.capabilities), connectionId, facts.kdump === null ? null : JSON.stringify(facts.kdump),
        facts.spooledBootIds ?? []],
    );
    return rows[0];
  }

  /**
   * Replaces the labels an operator gave a host (REST, or the enrollment token it joined with).
   * A host not yet known is created as never connected (hostname as given, no boot): the labels
   * are in place for its first Hello's placement. The caller audits the change.
   */
  async setOperatorLabels(hostId: string, labels: Record<string, string>, hostname = ''): Promise<void> {
    await this.db.query(
      `insert into hosts (id, hostname, boot_id, operator_labels) values ($1, $3, '', $2)
       on conflict (id) do update set operator_labels = excluded.operator_labels`,
      [hostId, JSON.stringify(labels), hostname],
    );
  }

  /** Of `bootIds`, those the host has announced. */
  async announcedBoots(hostId: string, bootIds: readonly string[]): Promise<Set<string>> {
    const { rows } = await this.db.query<{ bootId: string }>(
      `select boot_id as "bootId" from host_boots where host_id = $1 and boot_id = any($2::text[])`,
      [hostId, bootIds],
    );
    return new Set(rows.map((r) => r.bootId));
  }

  /** Only the stream that still holds the host may mark it disconnected. Returns whether it did. */
  async markDisconnected(hostId: string, connectionId: string): Promise<boolean> {
    const result = await this.db.query(
      `update hosts set connected = false, connection_id = null where id = $1 and connection_id = $2`,
      [hostId, connectionId],
    );
    return result.rowCount === 1;
  }

  async touchHeartbeat(hostId: string, appliedGeneration: string): Promise<void> {
    await this.db.query(
      `update hosts set last_seen_at = now(), applied_generation = $2::bigint where id = $1`,
      [hostId, appliedGeneration],
    );
  }

  /** One statement for any number of hosts; returns each host's new generation. */
  async bumpDesiredGeneration(hostIds: readonly string[]): Promise<Map<string, string>> {
    if (hostIds.length === 0) return new Map();
    const { rows } = await this.db.query<{ id: string; generation: string }>(
      `update hosts set desired_generation = desired_generation + 1
       where id = any($1::text[])
       returning id, desired_generation::text as generation`,
      [hostIds],
    );
    return new Map(rows.map((r) => [r.id, r.generation]));
  }

  async list(offlineAfterMs: number): Promise<HostRow[]> {
    const { rows } = await this.db.query<HostRow>(
      `select ${HOST_COLUMNS}, ${ONLINE} from hosts order by id`,
      [offlineAfterMs],
    );
    return rows;
  }

  async get(hostId: string, offlineAfterMs: number): Promise<HostRow | null> {
    const { rows } = await this.db.query<HostRow>(
      `select ${HOST_COLUMNS}, ${ONLINE} from hosts where id = $2`,
      [offlineAfterMs, hostId],
    );
    return rows[0] ?? null;
  }

  async listSchedulable(offlineAfterMs: number): Promise<SchedulableHost[]> {
    const { rows } = await this.db.query<SchedulableHost>(
      `select id, effective_labels as labels, nullif(coalesce(capabilities->>'max_watches', capabilities->>'maxWatches', '0')::int, 0) as "maxWatches", capabilities, ${ONLINE}
       from hosts order by id`,
      [offlineAfterMs],
    );
    return rows;
  }

  /** Desired generation of each of `hostIds` that exists. */
  async desiredGenerations(hostIds: readonly string[]): Promise<Map<string, string>> {
    const { rows } = await this.db.query<{ id: string; generation: string }>(
      `select id, desired_generation::text as generation from hosts where id = any($1::text[])`,
      [hostIds],
    );
    return new Map(rows.map((r) => [r.id, r.generation]));
  }

  /** Id and labels of every known host: what placement matches a selector against. */
  async listLabels(): Promise<Array<{ id: string; labels: Record<string, string> }>> {
    const { rows } = await this.db.query<{ id: string; labels: Record<string, string> }>(
      `select id, effective_labels as labels from hosts order by id`,
    );
    return rows;
  }

  /** Of `hostIds`, those that exist. */
  async existing(hostIds: readonly string[]): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `select id from hosts where id = any($1::text[]) order by id`,
      [hostIds],
    );
    return rows.map((r) => r.id);
  }
}
