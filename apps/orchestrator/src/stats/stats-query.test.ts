import { describe, expect, it } from 'vitest';
import { InvalidQueryError } from '../common/errors';
import { defaultBucket, parseCulpritsQuery, parseHitGroupsQuery, parseOverviewQuery } from './stats-query';

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

describe('parseCulpritsQuery', () => {
  it('defaults to every key, 50 values, alpha 0.05', () => {
    expect(parseCulpritsQuery({})).toEqual({ limit: 50, alpha: 0.05 });
    expect(parseCulpritsQuery({ keys: 'dmi.bios.version,dmi.system.product', limit: '5', alpha: '0.01' })).toEqual({
      keys: ['dmi.bios.version', 'dmi.system.product'],
      limit: 5,
      alpha: 0.01,
    });
  });

  it('names every bad parameter', () => {
    expect(errors(() => parseCulpritsQuery({ keys: 'ok,,bad key', limit: '0', alpha: '1.5', by: 'x' }))).toEqual([
      { field: 'by', reason: 'unknown parameter (allowed: keys, limit, alpha)' },
      { field: 'limit', reason: '"0" is not a whole number from 1 to 1000' },
      { field: 'keys', reason: '"" is not a label key (give label keys separated by commas)' },
      { field: 'alpha', reason: '"1.5" is not a number between 0 and 1 such as 0.05' },
    ]);
    expect(errors(() => parseCulpritsQuery({ keys: ['a', 'b'] }))).toEqual([{ field: 'keys', reason: 'give it once' }]);
    expect(errors(() => parseCulpritsQuery({ keys: Array.from({ length: 65 }, (_, i) => `k${i}`).join(',') }))).toEqual([{ field: 'keys', reason: 'at most 64 keys' }]);
  });
});
