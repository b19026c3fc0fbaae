import { KDUMP_STATES, KdumpJobFilter, VmcoreFilter } from '@physwatch/db';
import { QueryReader } from '../common/query-reader';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** GET /api/v1/vmcores query → repository filter; InvalidQueryError lists every bad parameter. */
export function parseVmcoresQuery(query: Record<string, unknown>): VmcoreFilter {
  const r = new QueryReader(query, ['host_id', 'watch_id', 'hit_id', 'limit', 'cursor']);
  const filter: VmcoreFilter = {
    hostId: r.text('host_id'),
    watchId: r.id('watch_id', 'watch'),
    hitId: r.id('hit_id', 'hit'),
    limit: r.limit(DEFAULT_LIMIT, MAX_LIMIT),
    beforeId: r.cursor('vmcore'),
  };
  r.done();
  return filter;
}

/** GET /api/v1/kdump-jobs query → repository filter. */
export function parseKdumpJobsQuery(query: Record<string, unknown>): KdumpJobFilter {
  const r = new QueryReader(query, ['state', 'host_id', 'watch_id', 'limit']);
  const filter: KdumpJobFilter = {
    state: r.oneOf('state', KDUMP_STATES),
    hostId: r.text('host_id'),
    watchId: r.id('watch_id', 'watch'),
    limit: r.limit(DEFAULT_LIMIT, MAX_LIMIT),
  };
  r.done();
  return filter;
}
