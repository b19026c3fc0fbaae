import { parseWatchSpec, ValidationError } from '@physwatch/core';
import { describe, expect, it } from 'vitest';
import { flagForField, givenSpecFlags, SPEC_FLAGS, specFromFlags, WatchSpecFlags } from './spec-flags';

/** The flags' spec, validated by core, with every error renamed to its flag. */
function flagErrors(flags: WatchSpecFlags): string[] {
  try {
    parseWatchSpec(specFromFlags(flags));
    return [];
  } catch (err) {
    return (err as ValidationError).errors.map((e) => `${flagForField(e.field)}: ${e.reason}`);
  }
}

const GOOD: WatchSpecFlags = { paddr: '0x2a0e000', width: '1', condition: 'equals', value: '0x33', interval: '30ms', hosts: 'h1,h2' };

describe('watch create flags -> spec', () => {
  it('maps every flag to its spec field', () => {
    expect(
      specFromFlags({
        name: 'zp', paddr: '0x1000', width: '4', len: '64', condition: 'mask_equals', value: '0x30', mask: '0xf0',
        interval: '1ms', action: 'stack', selector: 'rack=r12', expiresAt: '2099-01-01T00:00:00Z', maxHits: '10',
      }),
    ).toEqual({
      name: 'zp', target: { paddr: '0x1000' }, width: 4, len: 64, condition: 'mask_equals', value: '0x30', mask: '0xf0',
      interval: '1ms', action: 'stack', hosts: { selector: 'rack=r12' }, expires_at: '2099-01-01T00:00:00Z', max_hits: 10,
    });
    expect(specFromFlags({ symbol: 'empty_zero_page+0x8', hosts: 'a, b' })).toEqual({ target: { symbol: 'empty_zero_page+0x8' }, hosts: { ids: ['a', 'b'] } });
  });

  it('maps the rollout and lifetime flags', () => {
    expect(specFromFlags({ startsAt: '2099-01-01T00:00:00Z', maxHitsPerHost: '2', canary: '3', soak: '10m', percent: '50', maxHosts: '7', paused: true, allowWideDestructive: true }))
      .toEqual({ starts_at: '2099-01-01T00:00:00Z', max_hits_per_host: 2, rollout: { canary: 3, soak: '10m', percent: 50, max_hosts: 7, paused: true, allow_wide_destructive: true } });
  });

  it('gives a spec core accepts', () => {
    expect(flagErrors(GOOD)).toEqual([]);
    expect(parseWatchSpec(specFromFlags(GOOD)).hosts).toMatchObject({ kind: 'ids', ids: ['h1', 'h2'] });
  });

  it('names the flag, not the JSON field, in every validation error', () => {
    expect(flagErrors({ ...GOOD, width: 'four' })).toEqual(['--width: "four" is not one of 1, 2, 4, 8']);
    expect(flagErrors({ ...GOOD, paddr: '0x1001', width: '4' })).toEqual(['--paddr: 0x1001 is not aligned to width 4']);
    expect(flagErrors({ ...GOOD, paddr: undefined, symbol: 'bad symbol' })).toEqual(['--symbol: "bad symbol" is not "name" or "name+0xoffset"']);
    expect(flagErrors({ ...GOOD, symbol: 'x' })).toEqual(['--paddr, --symbol, --pci-bar or --sentinel: give exactly one of "paddr", "symbol", "pci_bar" or "sentinel"']);
    expect(flagErrors({ ...GOOD, hosts: undefined })).toEqual(['--hosts or --selector: required: an object with "ids" (a list of host ids) or "selector"']);
    expect(flagErrors({ ...GOOD, hosts: 'ok,not ok' })).toEqual(['--hosts: "not ok" is not a host id']);
    expect(flagErrors({ ...GOOD, hosts: undefined, selector: 'a in (b' })).toEqual(['--selector: unclosed "(" in "a in (b"']);
    expect(flagErrors({ ...GOOD, len: '3' })).toEqual([]);
    expect(flagErrors({ ...GOOD, width: '2', len: '3' })).toEqual(['--len: 3 is not a multiple of width 2']);
    expect(flagErrors({ ...GOOD, mask: '0xff' })).toEqual(['--mask: only used by condition mask_equals, not equals']);
    expect(flagErrors({ ...GOOD, maxHits: '0', expiresAt: '2000-01-01T00:00:00Z', action: 'explode', interval: '1d' })).toEqual([
      '--interval: unknown unit "d" (use us, ms, s, m or h)',
      '--action: "explode" is not one of report, stack, panic, hang',
      '--expires-at: 2000-01-01T00:00:00Z is not in the future',
      '--max-hits: 0 is not a whole number from 1 to 2147483647',
    ]);
    expect(flagErrors({})).toEqual([
      '--paddr, --symbol, --pci-bar or --sentinel: required: an object with "paddr", "symbol", "pci_bar" or "sentinel"',
      '--width: required: 1, 2, 4 or 8',
      '--condition: required: one of equals, changes_from, any_change, mask_equals',
      '--interval: required, e.g. "30ms" (only mode ftrace has none)',
      '--hosts or --selector: required: an object with "ids" (a list of host ids) or "selector"',
    ]);
  });

  it('maps --sentinel and --pattern to target.sentinel, naming each flag in its errors', () => {
    expect(specFromFlags({ sentinel: '4', pattern: '0xa5' })).toEqual({ target: { sentinel: { pages: 4, pattern: '0xa5' } } });
    expect(parseWatchSpec(specFromFlags({ ...GOOD, paddr: undefined, value: undefined, condition: 'any_change', width: '2', sentinel: '2' }))).toMatchObject({
      target: { kind: 'sentinel', pages: 2, pattern: 0x5a5an }, len: 8192,
    });
    const sentinel = { ...GOOD, paddr: undefined, value: undefined, condition: 'any_change' };
    expect(flagErrors({ ...sentinel, sentinel: '17' })).toEqual(['--sentinel: 17 is not a whole number from 1 to 16']);
    expect(flagErrors({ ...sentinel, sentinel: 'four' })).toEqual(['--sentinel: "four" is not a whole number from 1 to 16']);
    expect(flagErrors({ ...sentinel, pattern: '0x5a' })).toEqual(['--sentinel: required: 1 to 16 pages of 4096 bytes']);
    expect(flagErrors({ ...sentinel, sentinel: '1', pattern: '0x100' })).toEqual(['--pattern: 0x100 is wider than width 1 (at most 0xff)']);
    expect(flagErrors({ ...sentinel, sentinel: '1', len: '4096' })).toEqual(['--len: not used by a sentinel target: the region is its pages (pages × 4096 bytes)']);
    expect(flagErrors({ ...sentinel, paddr: '0x1000', sentinel: '1' })[0]).toMatch(/^--paddr, --symbol, --pci-bar or --sentinel: give exactly one/);
  });

  it('maps --mode, --funcs, --rate and --pci-bar (the module\'s bar= syntax)', () => {
    expect(specFromFlags({ mode: 'both', funcs: 'memset, clear_page_erms', rate: '50', pciBar: '0000:00:04.0/2+0x20' })).toEqual({
      mode: 'both', funcs: ['memset', 'clear_page_erms'], rate: 50, target: { pci_bar: { device: '0000:00:04.0', bar: 2, offset: '0x20' } },
    });
    expect(specFromFlags({ pciBar: '0000:00:04.0/5' })).toEqual({ target: { pci_bar: { device: '0000:00:04.0', bar: 5 } } });
    const ftrace = { ...GOOD, interval: undefined, mode: 'ftrace', funcs: 'memset' };
    expect(flagErrors(ftrace)).toEqual([]);
    expect(parseWatchSpec(specFromFlags({ ...GOOD, paddr: undefined, width: '4', pciBar: '0:0:4.0/2+0x20', rate: '10' }))).toMatchObject({
      target: { kind: 'pci_bar', device: '0000:00:04.0', bar: 2, offset: 0x20n }, rate: 10,
    });
  });

  it.each([
    [{ mode: 'kprobe' }, '--mode: "kprobe" is not one of timer, ftrace, both'],
    [{ mode: 'ftrace', interval: undefined }, '--funcs: required for mode ftrace: the kernel functions on whose entry the word is checked'],
    [{ funcs: 'memset' }, '--funcs: only used by mode ftrace or both'],
    [{ mode: 'both', funcs: 'memset,9x' }, '--funcs: "9x" is not a kernel function name (letters, digits, _ . $; not starting with a digit)'],
    [{ mode: 'ftrace', funcs: 'memset' }, '--interval: mode ftrace runs no timer (it checks on function entry): remove interval, or use mode both'],
    [{ rate: 'fast' }, '--rate: "fast" is not a whole number from 1 to 2147483647'],
    [{ rate: '0' }, '--rate: 0 is not a limit: leave rate out (or null) for no limit'],
    [{ paddr: undefined, pciBar: '0000:00:04.0' }, '--pci-bar: undefined is not a BAR number from 0 to 5'],
    [{ paddr: undefined, pciBar: '0000:00:40.0/2' }, '--pci-bar: "0000:00:40.0" is not a PCI device "domain:bus:device.function" (hex, e.g. "0000:00:04.0"; device at most 1f, function 0..7)'],
    [{ paddr: undefined, pciBar: '0000:00:04.0/6' }, '--pci-bar: 6 is not a BAR number from 0 to 5'],
    [{ paddr: undefined, pciBar: '0000:00:04.0/2+zz' }, '--pci-bar: "zz" is not an unsigned 64-bit number ("0x…" hex or decimal)'],
  ])('names the flag for %j', (over, error) => {
    expect(flagErrors({ ...GOOD, ...over })).toEqual([error]);
  });

  it('maps every spec field that has a flag back to that flag', () => {
    for (const { flag, field } of Object.values(SPEC_FLAGS)) expect(flagForField(field)).toBe(flag);
    expect(flagForField('hosts.ids[12]')).toBe('--hosts');
    expect(flagForField('something.else')).toBe('something.else');
  });

  it('lists the spec flags given, for refusing them next to -f', () => {
    expect(givenSpecFlags({ paddr: '0x0', maxHits: '1' })).toEqual(['--paddr', '--max-hits']);
    expect(givenSpecFlags({})).toEqual([]);
  });
});
