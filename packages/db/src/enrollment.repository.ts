import type { Queryable } from './pool';

export interface NewEnrollmentToken {
  name: string;
  prefix: string;
  /** sha256 of the whole token, hex. */
  tokenHash: string;
  labels: Record<string, string>;
  maxUses: number;
  expiresAt: Date;
  createdByTokenId: string | null;
}

/** An enrollment token as stored: never the secret, and the hash stays in this package. */
export interface EnrollmentTokenRow {
  id: string;
  name: string;
  prefix: string;
  labels: Record<string, string>;
  maxUses: number;
  uses: number;
  expiresAt: Date;
  createdByTokenId: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface HostIdentityRow {
  hostId: string;
  enrollmentTokenId: string | null;
  labels: Record<string, string>;
  enrolledAt: Date;
  revokedAt: Date | null;
}

export interface NewHostCertificate {
  /** Upper-case hex, as Node's X509Certificate.serialNumber gives it. */
  serial: string;
  hostId: string;
  kind: 'enrollment' | 'renewal';
  notBefore: Date;
  notAfter: Date;
}

/** Why a presented certificate is not accepted, or null when it is. */
export type CertificateRefusal = 'unknown' | 'other-host' | 'revoked' | null;

const TOKEN_COLUMNS = `id::text as id, name, prefix, labels, max_uses as "maxUses", uses, expires_at as "expiresAt",
  created_by_token_id::text as "createdByTokenId", created_at as "createdAt", revoked_at as "revokedAt"`;
const IDENTITY_COLUMNS = `host_id as "hostId", enrollment_token_id::text as "enrollmentTokenId", labels, enrolled_at as "enrolledAt", revoked_at as "revokedAt"`;

export class EnrollmentRepository {
  constructor(private readonly db: Queryable) {}

  async createToken(t: NewEnrollmentToken): Promise<EnrollmentTokenRow> {
    const { rows } = await this.db.query<EnrollmentTokenRow>(
      `insert into enrollment_tokens (name, prefix, token_hash, labels, max_uses, expires_at, created_by_token_id)
       values ($1, $2, $3, $4::jsonb, $5, $6, $7::bigint) returning ${TOKEN_COLUMNS}`,
      [t.name, t.prefix, t.tokenHash, JSON.stringify(t.labels), t.maxUses, t.expiresAt, t.createdByTokenId],
    );
    return rows[0];
  }

  /** Newest first, revoked, expired and used-up ones included. */
  async listTokens(): Promise<EnrollmentTokenRow[]> {
    const { rows } = await this.db.query<EnrollmentTokenRow>(`select ${TOKEN_COLUMNS} from enrollment_tokens order by id desc`);
    return rows;
  }

  /** Revokes once; null when the token does not exist, the row unchanged when already revoked. */
  async revokeToken(id: string): Promise<EnrollmentTokenRow | null> {
    const { rows } = await this.db.query<EnrollmentTokenRow>(
      `update enrollment_tokens set revoked_at = coalesce(revoked_at, now()) where id = $1::bigint returning ${TOKEN_COLUMNS}`,
      [id],
    );
    return rows[0] ?? null;
  }

  async findTokenByHash(tokenHash: string): Promise<EnrollmentTokenRow | null> {
    const { rows } = await this.db.query<EnrollmentTokenRow>(`select ${TOKEN_COLUMNS} from enrollment_tokens where token_hash = $1`, [tokenHash]);
    return rows[0] ?? null;
  }

  /**
   * Counts one use if the token still allows it (not revoked, not expired, uses left): the
   * row is locked only from here to the end of the transaction, and a concurrent use waits and
   * re-checks. Returns the token as it is now, and whether this use was counted.
   */
  async useToken(id: string): Promise<{ used: boolean; token: EnrollmentTokenRow | null }> {
    const { rows } = await this.db.query<EnrollmentTokenRow>(
      `update enrollment_tokens set uses = uses + 1
       where id = $1::bigint and revoked_at is null and expires_at > now() and uses < max_uses returning ${TOKEN_COLUMNS}`,
      [id],
    );
    if (rows[0]) return { used: true, token: rows[0] };
    const now = await this.db.query<EnrollmentTokenRow>(`select ${TOKEN_COLUMNS} from enrollment_tokens where id = $1::bigint`, [id]);
    return { used: false, token: now.rows[0] ?? null };
  }

  /** The host's identity, locked until the transaction ends. */
  async lockIdentity(hostId: string): Promise<HostIdentityRow | null> {
    const { rows } = await this.db.query<HostIdentityRow>(`select ${IDENTITY_COLUMNS} from host_identities where host_id = $1 for update`, [hostId]);
    return rows[0] ?? null;
  }

  /** The newest certificate of this host that is neither revoked nor expired, if any. */
  async activeCertificate(hostId: string): Promise<{ serial: string; notAfter: Date } | null> {
    const { rows } = await this.db.query<{ serial: string; notAfter: Date }>(
      `select serial, not_after as "notAfter" from host_certificates
       where host_id = $1 and revoked_at is null and not_after > now() order by not_after desc limit 1`,
      [hostId],
    );
    return rows[0] ?? null;
  }

  /** Enrolling (again) makes the host an active identity with the token's labels. */
  async upsertIdentity(hostId: string, enrollmentTokenId: string, labels: Record<string, string>): Promise<void> {
    await this.db.query(
      `insert into host_identities (host_id, enrollment_token_id, labels) values ($1, $2::bigint, $3::jsonb)
       on conflict (host_id) do update set enrollment_token_id = excluded.enrollment_token_id, labels = excluded.labels,
         enrolled_at = now(), revoked_at = null`,
      [hostId, enrollmentTokenId, JSON.stringify(labels)],
    );
  }

  async addCertificate(c: NewHostCertificate): Promise<void> {
    await this.db.query(
      `insert into host_certificates (serial, host_id, kind, not_before, not_after) values ($1, $2, $3, $4, $5)`,
      [c.serial, c.hostId, c.kind, c.notBefore, c.notAfter],
    );
  }

  /** Whether a stream presenting this certificate may be accepted as `hostId`. */
  async checkCertificate(serial: string, hostId: string): Promise<CertificateRefusal> {
    const { rows } = await this.db.query<{ hostId: string; revoked: boolean }>(
      `select c.host_id as "hostId", (c.revoked_at is not null or i.revoked_at is not null) as revoked
       from host_certificates c join host_identities i using (host_id) where c.serial = $1`,
      [serial],
    );
    const row = rows[0];
    if (!row) return 'unknown';
    if (row.hostId !== hostId) return 'other-host';
    return row.revoked ? 'revoked' : null;
  }

  /** Revokes the host and every certificate it holds; null when the host never enrolled. */
  async revokeHost(hostId: string): Promise<{ identity: HostIdentityRow; certificatesRevoked: number } | null> {
    const { rows } = await this.db.query<HostIdentityRow>(
      `update host_identities set revoked_at = coalesce(revoked_at, now()) where host_id = $1 returning ${IDENTITY_COLUMNS}`,
      [hostId],
    );
    if (!rows[0]) return null;
    const certs = await this.db.query(`update host_certificates set revoked_at = now() where host_id = $1 and revoked_at is null`, [hostId]);
    return { identity: rows[0], certificatesRevoked: certs.rowCount ?? 0 };
  }
}
