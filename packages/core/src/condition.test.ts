import { describe, expect, it } from 'vitest';
import { isHit } from './condition';

const p = (condition: 'equals' | 'changes_from' | 'any_change' | 'mask_equals', value = 0x33n, mask = 0xffn) => ({ condition, value, mask });

describe('conditions fire on a change only', () => {
  it.each([
    ['equals', 0x0n, 0x33n, true],
    ['equals', 0x33n, 0x33n, false], // already there: no change
    ['equals', 0x0n, 0x34n, false],
    ['changes_from', 0x33n, 0x0n, true],
    ['changes_from', 0x1n, 0x0n, false],
    ['any_change', 0x1n, 0x2n, true],
    ['any_change', 0x2n, 0x2n, false],
  ] as const)('%s %s -> %s = %s', (cond, before, after, hit) => {
    expect(isHit(p(cond), before, after)).toBe(hit);
  });

  it('mask_equals compares only the masked bits and needs them to change', () => {
    const params = p('mask_equals', 0x30n, 0xf0n);
    expect(isHit(params, 0x01n, 0x35n)).toBe(true);
    expect(isHit(params, 0x31n, 0x35n)).toBe(false); // masked bits were already 0x30
    expect(isHit(params, 0x01n, 0x45n)).toBe(false);
  });
});
