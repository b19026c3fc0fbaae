import { describe, expect, it } from 'vitest';
import { headerProblems, repairUrl } from './request-bytes';

describe('repairUrl', () => {
  it('leaves a clean URL as it is', () => {
    expect(repairUrl('/api/v1/hits?host_id=h%C3%A9&limit=5')).toEqual({ url: '/api/v1/hits?host_id=h%C3%A9&limit=5', problems: [] });
    expect(repairUrl('/%61pi/v1/watches')).toEqual({ url: '/%61pi/v1/watches', problems: [] });
  });

  it('escapes the "%" of what does not decode, so the router sees literal text, and names the part', () => {
    expect(repairUrl('/api/v1/watches/%zz/stop')).toEqual({
      url: '/api/v1/watches/%25zz/stop',
      problems: [{ field: '(path)', reason: 'has a "%" that starts no %XX escape' }],
    });
    // Good escapes around a bad run stay decodable: the disguised /api path is still /api.
    expect(repairUrl('/%61pi/v1/watches/%c3%28/stop')).toMatchObject({ url: '/%61pi/v1/watches/%25c3%2528/stop', problems: [{ field: '(path)' }] });
    expect(repairUrl('/x?%ff=1&ok=%41&v=%e2%82')).toEqual({
      url: '/x?%25ff=1&ok=%41&v=%25e2%2582',
      problems: [
        { field: '(query)', reason: 'has percent-escapes that are not UTF-8 (%ff)' },
        { field: 'v', reason: 'has percent-escapes that are not UTF-8 (%e2%82)' },
      ],
    });
  });

  it('refuses control characters, NUL first of all, in the path and in query keys and values', () => {
    const reason = 'contains a control character (%00-%1F or %7F; NUL cannot be stored)';
    expect(repairUrl('/api/v1/watches/%00').problems).toEqual([{ field: '(path)', reason }]);
    expect(repairUrl('/api/v1/hits?host_id=a%00b&x=%7f').problems).toEqual([{ field: 'host_id', reason }, { field: 'x', reason }]);
    expect(repairUrl('/api/v1/hits?a%0a=1').problems).toEqual([{ field: 'a?', reason }]);
    expect(repairUrl('/api/v1/hits?q=a+b%20c').problems).toEqual([]);
  });
});

describe('headerProblems', () => {
  it('names headers that must come once and came more often; others may repeat', () => {
    expect(headerProblems('1.1', ['Host', 'a', 'Authorization', 'Bearer a', 'authorization', 'Bearer b', 'X-Forwarded-For', '1.2.3.4', 'x-forwarded-for', '5.6.7.8'])).toEqual([
      { field: 'header authorization', reason: 'given 2 times; give it once' },
    ]);
    expect(headerProblems('1.1', ['Host', 'a', 'Content-Type', 'application/json'])).toEqual([]);
  });

  it('requires Host in HTTP/1.1 only', () => {
    expect(headerProblems('1.1', [])).toEqual([{ field: 'header host', reason: 'required by HTTP/1.1' }]);
    expect(headerProblems('1.0', [])).toEqual([]);
  });
});
