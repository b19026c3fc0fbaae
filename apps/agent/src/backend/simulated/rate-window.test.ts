import { describe, expect, it } from 'vitest';
import { RateWindow } from './rate-window';

const S = 1_000_000_000n;

describe('RateWindow (the simulated rate=)', () => {
  it('admits `rate` hits a second and refuses the rest until the second is over', () => {
    const w = new RateWindow(2);
    expect([0n, 1n, 2n, S - 1n].map((t) => w.admit(10n * S + t))).toEqual([true, true, false, false]);
    expect([S, S + 1n, S + 2n].map((t) => w.admit(10n * S + t))).toEqual([true, true, false]);
  });

  it('starts a new second at the first hit after a quiet spell', () => {
    const w = new RateWindow(1);
    expect(w.admit(5n)).toBe(true);
    expect(w.admit(7n * S)).toBe(true);
    expect(w.admit(7n * S + S / 2n)).toBe(false);
    expect(w.admit(8n * S)).toBe(true);
  });
});
