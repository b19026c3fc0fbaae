import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Culprit, type CulpritHost, findCulprits, fisherGreater } from './culprits';

/** The exact one-sided p from BigInt binomials: an independent method to check the log-space sum against. */
function exactGreater(a: number, b: number, c: number, d: number): number {
  const choose = (m: number, k: number): bigint => {
    if (k < 0 || k > m) return 0n;
    let r = 1n;
    for (let i = 1; i <= Math.min(k, m - k); i++) r = (r * BigInt(m - i + 1)) / BigInt(i);
    return r;
  };
  const k = a + b;
  const hit = a + c;
  const n = a + b + c + d;
  let num = 0n;
  for (let x = a; x <= Math.min(k, hit); x++) num += choose(k, x) * choose(n - k, hit - x);
  const den = choose(n, hit);
  // 18 significant digits of num/den, then the exponent by hand: Number(big) would overflow.
  const shift = den.toString().length - num.toString().length + 18;
  return Number((num * 10n ** BigInt(Math.max(shift, 0))) / den) * 10 ** -Math.max(shift, 0);
}

/** A table of hosts: a hit hosts with the label, b clean with it, c hit without, d clean without. */
function table(a: number, b: number, c: number, d: number): CulpritHost[] {
  const mk = (n: number, v: string | null, hits: number): CulpritHost[] => Array.from({ length: n }, () => ({ labels: v ? { k: v } : ({} as Record<string, string>), hits }));
  return [...mk(a, 'x', 3), ...mk(b, 'x', 0), ...mk(c, null, 1), ...mk(d, null, 0)];
}

describe('fisherGreater', () => {
  // Reference values: scipy.stats.fisher_exact(table, alternative='greater'), the same test as R's fisher.test(..., alternative = "greater").
  const known: Array<[number, number, number, number, number]> = [
    [3, 1, 1, 3, 0.24285714285714283],
    [8, 0, 0, 16, 1.3596729170830668e-6],
    [7, 3, 1, 13, 0.00234543578196829],
    [1, 2, 7, 14, 0.7233201581027668],
    [50, 150, 10, 19790, 9.126749964465382e-93],
    [12, 1988, 38, 17962, 0.003179501541286613],
    [0, 5, 10, 85, 1],
    [5, 0, 0, 0, 1],
    [300, 700, 200, 18800, 2.792936960426636e-270],
  ];
  it.each(known)('[[%i, %i], [%i, %i]] gives p = %d as scipy/R do', (a, b, c, d, p) => {
    // Relative 1e-8: at p near 1e-270 the log-space sum keeps about 9 digits.
    expect(fisherGreater(a, b, c, d) / p).toBeCloseTo(1, 8);
  });

  it('matches the exact rational sum on tables up to 20,000 hosts', () => {
    for (const [a, b, c, d] of [[300, 700, 200, 18800], [40, 60, 20, 19880], [2, 998, 8, 18992], [17, 3, 0, 19980], [9, 4, 11, 6]]) {
      expect(fisherGreater(a, b, c, d) / exactGreater(a, b, c, d)).toBeCloseTo(1, 8);
    }
  });

  it('is a probability and never grows when a hit host moves into the value', () => {
    fc.assert(
      fc.property(fc.nat(40), fc.nat(40), fc.integer({ min: 1, max: 40 }), fc.nat(40), (a, b, c, d) => {
        const p = fisherGreater(a, b, c, d);
        expect(p).toBeGreaterThan(0);
        expect(p).toBeLessThanOrEqual(1);
        // One hit host without the value becomes one with it: the evidence only strengthens.
        expect(fisherGreater(a + 1, b, c - 1, d)).toBeLessThanOrEqual(p * (1 + 1e-12));
      }),
    );
  });
});

describe('findCulprits', () => {
  /** 24 hosts: bad BIOS 2.1.3 on 8 (7 of them X-1000, 1 X-2000), X-1000 on 10; the bad BIOS hosts are the hit ones. */
  function designed(): CulpritHost[] {
    const hosts: CulpritHost[] = [];
    for (let i = 0; i < 24; i++) {
      const badBios = i < 8;
      const product = i < 7 || (i >= 8 && i < 11) ? 'X-1000' : 'X-2000';
      hosts.push({ labels: { 'dmi.bios.version': badBios ? '2.1.3' : '2.0.9', 'dmi.system.product': product, 'kernel.release': i % 2 ? '6.1.0' : '6.6.0' }, hits: badBios ? 2 + i : 0 });
    }
    return hosts;
  }

  it('ranks the causal BIOS first with its counts, the overlapping platform below and explained by it', () => {
    const r = findCulprits(designed());
    expect(r).toMatchObject({ hosts: 24, hitHosts: 8, valuesTested: 6 });
    const [top, second] = r.culprits;
    expect(top).toMatchObject({ key: 'dmi.bios.version', value: '2.1.3', hitWith: 8, cleanWith: 0, hitWithout: 0, cleanWithout: 16, rateRatio: Infinity, explainedBy: null, pWithoutLeaders: null });
    expect(top.p).toBeCloseTo(1.3596729170830668e-6, 15);
    expect(top.hits).toBe([...Array(8).keys()].reduce((s, i) => s + 2 + i, 0));
    expect(second).toMatchObject({ key: 'dmi.system.product', value: 'X-1000', hitWith: 7, cleanWith: 3, hitWithout: 1, cleanWithout: 13 });
    expect(second.p / 0.00234543578196829).toBeCloseTo(1, 9);
    expect(second.rateRatio).toBeCloseTo(0.7 / (1 / 14), 9);
    expect(second.explainedBy).toEqual({ key: 'dmi.bios.version', value: '2.1.3' });
    expect(second.pWithoutLeaders).toBe(1);
  });

  it('keeps a second, independent cause as a leader', () => {
    // Bad BIOS hits on 6 of 6 hosts; a bad NIC firmware on 6 other hosts hits on 5 of them.
    const hosts: CulpritHost[] = Array.from({ length: 60 }, (_, i) => ({
      labels: { bios: i < 6 ? 'bad' : 'good', nic: i >= 30 && i < 36 ? 'bad' : 'good' },
      hits: i < 6 || (i >= 30 && i < 35) ? 1 : 0,
    }));
    const r = findCulprits(hosts);
    const nic = r.culprits.find((c) => c.key === 'nic' && c.value === 'bad')!;
    expect(r.culprits[0]).toMatchObject({ key: 'bios', value: 'bad' });
    expect(nic.explainedBy).toBeNull();
    expect(nic.pWithoutLeaders).toBeLessThan(0.05);
  });

  it('restricts to the keys asked for and ranks equal p by the larger rate ratio', () => {
    const r = findCulprits(designed(), { keys: ['dmi.system.product'] });
    expect(r.culprits.map((c) => c.value)).toEqual(['X-1000', 'X-2000']);
    const equal = findCulprits([...table(2, 0, 0, 2), { labels: { j: 'y' }, hits: 0 }]);
    expect(equal.culprits[0]).toMatchObject({ key: 'k', value: 'x', rateRatio: Infinity });
  });

  it('gives null ratios where they do not exist', () => {
    const r = findCulprits(table(0, 3, 0, 0));
    expect(r.culprits[0]).toMatchObject({ p: 1, rateRatio: null, oddsRatio: null, hitWith: 0, cleanWith: 3 });
  });

  it('keeps the counts of every value summing to the hosts, p in (0, 1], hit hosts consistent', () => {
    const host = fc.record({
      labels: fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('1', '2', '3'), { maxKeys: 3 }),
      hits: fc.oneof(fc.constant(0), fc.nat(5)),
    });
    fc.assert(
      fc.property(fc.array(host, { maxLength: 60 }), (hosts) => {
        const r = findCulprits(hosts);
        const hitHosts = hosts.filter((h) => h.hits > 0).length;
        expect(r.hitHosts).toBe(hitHosts);
        for (const c of r.culprits) {
          expect(c.hitWith + c.cleanWith + c.hitWithout + c.cleanWithout).toBe(hosts.length);
          expect(c.hitWith + c.hitWithout).toBe(hitHosts);
          expect(c.p).toBeGreaterThan(0);
          expect(c.p).toBeLessThanOrEqual(1);
        }
        for (let i = 1; i < r.culprits.length; i++) expect(r.culprits[i].p).toBeGreaterThanOrEqual(r.culprits[i - 1].p);
      }),
    );
  });

  it('explains overlaps as the plain definition does: re-test among hosts lacking every leader, name the leader sharing most hosts', () => {
    const host = fc.record({
      labels: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.constantFrom('1', '2'), { maxKeys: 4 }),
      hits: fc.oneof(fc.constant(0), fc.constant(0), fc.nat(3)),
    });
    fc.assert(
      fc.property(fc.array(host, { minLength: 10, maxLength: 80 }), fc.constantFrom(0.05, 0.2, 0.5), (hosts, alpha) => {
        const r = findCulprits(hosts, { alpha });
        const has = (c: Culprit, h: CulpritHost) => h.labels[c.key] === c.value;
        const leaders: Culprit[] = [];
        for (const c of r.culprits) {
          if (c.p >= alpha) {
            expect(c.explainedBy).toBeNull();
            expect(c.pWithoutLeaders).toBeNull();
            continue;
          }
          if (leaders.length === 0) {
            expect(c.pWithoutLeaders).toBeNull();
          } else {
            const rest = hosts.filter((h) => !leaders.some((l) => has(l, h)));
            const a = rest.filter((h) => has(c, h) && h.hits > 0).length;
            const k = rest.filter((h) => has(c, h)).length;
            const hit = rest.filter((h) => h.hits > 0).length;
            const p = fisherGreater(a, k - a, hit - a, rest.length - hit - (k - a));
            expect(c.pWithoutLeaders).toBeCloseTo(p, 12);
            if (p >= alpha) {
              const shared = leaders.map((l) => hosts.filter((h) => has(l, h) && has(c, h)).length);
              const best = leaders[shared.indexOf(Math.max(...shared))];
              expect(c.explainedBy).toEqual({ key: best.key, value: best.value });
              continue;
            }
          }
          expect(c.explainedBy).toBeNull();
          leaders.push(c);
        }
      }),
    );
  });
});
