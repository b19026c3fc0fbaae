import type { TokenView } from '@physwatch/core';
import type { ApiTokenRow } from '@physwatch/db';

/** Never the secret nor its hash: the repository does not even return the hash. */
export function tokenJson(row: ApiTokenRow): TokenView {
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
