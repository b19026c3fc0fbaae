import type { ApiTokenRow } from '@physwatch/db';

export interface TokenJson {
  id: string;
  name: string;
  role: string;
  /** The public part of the token ("pw_3f9a2b1c"); '' for the bootstrap token. */
  prefix: string;
  bootstrap: boolean;
  created_by_token_id: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Never the secret nor its hash: the repository does not even return the hash. */
export function tokenJson(row: ApiTokenRow): TokenJson {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    bootstrap: row.bootstrap,
    created_by_token_id: row.createdByTokenId,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}
