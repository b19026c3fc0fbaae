import { describe, expect, it } from 'vitest';
import { SeqRanges } from './seq-ranges';

describe('SeqRanges', () => {
  it('keeps consecutive seqs as runs, counts exactly through gaps and partial drops', () => {
    const ranges = new SeqRanges();
    for (const seq of [1n, 2n, 3n, 7n, 8n, 10n]) ranges.add(seq);
    expect(ranges.size).toBe(6);
    expect([ranges.has(3n), ranges.has(4n), ranges.has(8n), ranges.has(9n), ranges.has(10n)]).toEqual([true, false, true, false, true]);
    expect(ranges.dropUpTo(2n)).toBe(2);
    expect(ranges.first).toBe(3n);
    expect(ranges.dropUpTo(7n)).toBe(2);
    expect(ranges.first).toBe(8n);
    expect(ranges.dropUpTo(7n)).toBe(0);
    expect(ranges.size).toBe(2);
    ranges.add(11n);
    expect(ranges.dropUpTo(100n)).toBe(3);
    expect(ranges.size).toBe(0);
    expect(ranges.first).toBeUndefined();
    // After everything was dropped, a new seq starts a new run rather than extending a dead one.
    ranges.add(12n);
    expect([ranges.size, ranges.first, ranges.has(11n)]).toEqual([1, 12n, false]);
  });

  it('counts a million consecutive seqs and drops all but the last', () => {
    const ranges = new SeqRanges();
    for (let seq = 1n; seq <= 1_000_000n; seq++) ranges.add(seq);
    expect(ranges.size).toBe(1_000_000);
    expect(ranges.dropUpTo(999_999n)).toBe(999_999);
    expect(ranges.first).toBe(1_000_000n);
  });
});
