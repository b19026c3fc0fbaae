/**
 * Properties of the scheduler over generated fleets. Seeded, so a failure reproduces and
 * CI never flakes; fast-check prints the seed and the shrunk counterexample when one fails.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rollout } from './rollout';
import { SchedAssignment, schedule, SchedHost, SchedWatch, ScheduleInput } from './scheduler';
import { parseSelector, Requirement } from './selector';

const RUNS = { seed: 20261126, numRuns: 300 };
const NOW = new Date('2026-11-26T10:00:00Z');
const KEYS = ['rack', 'bios', 'nic'];
const VALUES = ['a', 'b', 'c'];

/** An independent reading of the Kubernetes semantics, to compare the real matcher against. */
function referenceMatch(req: Requirement, labels: Record<string, string>): boolean {
  const value = req.key in labels ? labels[req.key] : null;
  if (req.op === 'exists') return value !== null;
  if (req.op === 'notexists') return value === null;
  if (req.op === 'eq') return value === req.value;
  if (req.op === 'neq') return value !== req.value; // a missing key is "not equal"
  if (req.op === 'in') return value !== null && req.values.includes(value);
  if (req.op === 'notin') return value === null || !req.values.includes(value);
  throw new Error('unknown operator');
}

const clause = fc.oneof(
  fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom('=', '!='), fc.constantFrom(...VALUES)).map(([k, op, v]) => `${k}${op}${v}`),
  fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom('in', 'notin'), fc.subarray(VALUES, { minLength: 1 })).map(([k, op, vs]) => `${k} ${op} (${vs.join(',')})`),
  fc.constantFrom(...KEYS),
  fc.constantFrom(...KEYS).map((k) => `!${k}`),
);
const selector = fc.array(clause, { minLength: 1, maxLength: 3 }).map((cs) => cs.join(','));
const labels = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 3 });

const hostsArb = fc.uniqueArray(
  fc.record({ n: fc.nat(40), labels, maxWatches: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }), online: fc.boolean() }),
  { selector: (h) => h.n, maxLength: 25 },
).map((hs) => hs.map((h): SchedHost => ({ id: `h${h.n}`, labels: h.labels, maxWatches: h.maxWatches, online: h.online })));

const rolloutArb = fc.record({
  canary: fc.integer({ min: 0, max: 3 }),
  soakMs: fc.constantFrom(0, 60_000),
  percent: fc.integer({ min: 1, max: 100 }),
  maxHosts: fc.option(fc.integer({ min: 1, max: 10 }), { nil: null }),
  paused: fc.boolean(),
  allowWideDestructive: fc.boolean(),
}) as fc.Arbitrary<Rollout>;

const watchesArb = fc.array(
  fc.record({ selector, action: fc.constantFrom('report', 'stack', 'panic', 'hang'), kdumpOnHit: fc.boolean(), rollout: rolloutArb, active: fc.boolean() }),
  { minLength: 1, maxLength: 4 },
).map((ws) => ws.map((w, i): SchedWatch => ({
  id: String(i + 1), active: w.active, hosts: { kind: 'selector', selector: w.selector, requirements: parseSelector(w.selector) },
  action: w.action, kdumpOnHit: w.kdumpOnHit && (w.action === 'report' || w.action === 'stack'), rollout: w.rollout, startsAt: null, maxHitsPerHost: null,
})));

const phaseArb = fc.constantFrom('pending', 'armed', 'failed', 'disarmed') as fc.Arbitrary<SchedAssignment['phase']>;

/** A fleet with some existing assignments (random pairs, random phases and ages). */
const inputArb: fc.Arbitrary<ScheduleInput> = fc.tuple(watchesArb, hostsArb).chain(([watches, hosts]) =>
  fc.array(fc.tuple(fc.nat(), fc.nat(), phaseArb, fc.nat(120_000)), { maxLength: 20 }).map((raw) => {
    const seen = new Set<string>();
    const assignments: SchedAssignment[] = [];
    for (const [w, h, phase, age] of raw) {
      if (hosts.length === 0) break;
      const watchId = watches[w % watches.length].id;
      const hostId = hosts[h % hosts.length].id;
      if (seen.has(`${watchId}/${hostId}`)) continue;
      seen.add(`${watchId}/${hostId}`);
      assignments.push({ watchId, hostId, phase, phaseSince: new Date(NOW.getTime() - age) });
    }
    return { watches, hosts, assignments, now: NOW };
  }),
);

function plain(input: ScheduleInput) {
  return [...schedule(input).values()];
}

describe('schedule properties', () => {
  it('never puts more watches on a host than it holds', () => {
    fc.assert(fc.property(inputArb, (input) => {
      const load = new Map<string, number>();
      for (const plan of plain(input)) for (const id of plan.hosts) load.set(id, (load.get(id) ?? 0) + 1);
      for (const host of input.hosts) if (host.maxWatches !== null) expect(load.get(host.id) ?? 0).toBeLessThanOrEqual(host.maxWatches);
    }), RUNS);
  });

  it('places only hosts the selector selects, and all of them when nothing else limits', () => {
    fc.assert(fc.property(watchesArb, hostsArb, (watches, hosts) => {
      const unlimited = watches.map((w) => ({ ...w, active: true, action: 'report', kdumpOnHit: false, rollout: { ...w.rollout, canary: 0, percent: 100, maxHosts: null, paused: false } }));
      const open = hosts.map((h) => ({ ...h, maxWatches: null, online: true }));
      for (const plan of plain({ watches: unlimited, hosts: open, assignments: [], now: NOW })) {
        const w = unlimited.find((x) => x.id === plan.watchId)!;
        const requirements = (w.hosts as { requirements: Requirement[] }).requirements;
        const expected = open.filter((h) => requirements.every((r) => referenceMatch(r, h.labels))).map((h) => h.id);
        expect(new Set(plan.hosts)).toEqual(new Set(expected));
      }
    }), RUNS);
  });

  it('goes no wider than the canary until every canary is armed and soaked', () => {
    fc.assert(fc.property(inputArb, (input) => {
      for (const plan of plain(input)) {
        const w = input.watches.find((x) => x.id === plan.watchId)!;
        const current = input.assignments.filter((a) => a.watchId === w.id);
        if (w.rollout.canary === 0 || current.length > w.rollout.canary) continue;
        const soaked = current.length > 0 && current.every((a) => a.phase === 'armed' && a.phaseSince.getTime() + w.rollout.soakMs <= NOW.getTime());
        if (!soaked || current.length < w.rollout.canary) expect(plan.hosts.length).toBeLessThanOrEqual(w.rollout.canary);
      }
    }), RUNS);
  });

  it('assigns an ended watch nowhere, and a panic/hang watch to one host without the wide flag', () => {
    fc.assert(fc.property(inputArb, (input) => {
      for (const plan of plain(input)) {
        const w = input.watches.find((x) => x.id === plan.watchId)!;
        if (!w.active) expect(plan.hosts).toEqual([]);
        if ((w.action === 'panic' || w.action === 'hang' || w.kdumpOnHit) && !w.rollout.allowWideDestructive) expect(plan.hosts.length).toBeLessThanOrEqual(1);
      }
    }), RUNS);
  });

  it('gives the same answer whatever order its inputs arrive in', () => {
    fc.assert(fc.property(inputArb, fc.nat(), (input, salt) => {
      const shuffle = <T>(xs: readonly T[]) => [...xs].sort((a, b) => ((JSON.stringify(a).length * 31 + salt) % 7) - ((JSON.stringify(b).length * 31 + salt) % 7));
      const again = { ...input, watches: shuffle(input.watches).reverse(), hosts: shuffle(input.hosts).reverse(), assignments: shuffle(input.assignments) };
      expect(plain(again).sort((a, b) => a.watchId.localeCompare(b.watchId))).toEqual(plain(input).sort((a, b) => a.watchId.localeCompare(b.watchId)));
    }), RUNS);
  });
});
