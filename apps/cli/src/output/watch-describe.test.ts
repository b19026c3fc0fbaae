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

describe('watch describe: what it selects, how it rolls out, whether it is paused', () => {
  it('a plain watch: its selector, no canary, all selected hosts, not paused, at once', () => {
    const text = describeWatch(BASE);
    expect(text).toMatch(/^Selects:\s+selector rack=r1$/m);
    expect(text).toMatch(/^Rollout:\s+no canary, 100% of selected hosts$/m);
    expect(text).toMatch(/^Paused:\s+no$/m);
    expect(text).toMatch(/^Starts:\s+at once$/m);
  });

  it('a paused canary rollout of a kdump-on-hit watch on named hosts', () => {
    const w: WatchDetailView = {
      ...BASE, hosts: { ids: ['h1', 'h2'] }, kdump_on_hit: true, starts_at: '2026-12-02T00:00:00.000Z', max_hits_per_host: 3,
      rollout: { canary: 1, soak: '10m', percent: 50, max_hosts: 4, paused: true, allow_wide_destructive: false },
    };
    const text = describeWatch(w);
    expect(text).toMatch(/^Action:\s+report, then kdump on hit$/m);
    expect(text).toMatch(/^Selects:\s+hosts h1, h2$/m);
    expect(text).toMatch(/^Rollout:\s+canary 1, soak 10m, 50% of selected hosts, at most 4 hosts$/m);
    expect(text).toMatch(/^Paused:\s+yes: placed hosts keep it, no host is added \(physwatch watch resume 7\)$/m);
    expect(text).toMatch(/^Starts:\s+2026-12-02T00:00:00.000Z$/m);
    expect(text).toMatch(/^Max hits\/host:\s+3$/m);
  });
});
