import { DEFAULT_CULPRIT_ALPHA } from '@physwatch/core';
import { QueryReader } from '../common/query-reader';

/** Bucket sizes: a number and a unit, at least a minute (the finest rollup). */
const BUCKET = /^([1-9][0-9]{0,4})(m|h|d)$/;
const UNIT_SECONDS = { m: 60, h: 3600, d: 86400 } as const;
export const MAX_BUCKETS = 2000;
const DEFAULT_RANGE_MS = 86_400_000;

export interface OverviewQuery {
  since: Date;
  until: Date;
  bucket: string;
  bucketSeconds: number;
  watchId?: string;
}

/** The bucket that gives at most about 40 bars over the range, from the sizes the rollups serve well. */
export function defaultBucket(rangeMs: number): string {
  const sizes = ['1m', '5m', '15m', '30m', '1h', '3h', '6h', '12h', '1d', '7d'];
  return sizes.find((s) => bucketSeconds(s)! * 1000 * 40 >= rangeMs) ?? '7d';
}

export function bucketSeconds(bucket: string): number | null {
  const m = BUCKET.exec(bucket);
  return m ? Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS] : null;
}

/** GET /api/v1/stats/overview query; InvalidQueryError names every bad parameter. */
export function parseOverviewQuery(query: Record<string, unknown>, now = new Date()): OverviewQuery {
  const r = new QueryReader(query, ['since', 'until', 'bucket', 'watch_id']);
  const until = r.time('until') ?? now;
  const since = r.time('since') ?? new Date(until.getTime() - DEFAULT_RANGE_MS);
  const watchId = r.id('watch_id', 'watch');
  const raw = r.text('bucket');
  if (since >= until) r.fail('until', 'must be after since');
  const bucket = raw ?? defaultBucket(until.getTime() - since.getTime());
  const seconds = bucketSeconds(bucket);
  if (seconds === null) r.fail('bucket', `${JSON.stringify(bucket)} is not a bucket size such as 1m, 5m, 1h or 1d`);
  else if ((until.getTime() - since.getTime()) / (seconds * 1000) > MAX_BUCKETS) {
    r.fail('bucket', `${bucket} gives more than ${MAX_BUCKETS} buckets between since and until; choose a larger one`);
  }
  r.done();
  return { since, until, bucket, bucketSeconds: seconds!, ...(watchId ? { watchId } : {}) };
}

const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;

/** GET /api/v1/watches/:id/hit-groups query: `by`, a host label key, is required. */
export function parseHitGroupsQuery(query: Record<string, unknown>): { by: string } {
  const r = new QueryReader(query, ['by']);
  const by = r.text('by');
  if (by === undefined && !r.errors.some((e) => e.field === 'by')) r.fail('by', 'required: a host label key such as dmi.bios.version');
  else if (by !== undefined && !LABEL_KEY.test(by)) r.fail('by', `${JSON.stringify(by)} is not a label key`);
  r.done();
  return { by: by! };
}

export const CULPRIT_LIMITS = { defaultLimit: 50, maxLimit: 1000, maxKeys: 64 } as const;

export interface CulpritsQuery {
  keys?: string[];
  limit: number;
  alpha: number;
}

/** GET /api/v1/watches/:id/culprits and /hunts/:id/culprits: `keys` (comma-separated label keys), `limit`, `alpha`. */
export function parseCulpritsQuery(query: Record<string, unknown>): CulpritsQuery {
  const r = new QueryReader(query, ['keys', 'limit', 'alpha']);
  const limit = r.limit(CULPRIT_LIMITS.defaultLimit, CULPRIT_LIMITS.maxLimit);
  const rawKeys = typeof query.keys === 'string' ? query.keys : undefined;
  let keys: string[] | undefined;
  if (rawKeys !== undefined) {
    keys = rawKeys.split(',');
    const bad = keys.find((k) => !LABEL_KEY.test(k));
    if (bad !== undefined) r.fail('keys', `${JSON.stringify(bad)} is not a label key (give label keys separated by commas)`);
    else if (keys.length > CULPRIT_LIMITS.maxKeys) r.fail('keys', `at most ${CULPRIT_LIMITS.maxKeys} keys`);
  }
  const rawAlpha = typeof query.alpha === 'string' ? query.alpha : undefined;
  const alpha = rawAlpha === undefined ? DEFAULT_CULPRIT_ALPHA : /^0?\.[0-9]{1,12}$/.test(rawAlpha) ? Number(rawAlpha) : NaN;
  if (!(alpha > 0 && alpha < 1)) r.fail('alpha', `${JSON.stringify(rawAlpha)} is not a number between 0 and 1 such as 0.05`);
  r.done();
  return { ...(keys ? { keys } : {}), limit, alpha };
}
