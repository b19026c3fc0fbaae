import { describe, expect, it } from 'vitest';
import { InvalidQueryError } from '../common/errors';
import { encodeCursor } from '../common/query-reader';
import { parseKdumpJobsQuery, parseVmcoresQuery } from './kdump-query';

function fieldsOf(parse: () => unknown): string[] {
  try {
    parse();
  } catch (err) {
    if (err instanceof InvalidQueryError) return err.errors.map((e) => e.field);
    throw err;
  }
  return [];
}

describe('kdump list queries', () => {
  it('reads the vmcore filters and cursor', () => {
    expect(parseVmcoresQuery({ host_id: 'h1', watch_id: '3', hit_id: '9', limit: '5', cursor: encodeCursor('vmcore', '40') })).toEqual({
      hostId: 'h1', watchId: '3', hitId: '9', limit: 5, beforeId: '40',
    });
    expect(parseVmcoresQuery({})).toMatchObject({ limit: 100 });
  });

  it('names every bad parameter, including a cursor of another list', () => {
    expect(fieldsOf(() => parseVmcoresQuery({ watch_id: 'x', hit_id: '0', limit: '0', cursor: encodeCursor('hit', '4'), colour: 'red' })).sort())
      .toEqual(['colour', 'cursor', 'hit_id', 'limit', 'watch_id']);
    expect(fieldsOf(() => parseKdumpJobsQuery({ state: 'sleeping', host_id: '', watch_id: ['1', '2'] })).sort()).toEqual(['host_id', 'state', 'watch_id']);
    expect(parseKdumpJobsQuery({ state: 'deferred', watch_id: '7' })).toMatchObject({ state: 'deferred', watchId: '7', limit: 100 });
  });
});
