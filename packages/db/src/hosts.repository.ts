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
  labels: Record<string, string>;
  capabilities: Record<string, unknown>;
  /** null: the agent sent no KdumpReadiness (an agent without kdump support). */
  kdump: HostKdump | null;
}

/** A host as stored: what its last Hello said, plus what the orchestrator tracks. */
export interface HostRow extends HelloFacts {
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
}

const HOST_COLUMNS = `
  id, hostname, boot_id as "bootId", kernel_release as "kernelRelease", arch,
  agent_version as "agentVersion", labels, capabilities, kdump,
  first_seen_at as "firstSeenAt", last_seen_at as "lastSeenAt", connected,
  desired_generation::text as "desiredGeneration", applied_generation::text as "appliedGeneration"`;

// $1 is always the offline grace in milliseconds.
const ONLINE = `(connected and last_seen_at > now() - make_interval(secs => $1::double precision / 1000)) as online`;

export class HostsRepository {
  constructor(private readonly db: Queryable) {}

  /** A Hello: record the host's facts and that `connectionId` now holds its stream. */
  async upsertConnected(facts: HelloFacts, connectionId: string): Promise<void> {
    await this.db.query(
      `insert into hosts (id, hostname, boot_id, kernel_release, arch, agent_version, labels, capabilities, kdump, connected, connection_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $10, true, $9)
       on conflict (id) do update set
         hostname = excluded.hostname, boot_id = excluded.boot_id, kernel_release = excluded.kernel_release,
         arch = excluded.arch, agent_version = excluded.agent_version, labels = excluded.labels,
         capabilities = excluded.capabilities, kdump = excluded.kdump, connected = true, connection_id = excluded.connection_id,
         last_seen_at = now()`,
      [facts.id, facts.hostname, facts.bootId, facts.kernelRelease, facts.arch, facts.agentVersion,
        JSON.stringify(facts.labels), JSON.stringify(facts.capabilities), connectionId, facts.kdump === null ? null : JSON.stringify(facts.kdump)],
    );
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
      `select id, labels, nullif(coalesce(capabilities->>'max_watches', capabilities->>'maxWatches', '0')::int, 0) as "maxWatches", ${ONLINE}
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
      `select id, labels from hosts order by id`,
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
