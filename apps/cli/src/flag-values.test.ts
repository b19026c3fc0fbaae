import { describe, expect, it } from 'vitest';
import { countFlag, durationFlag, parseDuration, timeFlag } from './flag-values';

describe('flag values', () => {
  const now = new Date('2026-11-26T10:00:00.000Z');

  it('parses durations with a unit', () => {
    expect(parseDuration('60s')).toBe(60_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('60')).toBeNull();
    expect(() => durationFlag('--timeout', '0s')).toThrow('--timeout: "0s" is not a duration');
  });

  it('takes --since as a duration ago or an ISO time with a zone', () => {
    expect(timeFlag('--since', '15m', now)).toBe('2026-11-26T09:45:00.000Z');
    expect(timeFlag('--since', '2026-11-26T11:00:00+01:00', now)).toBe('2026-11-26T10:00:00.000Z');
    expect(() => timeFlag('--until', '2026-11-26T11:00:00', now)).toThrow(/^--until: .* with a zone/);
  });

  it('takes counts from 1 up', () => {
    expect(countFlag('--limit', '500')).toBe(500);
    for (const bad of ['0', '-1', '1.5', 'ten']) expect(() => countFlag('--limit', bad)).toThrow(`--limit: "${bad}"`);
  });
});
