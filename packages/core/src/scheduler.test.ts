import { describe, expect, it } from 'vitest';
import { DEFAULT_SOAK_MS, Rollout } from './rollout';
import { SchedAssignment, schedule, SchedHost, SchedWatch } from './scheduler';
import { parseSelector } from './selector';

const NOW = new Date('2026-11-26T10:00:00Z');
const rollout = (over: Partial<Rollout> = {}): Rollout => ({
  canary: 0, soakMs: DEFAULT_SOAK_MS, percent: 100, maxHosts: null, paused: false, allowWideDestructive: false, ...over,
});
const watch = (over: Partial<SchedWatch> = {}): SchedWatch => ({
  id: '1', active: true, hosts: { kind: 'selector', selector: 'rack=r1', requirements: parseSelector('rack=r1') }, action: 'report',
  kdumpOnHit: false, rollout: rollout(), startsAt: null, maxHitsPerHost: null, ...over,
});
const host = (id: string, over: Partial<SchedHost> = {}): SchedHost => ({ id, labels: { rack: 'r1' }, maxWatches: null, online: true, ...over });
const armed = (hostId: string, ago: number, watchId = '1'): SchedAssignment => ({ watchId, hostId, phase: 'armed', phaseSince: new Date(NOW.getTime() - ago) });
const fleet = ['h1', 'h2', 'h3', 'h4'].map((id) => host(id));

function plan(w: SchedWatch, hosts: SchedHost[] = fleet, assignments: SchedAssignment[] = []) {
  return schedule({ watches: [w], hosts, assignments, now: NOW }).get(w.id)!;
}

describe('schedule', () => {
  it('places a report watch on every selected host (today\'s behaviour)', () => {
    const hosts = [...fleet, host('x', { labels: { rack: 'r2' } })];
    expect(plan(watch(), hosts)).toMatchObject({ hosts: ['h1', 'h2', 'h3', 'h4'], waiting: [], expanded: true });
  });

  it('starts on the canary, holds while it soaks, then expands', () => {
    const w = watch({ rollout: rollout({ canary: 1, soakMs: 60_000 }) });
    const first = plan(w);
    expect(first.hosts).toHaveLength(1);
    expect(first.waiting.map((x) => x.reason)).toEqual(['canary_soak', 'canary_soak', 'canary_soak']);
    const canary = first.hosts[0];
    expect(plan(w, fleet, [armed(canary, 30_000)]).hosts).toEqual([canary]);
    expect(plan(w, fleet, [armed(canary, 60_000)]).hosts).toEqual(['h1', 'h2', 'h3', 'h4']);
    expect(plan(w, fleet, [{ ...armed(canary, 120_000), phase: 'failed' }]).waiting[0].message).toMatch(/1 failed/);
  });

  it('keeps a hang watch on one host unless wide rollout is allowed', () => {
    const hang = watch({ action: 'hang', rollout: rollout({ canary: 1, soakMs: 0 }) });
    const canary = plan(hang).hosts[0];
    expect(plan(hang, fleet, [armed(canary, 1)]).hosts).toEqual([canary]);
    const wide = watch({ action: 'hang', rollout: rollout({ canary: 1, soakMs: 0, allowWideDestructive: true }) });
    expect(plan(wide, fleet, [armed(plan(wide).hosts[0], 1)]).hosts).toHaveLength(4);
  });

  it('treats a kdump_on_hit report watch as destructive: one host unless wide rollout is allowed', () => {
    const kdump = watch({ kdumpOnHit: true, rollout: rollout({ canary: 1, soakMs: 0 }) });
    const canary = plan(kdump).hosts[0];
    expect(plan(kdump, fleet, [armed(canary, 1)]).hosts).toEqual([canary]);
    const wide = watch({ kdumpOnHit: true, rollout: rollout({ canary: 1, soakMs: 0, allowWideDestructive: true }) });
    expect(plan(wide, fleet, [armed(plan(wide).hosts[0], 1)]).hosts).toHaveLength(4);
  });

  it('applies percent and max_hosts, and says why the rest wait', () => {
    expect(plan(watch({ rollout: rollout({ percent: 50 }) })).hosts).toHaveLength(2);
    const capped = plan(watch({ rollout: rollout({ maxHosts: 3 }) }));
    expect(capped.hosts).toHaveLength(3);
    expect(capped.waiting).toEqual([expect.objectContaining({ reason: 'rollout_limit' })]);
  });

  it('never exceeds capacity, keeps existing placements, and reports capacity_full', () => {
    const small = [host('h1', { maxWatches: 1 })];
    const plans = schedule({ watches: [watch({ id: '2' }), watch({ id: '3' })], hosts: small, assignments: [armed('h1', 1, '3')], now: NOW });
    expect(plans.get('3')!.hosts).toEqual(['h1']);
    expect(plans.get('2')!.waiting).toEqual([expect.objectContaining({ hostId: 'h1', reason: 'capacity_full' })]);
  });

  it('pauses without removing, skips offline hosts, honours lifetime and per-host hits', () => {
    expect(plan(watch({ rollout: rollout({ paused: true }) }), fleet, [armed('h2', 1)])).toMatchObject({ hosts: ['h2'] });
    const offline = plan(watch(), [host('h1'), host('h2', { online: false })]);
    expect(offline.waiting).toEqual([expect.objectContaining({ hostId: 'h2', reason: 'offline' })]);
    expect(plan(watch({ startsAt: new Date(NOW.getTime() + 1) })).waiting[0].reason).toBe('not_started');
    expect(plan(watch({ active: false }), fleet, [armed('h1', 1)]).hosts).toEqual([]);
    const hits = plan(watch({ maxHitsPerHost: 2, hitsByHost: new Map([['h1', 2]]) }));
    expect(hits.hosts).toEqual(['h2', 'h3', 'h4']);
    expect(hits.waiting[0]).toMatchObject({ hostId: 'h1', reason: 'host_max_hits' });
  });
});
