import { describe, expect, it } from 'vitest';
import { InvalidQueryError } from '../common/errors';
import { decodeCursor, encodeCursor, parseHitsQuery } from './hits-query';

function errorsOf(query: Record<string, unknown>): string[] {
  try {
    parseHitsQuery(query);
  } catch (err) {
    if (err instanceof InvalidQueryError) return err.errors.map((e) => e.field);
    throw err;
  }
  return [];
}

describe('parseHitsQuery', () => {
  it('defaults the limit and reads every filter', () => {
    expect(parseHitsQuery({})).toEqual({ limit: 100 });
    expect(
      parseHitsQuery({ watch_id: '12', host_id: 'h-1', since: '2026-01-01T00:00:00Z', until: '2026-01-02T00:00:00.5+01:00', limit: '1000', cursor: encodeCursor('77') }),
    ).toEqual({
      watchId: '12',
      hostId: 'h-1',
      since: new Date('2026-01-01T00:00:00Z'),
      until: new Date('2026-01-01T23:00:00.500Z'),
      limit: 1000,
      beforeId: '77',
    });
  });

  it('names every bad parameter at once', () => {
    expect(errorsOf({ watch_id: 'abc', since: 'yesterday', until: '2026-13-45', limit: '0', cursor: 'not-a-cursor', extra: '1' }).sort()).toEqual(
      ['cursor', 'extra', 'limit', 'since', 'until', 'watch_id'],
    );
    expect(errorsOf({ limit: '1001' })).toEqual(['limit']);
    expect(errorsOf({ limit: ['1', '2'] })).toEqual(['limit']);
    expect(errorsOf({ since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' })).toEqual(['until']);
  });

  it('filters by writer, one of the three; any other is named', () => {
    expect(parseHitsQuery({ writer: 'cpu' })).toEqual({ limit: 100, writer: 'cpu' });
    expect(parseHitsQuery({ writer: 'no_cpu_via_kernel_map', watch_id: '3' })).toEqual({ limit: 100, watchId: '3', writer: 'no_cpu_via_kernel_map' });
    expect(parseHitsQuery({ writer: 'unknown' })).toMatchObject({ writer: 'unknown' });
    for (const writer of ['CPU', 'dma', '', 'null']) expect(errorsOf({ writer })).toEqual(['writer']);
    expect(errorsOf({ writer: ['cpu', 'unknown'] })).toEqual(['writer']);
  });

  it('round-trips the opaque cursor and refuses forged ones', () => {
    expect(decodeCursor(encodeCursor('123456'))).toBe('123456');
    expect(decodeCursor(Buffer.from('hit:abc').toString('base64url'))).toBeNull();
    expect(decodeCursor(Buffer.from('hit:0').toString('base64url'))).toBeNull();
  });
});
