import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from './validation-error';
import { parsePciDevice, parseWatchSpec, watchSpecToJson } from './watch-spec';

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

describe('parseWatchSpec rollout, starts_at, max_hits_per_host', () => {
  const report = { ...valid, action: 'report' };

  it('defaults to everywhere at once for report, one canary for hang', () => {
    expect(parseWatchSpec(report, NOW).rollout).toMatchObject({ canary: 0, percent: 100, maxHosts: null, paused: false });
    expect(parseWatchSpec(valid, NOW).rollout).toMatchObject({ canary: 1, allowWideDestructive: false });
  });

  it('round-trips the new fields', () => {
    const spec = parseWatchSpec({ ...report, rollout: { canary: 2, soak: '10m', percent: 50, max_hosts: 9, paused: true }, starts_at: '2026-11-27T00:00:00Z', max_hits_per_host: 3 }, NOW);
    expect(spec.rollout).toEqual({ canary: 2, soakMs: 600_000, percent: 50, maxHosts: 9, paused: true, allowWideDestructive: false });
    expect(parseWatchSpec(watchSpecToJson(spec), NOW)).toEqual(spec);
  });

  it('names each bad rollout field', () => {
    expect(errorsOf({ ...report, rollout: { canary: -1, soak: '5 days', percent: 0, colour: 'red' } }).map((e) => e.field).sort())
      .toEqual(['rollout.canary', 'rollout.colour', 'rollout.percent', 'rollout.soak']);
    expect(errorsOf({ ...valid, rollout: { canary: 5 } })).toEqual([{ field: 'rollout.canary', reason: expect.stringMatching(/allow_wide_destructive/) }]);
    expect(parseWatchSpec({ ...valid, rollout: { canary: 5, allow_wide_destructive: true } }, NOW).rollout.canary).toBe(5);
    expect(errorsOf({ ...report, starts_at: '2026-12-02T00:00:00Z', expires_at: '2026-12-01T00:00:00Z' })).toEqual([{ field: 'starts_at', reason: 'must be before expires_at' }]);
    expect(errorsOf({ ...report, max_hits_per_host: 0 })[0].field).toBe('max_hits_per_host');
  });
});

describe('parseWatchSpec kdump_on_hit', () => {
  const report = { ...valid, action: 'report' };

  it('defaults to false, round-trips, and makes a report watch destructive (one canary)', () => {
    expect(parseWatchSpec(report, NOW).kdumpOnHit).toBe(false);
    const spec = parseWatchSpec({ ...report, kdump_on_hit: true }, NOW);
    expect(spec.kdumpOnHit).toBe(true);
    expect(spec.rollout).toMatchObject({ canary: 1, allowWideDestructive: false });
    expect(watchSpecToJson(spec).kdump_on_hit).toBe(true);
    expect(parseWatchSpec(watchSpecToJson(spec), NOW)).toEqual(spec);
    expect(parseWatchSpec({ ...report, action: 'stack', kdump_on_hit: true, rollout: { canary: 3, allow_wide_destructive: true } }, NOW).rollout.canary).toBe(3);
  });

  it.each([
    [{ action: 'panic', kdump_on_hit: true }, 'kdump_on_hit', /not used with action panic/],
    [{ action: 'hang', kdump_on_hit: true }, 'kdump_on_hit', /not used with action hang/],
    [{ action: 'report', kdump_on_hit: 'yes' }, 'kdump_on_hit', /must be true or false/],
    [{ action: 'report', kdump_on_hit: true, rollout: { canary: 4 } }, 'rollout.canary', /a kdump_on_hit watch starts on exactly 1 canary host/],
  ])('refuses %j naming %s', (over, field, reason) => {
    expect(errorsOf({ ...valid, ...over })).toEqual([{ field, reason: expect.stringMatching(reason) }]);
  });
});

describe('parseWatchSpec symbol and selector limits', () => {
  const report = { ...valid, action: 'report' };
  const U64_MAX_HEX = '0xffffffffffffffff';
  const symbol = (text: string) => ({ ...report, target: { symbol: text } });

  it('takes offsets up to 2^64-1 and refuses 2^64, hex or decimal, naming target.symbol (never clamped)', () => {
    expect(parseWatchSpec(symbol(`empty_zero_page+${U64_MAX_HEX}`), NOW).target).toEqual({ kind: 'symbol', name: 'empty_zero_page', offset: (1n << 64n) - 1n });
    expect(parseWatchSpec(symbol('empty_zero_page+18446744073709551615'), NOW).target).toMatchObject({ offset: (1n << 64n) - 1n });
    for (const wide of ['empty_zero_page+0x10000000000000000', 'empty_zero_page+18446744073709551616']) {
      expect(errorsOf(symbol(wide)), wide).toEqual([{ field: 'target.symbol', reason: `offset ${wide.split('+')[1]} is wider than 64 bits (at most ${U64_MAX_HEX})` }]);
    }
  });

  it('takes a symbol name of 511 characters (KSYM_NAME_LEN - 1) and refuses 512', () => {
    expect(parseWatchSpec(symbol(`s${'y'.repeat(510)}`), NOW).target).toMatchObject({ name: `s${'y'.repeat(510)}` });
    expect(errorsOf(symbol(`s${'y'.repeat(511)}+0x8`))).toEqual([
      { field: 'target.symbol', reason: "the symbol name is 512 characters, more than 511 (the kernel's KSYM_NAME_LEN)" },
    ]);
    expect(errorsOf(symbol('s'.repeat(100_000)))).toEqual([{ field: 'target.symbol', reason: expect.stringMatching(/^is 100000 characters/) }]);
  });

  const selecting = (selector: string) => ({ ...report, hosts: { selector } });
  const key128 = `k${'e'.repeat(126)}y`;
  const value256 = 'v'.repeat(256);

  it.each([
    ['a key of 128 characters', `${key128}=x`],
    ['a value of 256 characters', `rack=${value256}`],
    ['64 requirements', Array.from({ length: 64 }, (_, i) => `k${i}`).join(',')],
    ['256 values in a set', `rack in (${Array.from({ length: 256 }, (_, i) => `r${i}`).join(',')})`],
    ['a selector of 4096 characters', Array.from({ length: 16 }, (_, i) => `k${String(i).padStart(2, '0')}=${'v'.repeat(i === 15 ? 252 : 251)}`).join(',')],
  ])('accepts %s (the limit)', (_, selector) => {
    if (_.includes('4096')) expect(selector).toHaveLength(4096);
    expect(parseWatchSpec(selecting(selector), NOW).hosts).toMatchObject({ kind: 'selector' });
  });

  it.each([
    ['a key of 129 characters', `${key128}z=x`, 'label key of 129 characters'],
    ['a value of 257 characters', `rack=${value256}v`, 'label value of 257 characters'],
    ['65 requirements', Array.from({ length: 65 }, (_, i) => `k${i}`).join(','), '65 requirements (at most 64)'],
    ['257 values in a set', `rack in (${Array.from({ length: 257 }, (_, i) => `r${i}`).join(',')})`, '257 values in set'],
    ['a selector of 4097 characters', `rack=${'v'.repeat(4092)}`, 'selector is 4097 characters (at most 4096)'],
  ])('refuses %s, naming hosts.selector', (_, selector, reason) => {
    expect(errorsOf(selecting(selector))).toEqual([{ field: 'hosts.selector', reason: expect.stringContaining(reason) }]);
  });
});

describe('parseWatchSpec mode, funcs, rate', () => {
  const report = { ...valid, action: 'report' };
  const ftrace = { ...report, mode: 'ftrace', funcs: ['memset', 'clear_page_erms'], interval: undefined };

  it('defaults to mode timer, no funcs, no rate', () => {
    expect(parseWatchSpec(report, NOW)).toMatchObject({ mode: 'timer', funcs: [], rate: null, intervalUs: 30_000 });
  });

  it('takes ftrace without an interval (interval 0: no timer) and both with one, round-tripping', () => {
    const spec = parseWatchSpec(ftrace, NOW);
    expect(spec).toMatchObject({ mode: 'ftrace', funcs: ['memset', 'clear_page_erms'], intervalUs: 0 });
    const json = watchSpecToJson(spec);
    expect(json.interval).toBeUndefined();
    expect(parseWatchSpec(json, NOW)).toEqual(spec);
    const both = parseWatchSpec({ ...report, mode: 'both', funcs: ['memset'], rate: 50 }, NOW);
    expect(both).toMatchObject({ mode: 'both', intervalUs: 30_000, rate: 50 });
    expect(parseWatchSpec(watchSpecToJson(both), NOW)).toEqual(both);
  });

  it('takes the module limits: 8 funcs, 127-character names, rate 2^31-1', () => {
    const eight = Array.from({ length: 8 }, (_, i) => `f${i}${'x'.repeat(80)}`);
    expect(parseWatchSpec({ ...ftrace, funcs: eight }, NOW).funcs).toEqual(eight);
    expect(parseWatchSpec({ ...ftrace, funcs: [`f${'x'.repeat(126)}`] }, NOW).funcs[0]).toHaveLength(127);
    expect(parseWatchSpec({ ...report, rate: 2_147_483_647 }, NOW).rate).toBe(2_147_483_647);
    expect(parseWatchSpec({ ...report, rate: null }, NOW).rate).toBeNull();
  });

  it.each([
    [{ mode: 'kprobe' }, 'mode', /"kprobe" is not one of timer, ftrace, both/],
    [{ mode: 'ftrace', interval: undefined }, 'funcs', /required for mode ftrace/],
    [{ mode: 'both' }, 'funcs', /required for mode both/],
    [{ funcs: ['memset'] }, 'funcs', /only used by mode ftrace or both/],
    [{ mode: 'ftrace', funcs: ['memset'] }, 'interval', /mode ftrace runs no timer/],
    [{ mode: 'both', funcs: ['memset'], interval: undefined }, 'interval', /required/],
    [{ mode: 'both', funcs: [] }, 'funcs', /1 to 8 kernel function names/],
    [{ mode: 'both', funcs: Array.from({ length: 9 }, (_, i) => `f${i}`) }, 'funcs', /1 to 8/],
    [{ mode: 'both', funcs: 'memset' }, 'funcs', /must be a list/],
    [{ mode: 'both', funcs: ['memset', '9lives'] }, 'funcs[1]', /"9lives" is not a kernel function name/],
    [{ mode: 'both', funcs: ['mem set'] }, 'funcs[0]', /not a kernel function name/],
    [{ mode: 'both', funcs: [7] }, 'funcs[0]', /7 is not a kernel function name/],
    [{ mode: 'both', funcs: [`f${'x'.repeat(127)}`] }, 'funcs[0]', /is 128 characters; the module takes at most 127/],
    [{ mode: 'both', funcs: ['memset', 'memset'] }, 'funcs', /more than once/],
    [{ mode: 'both', funcs: Array.from({ length: 8 }, (_, i) => `f${i}${'x'.repeat(100)}`) }, 'funcs', /one module command holds at most 700/],
    [{ rate: 0 }, 'rate', /0 is not a limit/],
    [{ rate: -3 }, 'rate', /not a whole number from 1 to 2147483647/],
    [{ rate: 2.5 }, 'rate', /not a whole number/],
    [{ rate: '10' }, 'rate', /not a whole number/],
    [{ rate: 2_147_483_648 }, 'rate', /from 1 to 2147483647/],
  ])('refuses %j naming %s', (over, field, reason) => {
    expect(errorsOf({ ...report, ...over })).toEqual([{ field, reason: expect.stringMatching(reason) }]);
  });

  it('round-trips any valid mode, funcs and rate (property)', () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,30}$/);
    fc.assert(fc.property(
      fc.constantFrom('timer', 'ftrace', 'both'),
      fc.uniqueArray(name, { minLength: 1, maxLength: 8 }),
      fc.option(fc.integer({ min: 1, max: 2_147_483_647 }), { nil: null }),
      (mode, funcs, rate) => {
        const input = { ...report, mode, rate, funcs: mode === 'timer' ? undefined : funcs, interval: mode === 'ftrace' ? undefined : '1ms' };
        const spec = parseWatchSpec(input, NOW);
        expect(spec).toMatchObject({ mode, rate, funcs: mode === 'timer' ? [] : funcs });
        expect(parseWatchSpec(watchSpecToJson(spec), NOW)).toEqual(spec);
      },
    ));
  });
});

describe('parseWatchSpec pci_bar targets', () => {
  const report = { ...valid, action: 'report', width: 4 };
  const bar = (pci_bar: unknown, over: object = {}) => ({ ...report, target: { pci_bar }, ...over });

  it('takes the module bar= device syntax, canonicalises it, and round-trips', () => {
    const spec = parseWatchSpec(bar({ device: '0:0:4.0', bar: 2, offset: '0x20' }, { len: 64 }), NOW);
    expect(spec.target).toEqual({ kind: 'pci_bar', device: '0000:00:04.0', bar: 2, offset: 0x20n });
    expect(watchSpecToJson(spec).target).toEqual({ pci_bar: { device: '0000:00:04.0', bar: 2, offset: '0x20' } });
    expect(parseWatchSpec(watchSpecToJson(spec), NOW)).toEqual(spec);
    expect(parseWatchSpec(bar({ device: 'FFFF:ff:1f.7', bar: 5 }), NOW).target).toEqual({ kind: 'pci_bar', device: 'ffff:ff:1f.7', bar: 5, offset: 0n });
  });

  it('agrees with the module on device syntax (property: canonical form parses to itself)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0, max: 7 }),
      (d, b, dev, f) => {
        const text = `${d.toString(16)}:${b.toString(16)}:${dev.toString(16)}.${f}`;
        const canonical = parsePciDevice(text);
        expect(canonical).toMatch(/^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/);
        expect(parsePciDevice(canonical!)).toBe(canonical);
      },
    ));
    for (const bad of ['0000:00:20.0', '0000:100:00.0', '10000:00:00.0', '0000:00:04.8', '0000:00:04', '00:04.0', '0000:00:04.0/2', ' ', 'g000:00:04.0']) {
      expect(parsePciDevice(bad), bad).toBeNull();
    }
  });

  it.each([
    [bar('0000:00:04.0/2'), 'target.pci_bar', /must be an object/],
    [bar({ device: '0000:00:20.0', bar: 2 }), 'target.pci_bar.device', /not a PCI device/],
    [bar({ device: 42, bar: 2 }), 'target.pci_bar.device', /42 is not a PCI device/],
    [bar({ device: '0000:00:04.0', bar: 6 }), 'target.pci_bar.bar', /6 is not a BAR number from 0 to 5/],
    [bar({ device: '0000:00:04.0' }), 'target.pci_bar.bar', /not a BAR number/],
    [bar({ device: '0000:00:04.0', bar: 1.5 }), 'target.pci_bar.bar', /not a BAR number/],
    [bar({ device: '0000:00:04.0', bar: 0, offset: '-1' }), 'target.pci_bar.offset', /not an unsigned 64-bit number/],
    [bar({ device: '0000:00:04.0', bar: 0, offset: '0x10000000000000000' }), 'target.pci_bar.offset', /not an unsigned 64-bit number/],
    [bar({ device: '0000:00:04.0', bar: 0, offset: '0x22' }), 'target.pci_bar.offset', /0x22 is not a multiple of width 4/],
    [bar({ device: '0000:00:04.0', bar: 0, offset: '0xfffffffffffffff0' }, { len: 32 }), 'len', /runs past the 64-bit offset space/],
    [bar({ device: '0000:00:04.0', bar: 0, colour: 'red' }), 'target.pci_bar.colour', /unknown field/],
    [{ ...report, target: { paddr: '0x1000', pci_bar: { device: '0000:00:04.0', bar: 0 } } }, 'target', /exactly one of "paddr", "symbol", "pci_bar" or "sentinel"/],
  ])('refuses %j naming %s', (input, field, reason) => {
    expect(errorsOf(input)).toEqual([{ field, reason: expect.stringMatching(reason) }]);
  });
});

describe('parseWatchSpec sentinel targets', () => {
  const report = { ...valid, action: 'report', condition: 'any_change', value: undefined, width: 4 };
  const sentinel = (s: unknown, over: object = {}) => ({ ...report, target: { sentinel: s }, ...over });

  it('takes 1..16 pages, len their bytes, the module\'s pattern cut to width by default, and round-trips without len', () => {
    const spec = parseWatchSpec(sentinel({ pages: 4 }), NOW);
    expect(spec).toMatchObject({ target: { kind: 'sentinel', pages: 4, pattern: 0x5a5a5a5an }, len: 4 * 4096, width: 4 });
    const json = watchSpecToJson(spec);
    expect(json.target).toEqual({ sentinel: { pages: 4, pattern: '0x5a5a5a5a' } });
    expect(json.len).toBeUndefined();
    expect(parseWatchSpec(json, NOW)).toEqual(spec);
    expect(parseWatchSpec(sentinel({ pages: 16 }, { width: 8 }), NOW)).toMatchObject({ target: { pattern: 0x5a5a5a5a5a5a5a5an }, len: 65536 });
    expect(parseWatchSpec(sentinel({ pages: 1, pattern: '0xff' }, { width: 1 }), NOW)).toMatchObject({ target: { kind: 'sentinel', pages: 1, pattern: 0xffn }, len: 4096 });
    expect(parseWatchSpec(sentinel({ pages: 1, pattern: '0' }), NOW).target).toEqual({ kind: 'sentinel', pages: 1, pattern: 0n });
  });

  it('round-trips any pages, width and fitting pattern (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 16 }), fc.constantFrom(1, 2, 4, 8), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      (pages, width, raw) => {
        const pattern = raw & ((1n << BigInt(width * 8)) - 1n);
        const spec = parseWatchSpec(sentinel({ pages, pattern: `0x${pattern.toString(16)}` }, { width }), NOW);
        expect(spec).toMatchObject({ target: { kind: 'sentinel', pages, pattern }, len: pages * 4096 });
        expect(parseWatchSpec(watchSpecToJson(spec), NOW)).toEqual(spec);
      },
    ));
  });

  it.each([
    [sentinel(4), 'target.sentinel', /must be an object/],
    [sentinel({}), 'target.sentinel.pages', /required: 1 to 16 pages of 4096 bytes/],
    [sentinel({ pages: 0 }), 'target.sentinel.pages', /0 is not a whole number from 1 to 16/],
    [sentinel({ pages: 17 }), 'target.sentinel.pages', /17 is not a whole number from 1 to 16/],
    [sentinel({ pages: 1.5 }), 'target.sentinel.pages', /not a whole number/],
    [sentinel({ pages: '4' }), 'target.sentinel.pages', /not a whole number/],
    [sentinel({ pages: 1, pattern: '0x5a5a5a5a5a' }), 'target.sentinel.pattern', /0x5a5a5a5a5a is wider than width 4 \(at most 0xffffffff\)/],
    [sentinel({ pages: 1, pattern: '0x10000000000000000' }, { width: 8 }), 'target.sentinel.pattern', /not an unsigned 64-bit number/],
    [sentinel({ pages: 1, pattern: 'zz' }), 'target.sentinel.pattern', /"zz" is not an unsigned 64-bit number/],
    [sentinel({ pages: 1, pattern: -1 }), 'target.sentinel.pattern', /not an unsigned 64-bit number/],
    [sentinel({ pages: 1, fill: '0x0' }), 'target.sentinel.fill', /unknown field/],
    [sentinel({ pages: 2 }, { len: 8192 }), 'len', /not used by a sentinel target: the region is its pages/],
    [sentinel({ pages: 2 }, { len: 4 }), 'len', /not used by a sentinel target/],
    [{ ...report, target: { paddr: '0x1000', sentinel: { pages: 1 } } }, 'target', /exactly one of "paddr", "symbol", "pci_bar" or "sentinel"/],
  ])('refuses %j naming %s', (input, field, reason) => {
    expect(errorsOf(input)).toEqual([{ field, reason: expect.stringMatching(reason) }]);
  });

  it('names a bad width alone, not the default pattern it would have cut', () => {
    expect(errorsOf(sentinel({ pages: 1 }, { width: 3 }))).toEqual([{ field: 'width', reason: expect.stringMatching(/not one of 1, 2, 4, 8/) }]);
  });
});
