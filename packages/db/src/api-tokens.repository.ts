import type { Role } from '@physwatch/core';
import type { Queryable } from './pool';

export interface NewApiToken {
  name: string;
  role: Role;
  prefix: string;
  /** sha256 of the whole token, hex. */
  tokenHash: string;
  createdByTokenId: string | null;
}

/** A token as stored: never the secret, and the hash stays in this package. */
export interface ApiTokenRow {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  bootstrap: boolean;
  createdByTokenId: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const COLUMNS = `id::text as id, name, role, prefix, bootstrap, created_by_token_id::text as "createdByTokenId",
  created_at as "createdAt", last_used_at as "lastUsedAt", revoked_at as "revokedAt"`;

export class ApiTokensRepository {
  constructor(private readonly db: Queryable) {}

  async create(t: NewApiToken): Promise<ApiTokenRow> {
    const { rows } = await this.db.query<ApiTokenRow>(
      `insert into api_tokens (name, role, prefix, token_hash, created_by_token_id)
       values ($1, $2, $3, $4, $5::bigint) returning ${COLUMNS}`,
      [t.name, t.role, t.prefix, t.tokenHash, t.createdByTokenId],
    );
    return rows[0];
  }

  /** The active (not revoked) token with this hash. */
  async findActiveByHash(tokenHash: string): Promise<ApiTokenRow | null> {
    const { rows } = await this.db.query<ApiTokenRow>(
      `select ${COLUMNS} from api_tokens where token_hash = $1 and revoked_at is null`,
      [tokenHash],
    );
    return rows[0] ?? null;
  }

  async get(id: string): Promise<ApiTokenRow | null> {
    const { rows } = await this.db.query<ApiTokenRow>(`select ${COLUMNS} from api_tokens where id = $1::bigint`, [id]);
    return rows[0] ?? null;
  }

  /** Newest first, revoked ones included (they still name who did what in the audit log). */
  async list(): Promise<ApiTokenRow[]> {
    const { rows } = await this.db.query<ApiTokenRow>(`select ${COLUMNS} from api_tokens order by api_tokens.id desc`);
    return rows;
  }

  /** Revokes once; null when the token does not exist, the row unchanged when already revoked. */
  async revoke(id: string): Promise<ApiTokenRow | null> {
    const { rows } = await this.db.query<ApiTokenRow>(
      `update api_tokens set revoked_at = coalesce(revoked_at, now()) where id = $1::bigint returning ${COLUMNS}`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Records a use unless one was recorded in the last minute: most requests write nothing. */
  async touch(id: string): Promise<void> {
    await this.db.query(
      `update api_tokens set last_used_at = now()
       where id = $1::bigint and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }

  /**
   * Makes the token with this hash the one active bootstrap admin token: an active bootstrap
   * token with another hash is revoked (the setting changed), and a new row is added unless
   * this hash is already active. Safe to run from several replicas at once.
   */
  async upsertBootstrap(tokenHash: string, prefix: string): Promise<{ row: ApiTokenRow; created: boolean; revoked: string[] }> {
    const revoked = await this.db.query<{ id: string }>(
      `update api_tokens set revoked_at = now() where bootstrap and revoked_at is null and token_hash <> $1 returning id::text as id`,
      [tokenHash],
    );
    const inserted = await this.db.query<ApiTokenRow>(
      `insert into api_tokens (name, role, prefix, token_hash, bootstrap) values ('bootstrap', 'admin', $2, $1, true)
       on conflict (token_hash) where revoked_at is null do nothing
       returning ${COLUMNS}`,
      [tokenHash, prefix],
    );
    if (inserted.rows[0]) return { row: inserted.rows[0], created: true, revoked: revoked.rows.map((r) => r.id) };
    const existing = await this.findActiveByHash(tokenHash);
    return { row: existing!, created: false, revoked: revoked.rows.map((r) => r.id) };
  }
}
