import { describe, expect, it } from 'vitest';
import { formatInterval, parseInterval } from './interval';

describe('intervals', () => {
  it.each([
    ['100us', 100],
    ['500us', 500],
    ['500µs', 500],
    ['30ms', 30_000],
    ['1.5ms', 1_500],
    ['1s', 1_000_000],
    ['2m', 120_000_000],
    ['1h', 3_600_000_000],
  ])('%s is %d us', (text, us) => {
    expect(parseInterval(text)).toEqual({ ok: true, us });
  });

  it.each([
    ['99us', 'out of range'],
    ['2h', 'out of range'],
    ['30', 'is not a number followed by a unit'],
    ['30 parsecs', 'unknown unit "parsecs"'],
    ['0.5us', 'not a whole number of microseconds'],
  ])('%s is refused: %s', (text, reason) => {
    const result = parseInterval(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it('formats the shortest exact spelling and round-trips', () => {
    for (const us of [100, 1_500, 30_000, 1_000_000, 90_000_000, 3_600_000_000]) {
      const text = formatInterval(us);
      expect(parseInterval(text)).toEqual({ ok: true, us });
    }
    expect(formatInterval(30_000)).toBe('30ms');
    expect(formatInterval(1_500)).toBe('1500us');
  });
});
