import type { AuditFilter } from '@physwatch/db';
import { QueryReader } from '../common/query-reader';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
export const AUDIT_CURSOR = 'audit';
const KNOWN = ['since', 'until', 'action', 'token_id', 'limit', 'cursor'];

/** GET /api/v1/audit query → repository filter; InvalidQueryError lists every bad parameter. */
export function parseAuditQuery(query: Record<string, unknown>): AuditFilter {
  const r = new QueryReader(query, KNOWN);
  const filter: AuditFilter = { limit: r.limit(DEFAULT_LIMIT, MAX_LIMIT) };
  const since = r.time('since');
  const until = r.time('until');
  const action = r.text('action');
  const tokenId = r.id('token_id', 'token');
  const beforeId = r.cursor(AUDIT_CURSOR);
  if (since && until && since >= until) r.fail('until', 'must be after since');
  r.done();
  if (since) filter.since = since;
  if (until) filter.until = until;
  if (action) filter.action = action;
  if (tokenId) filter.tokenId = tokenId;
  if (beforeId) filter.beforeId = beforeId;
  return filter;
}
