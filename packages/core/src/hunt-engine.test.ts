import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bracketStalled, decideHunt, HuntDecisionInput, HuntHostState, StageHits } from './hunt-engine';
import { parseHuntSpec } from './hunt-spec';

const SPEC = parseHuntSpec({
  target: { paddr: '0x2000' }, width: 1, condition: 'any_change', hosts: { selector: 'pool=lab' }, cohort: ['bios'],
  stages: [
    { interval: '30ms', advance: { after_hits: 2 } },
    { interval: '1ms', advance: { bracket_stalled: { window: 3 } } },
    { interval: '100us', advance: { after_hits: 1 } },
    { interval: '100us', action: 'stack' },
  ],
});

function host(hostId: string, stage: number, bios: string | null, extra: Partial<HuntHostState> = {}): HuntHostState {
  return { hostId, stage, held: false, labels: bios === null ? {} : { bios }, pollNsAvg: null, ...extra };
}

function hits(entries: Array<[string, number, number, number[]?]>): Map<string, Map<number, StageHits>> {
  const map = new Map<string, Map<number, StageHits>>();
  for (const [h, stage, count, brackets] of entries) {
    if (!map.has(h)) map.set(h, new Map());
    map.get(h)!.set(stage, { count, brackets: brackets ?? [] });
  }
  return map;
}

function input(hosts: HuntHostState[], hitMap: Map<string, Map<number, StageHits>>, extra: Partial<HuntDecisionInput> = {}): HuntDecisionInput {
  return { spec: SPEC, state: 'active', heldStage: null, hosts, hits: hitMap, ...extra };
}

describe('decideHunt', () => {
  it('advances a host after N hits and pulls its cohort one stage, leaving other cohorts', () => {
    const d = decideHunt(input([host('a', 0, 'v2'), host('b', 0, 'v2'), host('c', 0, 'v1'), host('d', 0, null)], hits([['a', 0, 2], ['c', 0, 1]])));
    expect(d.transitions).toEqual([
      { hostId: 'a', from: 0, to: 1, reason: '2 hits at stage 0 (after_hits 2)', pulledBy: null },
      { hostId: 'b', from: 0, to: 1, reason: 'cohort bios=v2: host a is at stage 1', pulledBy: 'a' },
    ]);
  });

  it('moves a cohort member up one stage per pass, never skipping one', () => {
    const d = decideHunt(input([host('a', 3, 'v2'), host('b', 0, 'v2')], new Map()));
    expect(d.transitions).toEqual([expect.objectContaining({ hostId: 'b', from: 0, to: 1, pulledBy: 'a' })]);
  });

  it('decides nothing while paused or stopped, for held hosts, or past a hunt-wide hold', () => {
    const many = hits([['a', 0, 5], ['b', 1, 5]]);
    expect(decideHunt(input([host('a', 0, null)], many, { state: 'paused' })).transitions).toEqual([]);
    expect(decideHunt(input([host('a', 0, null, { held: true })], many)).transitions).toEqual([]);
    expect(decideHunt(input([host('a', 0, null), host('b', 1, null)], hits([['a', 0, 5], ['b', 1, 5, [9, 9, 9, 9, 9, 9]]]), { heldStage: 1 })).transitions.map((t) => t.hostId)).toEqual(['a']);
  });

  it('holds a host back when the next stage would break the polling budget, and says so with the numbers', () => {
    // 2000 ns a poll at 1 ms is 2000 ppm; at 100 us it would be 20 000 ppm > 10 000.
    const d = decideHunt(input([host('a', 1, null, { pollNsAvg: 2000 })], hits([['a', 1, 6, [5, 5, 5, 5, 5, 5]]])));
    expect(d.transitions).toEqual([]);
    expect(d.budgetHolds).toEqual([{ hostId: 'a', stage: 1, message: expect.stringContaining('20000 ppm of a CPU, over the hunt\'s budget_ppm 10000 (the budget allows 200 us or slower)') }]);
    // The host's other watches count: 2000 ppm at 1 ms fits alone, not beside 9000 ppm of others.
    const crowded = decideHunt(input([host('a', 0, null, { pollNsAvg: 2000, otherPpm: 9000 })], hits([['a', 0, 6, [5, 5, 5, 5, 5, 5]]])));
    expect(crowded.transitions).toEqual([]);
    expect(crowded.budgetHolds[0].message).toContain("2000 ppm of a CPU with the host's other watches at 9000 ppm, over the hunt's budget_ppm 10000 (the budget allows 2000 us or slower)");
    const full = decideHunt(input([host('a', 0, null, { pollNsAvg: 2000, otherPpm: 10000 })], hits([['a', 0, 6, [5, 5, 5, 5, 5, 5]]])));
    expect(full.budgetHolds[0].message).toContain("the host's other watches already take the whole budget");
    expect(decideHunt(input([host('a', 0, null, { pollNsAvg: 2000, otherPpm: 7000 })], hits([['a', 0, 6, [5, 5, 5, 5, 5, 5]]]))).transitions).toHaveLength(1);
    // Unknown cost is not capped.
    expect(decideHunt(input([host('a', 1, null, { pollNsAvg: 0 })], hits([['a', 1, 6, [5, 5, 5, 5, 5, 5]]]))).transitions).toHaveLength(1);
  });

  it('never moves the last stage', () => {
    expect(decideHunt(input([host('a', 3, null)], hits([['a', 3, 100]]))).transitions).toEqual([]);
  });
});

describe('bracketStalled', () => {
  it('compares the newest window with the previous stage, else with the previous window', () => {
    expect(bracketStalled(3, { count: 3, brackets: [400, 500, 600] }, { count: 3, brackets: [30000, 20000, 25000] })).toMatchObject({ stalled: false, now: 500, before: 25000, against: 'previous_stage' });
    expect(bracketStalled(3, { count: 3, brackets: [400, 500, 600] }, { count: 3, brackets: [450, 500, 400] })).toMatchObject({ stalled: true, against: 'previous_stage' });
    expect(bracketStalled(3, { count: 6, brackets: [5, 6, 7, 9, 9, 9] }, undefined)).toMatchObject({ stalled: false, now: 6, before: 9, against: 'previous_window' });
    expect(bracketStalled(3, { count: 6, brackets: [9, 9, 9, 5, 6, 7] }, undefined)).toMatchObject({ stalled: true, against: 'previous_window' });
    expect(bracketStalled(3, { count: 5, brackets: [9, 9, 9, 5, 6] }, undefined).stalled).toBe(false);
    expect(bracketStalled(3, { count: 2, brackets: [1, 1] }, { count: 3, brackets: [0, 0, 0] }).stalled).toBe(false);
  });

  it('advances a host whose bracket stalled at its stage', () => {
    const d = decideHunt(input([host('a', 1, null)], hits([['a', 0, 2, [900, 900, 900]], ['a', 1, 3, [900, 950, 1000]]])));
    expect(d.transitions[0].reason).toMatch(/median bracket 950 ns of the last 3 hits at stage 1 is not smaller than stage 0's 900 ns/);
  });
});

describe('decideHunt properties', () => {
  const fleet = fc.array(fc.record({ stage: fc.integer({ min: 0, max: 3 }), bios: fc.constantFrom('v1', 'v2', null), held: fc.boolean(), hits: fc.integer({ min: 0, max: 4 }) }), { maxLength: 12 });
  it('every transition is one stage up from where the host stands, once per host, from its own rule or a same-cohort host, and deterministic', () => {
    fc.assert(fc.property(fleet, fc.constantFrom('active', 'paused'), (rows, state) => {
      const hosts = rows.map((r, i) => host(`h${i}`, r.stage, r.bios, { held: r.held }));
      const hitMap = hits(rows.map((r, i) => [`h${i}`, r.stage, r.hits, []] as [string, number, number, number[]]));
      const d = decideHunt(input(hosts, hitMap, { state }));
      const byId = new Map(hosts.map((h) => [h.hostId, h]));
      expect(new Set(d.transitions.map((t) => t.hostId)).size).toBe(d.transitions.length);
      for (const t of d.transitions) {
        const h = byId.get(t.hostId)!;
        expect(state).toBe('active');
        expect(h.held).toBe(false);
        expect(t.from).toBe(h.stage);
        expect(t.to).toBe(h.stage + 1);
        expect(t.to).toBeLessThan(SPEC.stages.length);
        if (t.pulledBy === null) expect(hitMap.get(t.hostId)!.get(h.stage)!.count).toBeGreaterThanOrEqual(h.stage === 0 ? 2 : 1);
        else expect(byId.get(t.pulledBy)!.labels.bios).toBe(h.labels.bios);
      }
      // Same input, same answer: a pass run twice decides the same transitions.
      expect(decideHunt(input(hosts, hitMap, { state }))).toEqual(d);
    }), { seed: 20261201, numRuns: 300 });
  });
});
