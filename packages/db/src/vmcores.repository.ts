import type { Queryable } from './pool';

/** A crash dump as the agent reported it; u64 quantities are decimal strings. */
export interface NewVmcore {
  hostId: string;
  /** '' when the agent could not tell which boot the dump is from. */
  crashedBootId: string;
  path: string;
  layout: string;
  format: string;
  sizeBytes: string;
  sha256: string;
  dumpLevel: number;
  crashTime: Date | null;
  kernelRelease: string;
  dmesgPath: string;
  dmesgExcerpt: string;
  /** The CrashRequest the agent obeyed before this dump; null for a crash it did not cause. */
  crashRequestId: string | null;
}

export interface VmcoreRow extends NewVmcore {
  id: string;
  watchId: string | null;
  hitId: string | null;
  kdumpJobId: string | null;
  receivedAt: Date;
}

export interface VmcoreLink {
  hitId: string;
  watchId: string;
  kdumpJobId: string | null;
}

export interface VmcoreFilter {
  hostId?: string;
  watchId?: string;
  hitId?: string;
  /** Keyset cursor: only rows with id < beforeId. */
  beforeId?: string;
  limit: number;
}

const COLUMNS = `id::text as id, host_id as "hostId", crashed_boot_id as "crashedBootId", watch_id::text as "watchId",
  hit_id::text as "hitId", path, layout, format, size_bytes::text as "sizeBytes", sha256, dump_level as "dumpLevel",
  crash_time as "crashTime", kernel_release as "kernelRelease", dmesg_path as "dmesgPath", dmesg_excerpt as "dmesgExcerpt",
  crash_request_id as "crashRequestId", kdump_job_id as "kdumpJobId", received_at as "receivedAt"`;

export class VmcoresRepository {
  constructor(private readonly db: Queryable) {}

  /** Stores a dump once per (host, path): a re-sent report gets the row stored the first time. */
  async insert(v: NewVmcore): Promise<{ row: VmcoreRow; created: boolean }> {
    const { rows } = await this.db.query<VmcoreRow>(
      `insert into vmcores (host_id, crashed_boot_id, path, layout, format, size_bytes, sha256, dump_level, crash_time,
                            kernel_release, dmesg_path, dmesg_excerpt, crash_request_id)
       values ($1, $2, $3, $4, $5, $6::bigint, $7, $8, $9, $10, $11, $12, $13)
       on conflict (host_id, path) do nothing
       returning ${COLUMNS}`,
      [v.hostId, v.crashedBootId, v.path, v.layout, v.format, v.sizeBytes, v.sha256, v.dumpLevel, v.crashTime,
        v.kernelRelease, v.dmesgPath, v.dmesgExcerpt, v.crashRequestId],
    );
    if (rows[0]) return { row: rows[0], created: true };
    const existing = await this.db.query<VmcoreRow>(`select ${COLUMNS} from vmcores where host_id = $1 and path = $2`, [v.hostId, v.path]);
    return { row: existing.rows[0], created: false };
  }

  async link(id: string, link: VmcoreLink): Promise<VmcoreRow> {
    const { rows } = await this.db.query<VmcoreRow>(
      `update vmcores set hit_id = $2::bigint, watch_id = $3::bigint, kdump_job_id = coalesce($4, kdump_job_id)
       where id = $1::bigint returning ${COLUMNS}`,
      [id, link.hitId, link.watchId, link.kdumpJobId],
    );
    return rows[0];
  }

  /**
   * The dump a kdump job crashed its host for: reported with the job's request id, or from
   * the boot the job crashed (`bootBefore`) when the agent could not name the request.
   */
  async findForJob(hostId: string, jobId: string, bootBefore: string | null): Promise<VmcoreRow | null> {
    const { rows } = await this.db.query<VmcoreRow>(
      `select ${COLUMNS} from vmcores
       where host_id = $1 and (kdump_job_id = $2 or crash_request_id = $2 or ($3::text is not null and crashed_boot_id = $3))
       order by coalesce(kdump_job_id = $2 or crash_request_id = $2, false) desc, id
       limit 1`,
      [hostId, jobId, bootBefore],
    );
    return rows[0] ?? null;
  }

  async get(id: string): Promise<VmcoreRow | null> {
    const { rows } = await this.db.query<VmcoreRow>(`select ${COLUMNS} from vmcores where id = $1::bigint`, [id]);
    return rows[0] ?? null;
  }

  /** Newest first (id desc). Fetch limit + 1 to learn whether another page follows. */
  async list(filter: VmcoreFilter): Promise<VmcoreRow[]> {
    const { rows } = await this.db.query<VmcoreRow>(
      `select ${COLUMNS} from vmcores
       where ($1::text is null or host_id = $1)
         and ($2::bigint is null or watch_id = $2)
         and ($3::bigint is null or hit_id = $3)
         and ($4::bigint is null or id < $4)
       order by vmcores.id desc
       limit $5`,
      [filter.hostId ?? null, filter.watchId ?? null, filter.hitId ?? null, filter.beforeId ?? null, filter.limit],
    );
    return rows;
  }
}
