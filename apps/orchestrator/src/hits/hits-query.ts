import type { FieldError } from '@physwatch/core';
import type { HitFilter } from '@physwatch/db';
import { InvalidQueryError } from '../common/errors';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
const KNOWN = ['watch_id', 'host_id', 'since', 'until', 'limit', 'cursor'];
const ID = /^[1-9][0-9]{0,17}$/;

/** The cursor is opaque to clients: the id of the last row of the previous page. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(`hit:${lastId}`).toString('base64url');
}

export function decodeCursor(cursor: string): string | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^hit:([0-9]+)$/.exec(text);
  return match && ID.test(match[1]) ? match[1] : null;
}

function parseTime(field: string, value: string, errors: FieldError[]): Date | undefined {
  const date = /^\d{4}-\d\d-\d\d(T[\d:.]+(Z|[+-]\d\d:?\d\d))?$/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    errors.push({ field, reason: `${JSON.stringify(value)} is not an ISO 8601 date or time with a zone` });
    return undefined;
  }
  return date;
}

/** GET /api/v1/hits query → repository filter; InvalidQueryError lists every bad parameter. */
export function parseHitsQuery(query: Record<string, unknown>): HitFilter {
  const errors: FieldError[] = [];
  const filter: HitFilter = { limit: DEFAULT_LIMIT };
  for (const key of Object.keys(query)) {
    if (!KNOWN.includes(key)) errors.push({ field: key, reason: `unknown parameter (allowed: ${KNOWN.join(', ')})` });
  }
  for (const [key, value] of Object.entries(query)) {
    if (KNOWN.includes(key) && typeof value !== 'string') errors.push({ field: key, reason: 'give it once' });
  }
  const q = query as Record<string, string | undefined>;
  if (typeof q.watch_id === 'string') {
    if (ID.test(q.watch_id)) filter.watchId = q.watch_id;
    else errors.push({ field: 'watch_id', reason: `${JSON.stringify(q.watch_id)} is not a watch id` });
  }
  if (typeof q.host_id === 'string') {
    if (q.host_id.length > 0 && q.host_id.length <= 128) filter.hostId = q.host_id;
    else errors.push({ field: 'host_id', reason: 'must be 1 to 128 characters' });
  }
  if (typeof q.since === 'string') filter.since = parseTime('since', q.since, errors);
  if (typeof q.until === 'string') filter.until = parseTime('until', q.until, errors);
  if (filter.since && filter.until && filter.since >= filter.until) errors.push({ field: 'until', reason: 'must be after since' });
  if (typeof q.limit === 'string') {
    const limit = /^[0-9]+$/.test(q.limit) ? Number(q.limit) : NaN;
    if (limit >= 1 && limit <= MAX_LIMIT) filter.limit = limit;
    else errors.push({ field: 'limit', reason: `${JSON.stringify(q.limit)} is not a whole number from 1 to ${MAX_LIMIT}` });
  }
  if (typeof q.cursor === 'string') {
    const beforeId = decodeCursor(q.cursor);
    if (beforeId) filter.beforeId = beforeId;
    else errors.push({ field: 'cursor', reason: 'not a cursor this API returned' });
  }
  if (errors.length > 0) throw new InvalidQueryError(errors);
  return filter;
}
