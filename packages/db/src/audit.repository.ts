import type { Queryable } from './pool';

/** One change, or one refused attempt at a change, as it happened. */
export interface NewAuditEntry {
  tokenId: string | null;
  tokenName: string | null;
  tokenRole: string | null;
  action: string;
  target: string | null;
  sourceIp: string;
  method: string;
  path: string;
  /** JSON-serialisable, secrets already redacted; null when the request had no body. */
  requestBody: unknown;
  status: number;
}

export interface AuditRow extends NewAuditEntry {
  id: string;
  at: Date;
}

export interface AuditFilter {
  since?: Date;
  until?: Date;
  action?: string;
  tokenId?: string;
  /** Keyset cursor: only rows with id < beforeId. */
  beforeId?: string;
  limit: number;
}

const COLUMNS = `id::text as id, at, token_id::text as "tokenId", token_name as "tokenName", token_role as "tokenRole",
  action, target, source_ip as "sourceIp", method, path, request_body as "requestBody", status`;

export class AuditRepository {
  constructor(private readonly db: Queryable) {}

  async insert(e: NewAuditEntry): Promise<AuditRow> {
    const { rows } = await this.db.query<AuditRow>(
      `insert into audit_log (token_id, token_name, token_role, action, target, source_ip, method, path, request_body, status)
       values ($1::bigint, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)
       returning ${COLUMNS}`,
      [e.tokenId, e.tokenName, e.tokenRole, e.action, e.target, e.sourceIp, e.method, e.path,
        e.requestBody === null || e.requestBody === undefined ? null : JSON.stringify(e.requestBody), e.status],
    );
    return rows[0];
  }

  /** Newest first (id desc). Fetch limit + 1 to learn whether another page follows. */
  async list(filter: AuditFilter): Promise<AuditRow[]> {
    const { rows } = await this.db.query<AuditRow>(
      `select ${COLUMNS} from audit_log
       where ($1::timestamptz is null or at >= $1)
         and ($2::timestamptz is null or at < $2)
         and ($3::text is null or action = $3)
         and ($4::bigint is null or token_id = $4)
         and ($5::bigint is null or id < $5)
       order by audit_log.id desc
       limit $6`,
      [filter.since ?? null, filter.until ?? null, filter.action ?? null, filter.tokenId ?? null, filter.beforeId ?? null, filter.limit],
    );
    return rows;
  }
}
