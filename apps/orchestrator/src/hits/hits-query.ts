import { HIT_WRITERS } from '@physwatch/core';
import type { HitFilter } from '@physwatch/db';
import { decodeCursor as decodeKindCursor, encodeCursor as encodeKindCursor, QueryReader } from '../common/query-reader';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
const KNOWN = ['watch_id', 'host_id', 'writer', 'since', 'until', 'limit', 'cursor'];

export function encodeCursor(lastId: string): string {
  return encodeKindCursor('hit', lastId);
}

export function decodeCursor(cursor: string): string | null {
  return decodeKindCursor('hit', cursor);
}

/** GET /api/v1/hits query → repository filter; InvalidQueryError lists every bad parameter. */
export function parseHitsQuery(query: Record<string, unknown>): HitFilter {
  const r = new QueryReader(query, KNOWN);
  const filter: HitFilter = { limit: r.limit(DEFAULT_LIMIT, MAX_LIMIT) };
  const watchId = r.id('watch_id', 'watch');
  const hostId = r.text('host_id');
  const writer = r.oneOf('writer', HIT_WRITERS);
  const since = r.time('since');
  const until = r.time('until');
  const beforeId = r.cursor('hit');
  if (since && until && since >= until) r.fail('until', 'must be after since');
  r.done();
  if (watchId) filter.watchId = watchId;
  if (hostId) filter.hostId = hostId;
  if (writer) filter.writer = writer;
  if (since) filter.since = since;
  if (until) filter.until = until;
  if (beforeId) filter.beforeId = beforeId;
  return filter;
}
