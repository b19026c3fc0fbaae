import type { WatchDetailView } from '@physwatch/core';
import { describe, expect, it } from 'vitest';
import { describeWatch, watchesTable } from './watch-table';

const BASE: WatchDetailView = {
  id: '7', state: 'active', created_at: '2026-12-01T10:00:00.000Z', ended_at: null, name: null,
  target: { paddr: '0x1000' }, width: 4, len: 4, condition: 'any_change', interval: '1ms', mode: 'timer', rate: null,
  action: 'report', hosts: { selector: 'rack=r1' }, counts: { pending: 0, armed: 1, failed: 0, disarmed: 0 }, assignments: [],
};

describe('watch describe: mode, funcs, rate and PCI BAR targets', () => {
  it('shows a timer watch with no rate limit', () => {
    const text = describeWatch(BASE);
    expect(text).toMatch(/^Mode:\s+timer$/m);
    expect(text).toMatch(/^Functions:\s+-$/m);
    expect(text).toMatch(/^Rate:\s+no limit$/m);
  });

  it('shows an ftrace watch on a BAR: functions, rate, no interval', () => {
    const w: WatchDetailView = { ...BASE, target: { pci_bar: { device: '0000:00:04.0', bar: 2, offset: '0x20' } }, interval: undefined, mode: 'ftrace', funcs: ['memset', 'clear_page_erms'], rate: 50 };
    const text = describeWatch(w);
    expect(text).toMatch(/^Target:\s+0000:00:04\.0\/2\+0x20  width 4$/m);
    expect(text).toMatch(/^Interval:\s+on entry \(ftrace\)$/m);
    expect(text).toMatch(/^Mode:\s+ftrace$/m);
    expect(text).toMatch(/^Functions:\s+memset, clear_page_erms$/m);
    expect(text).toMatch(/^Rate:\s+50 hits\/s per host$/m);
    expect(watchesTable([w]).split('\n')[1]).toContain('0000:00:04.0/2+0x20');
  });
});
