import { describe, expect, it } from 'vitest';
import { dmesgExcerpt } from './dmesg-excerpt';

// Real lines from the QEMU lab (packages/watch-module/build/*): a module hit and its panic.
const HIT =
  '[   32.057682] physwatch: hit seq=1 id=1 realtime_ns=1795695924997578860 boottime_ns=32038470447 cpu=1 paddr=0x20000100 offset=0x0 width=4 old=0x0 new=0xdeadbeef pid=0 comm=swapper/1 ip=native_safe_halt+0xb/0x10 src=timer action=panic';
const PANIC = '[   32.058101] Kernel panic - not syncing: physwatch: hit seq=1 id=1 paddr=0x20000100 old=0x0 new=0xdeadbeef';
const filler = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `[   ${String(40 + from + i).padStart(2)}.000000] kernel line ${from + i}`);

describe('dmesg excerpt', () => {
  it('is the whole dmesg when it is short', () => {
    const text = [...filler(3), HIT, PANIC, ''].join('\n');
    expect(dmesgExcerpt(text)).toBe(text);
  });

  it('keeps the module\'s lines and the panic even when the tail alone would drop them, in order', () => {
    const lines = [...filler(100), HIT, ...filler(10, 100), PANIC, ...filler(200, 200)];
    const excerpt = dmesgExcerpt(lines.join('\n')).split('\n').slice(0, -1);
    expect(excerpt).toHaveLength(64);
    expect(excerpt.slice(0, 2)).toEqual([HIT, PANIC]);
    // The rest is the newest 62 lines of the tail.
    expect(excerpt.slice(2)).toEqual(lines.slice(-62));
  });

  it('stays within 16 KiB', () => {
    const long = Array.from({ length: 60 }, (_, i) => `[ ${i}] ${'x'.repeat(1000)}`);
    const excerpt = dmesgExcerpt([HIT, ...long, PANIC].join('\n'));
    expect(Buffer.byteLength(excerpt)).toBeLessThanOrEqual(16 * 1024);
    expect(excerpt.startsWith(`${HIT}\n`)).toBe(true);
    expect(excerpt.endsWith(`${PANIC}\n`)).toBe(true);
    // 15 of the ~1 KiB lines fit next to the two that must stay; the newest ones.
    expect(excerpt.split('\n').slice(1, -2)).toEqual(long.slice(-15));
  });

  it('is empty for no dmesg', () => {
    expect(dmesgExcerpt('')).toBe('');
  });
});
