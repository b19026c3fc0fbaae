import { describe, expect, it } from 'vitest';
import { InvalidQueryError } from '../common/errors';
import { defaultBucket, parseHitGroupsQuery, parseOverviewQuery } from './stats-query';

function errors(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidQueryError) return err.errors;
    throw err;
  }
  return [];
}

describe('parseOverviewQuery', () => {
  const now = new Date('2026-11-26T12:00:00Z');

  it('defaults to the last 24 hours in hourly buckets', () => {
    expect(parseOverviewQuery({}, now)).toEqual({ since: new Date('2026-11-25T12:00:00Z'), until: now, bucket: '1h', bucketSeconds: 3600 });
  });

  it('takes a range, a bucket and a watch', () => {
    const q = parseOverviewQuery({ since: '2026-11-26T11:00:00Z', until: '2026-11-26T12:00:00Z', bucket: '5m', watch_id: '7' }, now);
    expect(q).toMatchObject({ bucket: '5m', bucketSeconds: 300, watchId: '7' });
  });

  it('names each bad parameter', () => {
    expect(errors(() => parseOverviewQuery({ bucket: '10s', watch_id: 'x', since: 'yesterday', limit: '5' }, now))).toEqual([
      { field: 'limit', reason: 'unknown parameter (allowed: since, until, bucket, watch_id)' },
      { field: 'since', reason: '"yesterday" is not an ISO 8601 date or time with a zone' },
      { field: 'watch_id', reason: '"x" is not a watch id' },
      { field: 'bucket', reason: '"10s" is not a bucket size such as 1m, 5m, 1h or 1d' },
    ]);
    expect(errors(() => parseOverviewQuery({ since: '2026-01-01T00:00:00Z', bucket: '1m' }, now))).toEqual([
      { field: 'bucket', reason: '1m gives more than 2000 buckets between since and until; choose a larger one' },
    ]);
    expect(errors(() => parseOverviewQuery({ since: '2026-11-27T00:00:00Z' }, now))).toEqual([{ field: 'until', reason: 'must be after since' }]);
  });

  it('picks a default bucket that gives a readable number of bars', () => {
    expect(defaultBucket(3_600_000)).toBe('5m');
    expect(defaultBucket(30 * 86_400_000)).toBe('1d');
  });
});

describe('parseHitGroupsQuery', () => {
  it('requires a label key', () => {
    expect(parseHitGroupsQuery({ by: 'dmi.bios.version' })).toEqual({ by: 'dmi.bios.version' });
    expect(errors(() => parseHitGroupsQuery({}))).toEqual([{ field: 'by', reason: 'required: a host label key such as dmi.bios.version' }]);
    expect(errors(() => parseHitGroupsQuery({ by: 'a b' }))).toEqual([{ field: 'by', reason: '"a b" is not a label key' }]);
  });
});
