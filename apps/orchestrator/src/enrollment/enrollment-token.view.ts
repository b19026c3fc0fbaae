import type { EnrollmentTokenView } from '@physwatch/core';
import type { EnrollmentTokenRow } from '@physwatch/db';

export function tokenState(row: EnrollmentTokenRow, now = Date.now()): EnrollmentTokenView['state'] {
  if (row.revokedAt) return 'revoked';
  if (row.expiresAt.getTime() <= now) return 'expired';
  if (row.uses >= row.maxUses) return 'used_up';
  return 'active';
}

export function enrollmentTokenJson(row: EnrollmentTokenRow): EnrollmentTokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    labels: row.labels,
    max_uses: row.maxUses,
    uses: row.uses,
    expires_at: row.expiresAt.toISOString(),
    created_by_token_id: row.createdByTokenId,
    created_at: row.createdAt.toISOString(),
    revoked_at: row.revokedAt?.toISOString() ?? null,
    state: tokenState(row),
  };
}
