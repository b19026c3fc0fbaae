import { describe, expect, it } from 'vitest';
import { ValidationError } from './validation-error';
import { parseWatchSpec, watchSpecToJson } from './watch-spec';

const NOW = new Date('2026-11-26T10:00:00Z');
const valid = {
  name: 'zero page 0x33',
  target: { paddr: '0x2a0e000' },
  width: 1,
  condition: 'equals',
  value: '0x33',
  interval: '30ms',
  action: 'hang',
  hosts: { selector: 'rack=r12,bios.version=2.1.3' },
};

function errorsOf(input: unknown): { field: string; reason: string }[] {
  try {
    parseWatchSpec(input, NOW);
  } catch (err) {
    if (err instanceof ValidationError) return err.errors;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('parseWatchSpec', () => {
  it('accepts the seed case and fills defaults', () => {
    const spec = parseWatchSpec(valid, NOW);
    expect(spec.target).toEqual({ kind: 'paddr', paddr: 0x2a0e000n });
    expect(spec.len).toBe(1);
    expect(spec.mask).toBe(0xffn);
    expect(spec.intervalUs).toBe(30_000);
    expect(spec.hosts).toMatchObject({ kind: 'selector', selector: 'rack=r12,bios.version=2.1.3' });
    expect(parseWatchSpec({ ...valid, action: undefined }, NOW).action).toBe('report');
  });

  it('round-trips through its JSON form', () => {
    const spec = parseWatchSpec(
      { ...valid, target: { symbol: 'empty_zero_page+0x8' }, width: 8, len: 4096, condition: 'mask_equals', mask: '0xff00', value: '0x3300', max_hits: 5, expires_at: '2026-12-01T00:00:00Z' },
      NOW,
    );
    const json = watchSpecToJson(spec);
    expect(json.target).toEqual({ symbol: 'empty_zero_page+0x8' });
    expect(json.expires_at).toBe('2026-12-01T00:00:00.000Z');
    expect(parseWatchSpec(json, NOW)).toEqual(spec);
  });

  it('lists every bad field at once', () => {
    const errors = errorsOf({ ...valid, width: 3, interval: '5ns', action: 'explode' });
    expect(errors.map((e) => e.field).sort()).toEqual(['action', 'interval', 'width']);
  });

  it('names the field of a cross-field error', () => {
    expect(errorsOf({ ...valid, width: 4, target: { paddr: '0x1002' } })).toEqual([
      { field: 'target.paddr', reason: '0x1002 is not aligned to width 4' },
    ]);
    expect(errorsOf({ ...valid, value: '0x133' })).toEqual([
      { field: 'value', reason: '0x133 is wider than width 1 (at most 0xff)' },
    ]);
  });

  it('skips the expiry check for a stored spec read back later', () => {
    const stored = { ...valid, expires_at: '2026-11-01T00:00:00Z' };
    expect(errorsOf(stored)[0].field).toBe('expires_at');
    expect(parseWatchSpec(stored, null).expiresAt).toEqual(new Date('2026-11-01T00:00:00Z'));
  });
});
