/**
 * The culprit finder (docs/contracts.md "Culprits"): which host fact values are over-represented
 * among the hosts a watch or hunt hit. Every (label key, value) is tested with a one-sided
 * Fisher exact test on its 2×2 table of hosts; the counts travel with the p-value so a reader
 * can judge a small fleet as well as a large one.
 */

export interface CulpritHost {
  /** Every label and fact of the host (effective labels). */
  labels: Readonly<Record<string, string>>;
  /** Hits of the watch (or the hunt's stage watches) stored from this host. */
  hits: number;
}

export interface Culprit {
  key: string;
  value: string;
  /** Hosts with the value that have at least one hit (a of the 2×2 table). */
  hitWith: number;
  /** Hosts with the value and no hit (b). */
  cleanWith: number;
  /** Hosts without the value (lacking the key or holding another value) that have a hit (c). */
  hitWithout: number;
  /** Hosts without the value and no hit (d). */
  cleanWithout: number;
  /** Hits stored from the hosts with the value. */
  hits: number;
  /** P(X >= a) for X hypergeometric with the table's margins: one-sided Fisher exact test. */
  p: number;
  /** (a/(a+b)) / (c/(c+d)); Infinity when no host without the value is hit; null when no host lacks the value or none with it is hit and none without. */
  rateRatio: number | null;
  /** (a·d)/(b·c), the sample odds ratio; Infinity when b·c = 0 < a·d; null when both are 0. */
  oddsRatio: number | null;
  /**
   * Set on a value whose over-representation disappears among the hosts lacking every leader
   * (a value ranked above it that stayed significant that way): the leader that shares the most
   * hosts with it. Null for leaders and for values that were not significant to begin with.
   */
  explainedBy: { key: string; value: string } | null;
  /** The same test among the hosts lacking every leader ranked above it; null for the first leader and values not checked. */
  pWithoutLeaders: number | null;
}

export interface CulpritOptions {
  /** Only these label keys. */
  keys?: readonly string[];
  /** Significance level of the "explained by" check; default 0.05. */
  alpha?: number;
}

export interface CulpritReport {
  hosts: number;
  hitHosts: number;
  /** How many values were tested: the count a Bonferroni correction divides alpha by. */
  valuesTested: number;
  /** Every value, ranked: smallest p first, then the larger rate ratio, then more hit hosts, then key and value. */
  culprits: Culprit[];
}

export const DEFAULT_CULPRIT_ALPHA = 0.05;

/** ln(k!) for k = 0..n, summed exactly term by term (no Stirling error at small k, no overflow at large). */
function logFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) out[k] = out[k - 1] + Math.log(k);
  return out;
}

/**
 * One-sided (greater) Fisher exact p-value of the table [[a, b], [c, d]]: the probability, with
 * the margins fixed, of at least `a` hit hosts among those with the value. Summed in log space
 * from the largest term, so 20,000 hosts neither overflow nor lose the tail.
 */
export function fisherGreater(a: number, b: number, c: number, d: number, lf = logFactorials(a + b + c + d)): number {
  const withValue = a + b;
  const hit = a + c;
  const n = a + b + c + d;
  const hi = Math.min(withValue, hit);
  const logC = (m: number, k: number) => lf[m] - lf[k] - lf[m - k];
  const logTotal = logC(n, hit);
  const logs: number[] = [];
  for (let x = a; x <= hi; x++) logs.push(logC(withValue, x) + logC(n - withValue, hit - x) - logTotal);
  if (logs.length === 0) return 1;
  const max = Math.max(...logs);
  const sum = logs.reduce((s, l) => s + Math.exp(l - max), 0);
  return Math.min(1, Math.exp(max + Math.log(sum)));
}

function ratio(num: number, den: number): number | null {
  if (den > 0) return num / den;
  return num > 0 ? Infinity : null;
}

interface Cell {
  key: string;
  value: string;
  /** Indexes of the hosts holding the value. */
  members: number[];
}

function tally(cell: Cell, hosts: readonly CulpritHost[], among: (i: number) => boolean, totalHit: number, total: number) {
  let a = 0;
  let k = 0;
  let hits = 0;
  for (const i of cell.members) {
    if (!among(i)) continue;
    k += 1;
    hits += hosts[i].hits;
    if (hosts[i].hits > 0) a += 1;
  }
  return { a, b: k - a, c: totalHit - a, d: total - totalHit - (k - a), hits };
}

const cmpRatio = (x: number | null, y: number | null) => (y ?? -1) - (x ?? -1) || 0;

/** Ranks every label value of the hosts by over-representation among the hit hosts. */
export function findCulprits(hosts: readonly CulpritHost[], options: CulpritOptions = {}): CulpritReport {
  const alpha = options.alpha ?? DEFAULT_CULPRIT_ALPHA;
  const only = options.keys ? new Set(options.keys) : null;
  const cells = new Map<string, Cell>();
  hosts.forEach((h, i) => {
    for (const [key, value] of Object.entries(h.labels)) {
      if (only && !only.has(key)) continue;
      // Label keys never hold NUL (agent-limits LABEL_KEY, the REST label rules), so this joins unambiguously.
      const id = `${key}\u0000${value}`;
      let cell = cells.get(id);
      if (!cell) cells.set(id, (cell = { key, value, members: [] }));
      cell.members.push(i);
    }
  });
  const n = hosts.length;
  const hitHosts = hosts.filter((h) => h.hits > 0).length;
  const lf = logFactorials(n);
  const everyone = () => true;
  const ranked = [...cells.values()]
    .map((cell) => {
      const t = tally(cell, hosts, everyone, hitHosts, n);
      const culprit: Culprit = {
        key: cell.key,
        value: cell.value,
        hitWith: t.a,
        cleanWith: t.b,
        hitWithout: t.c,
        cleanWithout: t.d,
        hits: t.hits,
        p: fisherGreater(t.a, t.b, t.c, t.d, lf),
        rateRatio: t.c + t.d === 0 ? null : ratio(t.a / (t.a + t.b), t.c / (t.c + t.d)),
        oddsRatio: ratio(t.a * t.d, t.b * t.c),
        explainedBy: null,
        pWithoutLeaders: null,
      };
      return { cell, culprit };
    })
    .sort(
      (x, y) =>
        x.culprit.p - y.culprit.p ||
        cmpRatio(x.culprit.rateRatio, y.culprit.rateRatio) ||
        y.culprit.hitWith - x.culprit.hitWith ||
        (x.cell.key < y.cell.key ? -1 : x.cell.key > y.cell.key ? 1 : 0) ||
        (x.cell.value < y.cell.value ? -1 : x.cell.value > y.cell.value ? 1 : 0),
    );
  explainOverlaps(ranked, hosts, alpha, lf);
  return { hosts: n, hitHosts, valuesTested: ranked.length, culprits: ranked.map((r) => r.culprit) };
}

/**
 * Forward selection over the ranking: the first significant value leads; each later significant
 * value is re-tested among the hosts lacking every leader so far. One that is still significant
 * there becomes a leader too (a second, independent cause); one that is not is explained by the
 * leader it shares most hosts with (it was over-represented only because it rides along).
 */
function explainOverlaps(ranked: Array<{ cell: Cell; culprit: Culprit }>, hosts: readonly CulpritHost[], alpha: number, lf: Float64Array): void {
  // Per host, the leaders holding it: what "lacking every leader" and "shares most hosts" read,
  // kept up to date as leaders are added so a pass costs the labels, not hosts × leaders.
  const coveredBy: number[][] = hosts.map(() => []);
  const leaders: Cell[] = [];
  let rest = hosts.length;
  let restHit = hosts.filter((h) => h.hits > 0).length;
  const among = (i: number) => coveredBy[i].length === 0;
  for (const { cell, culprit } of ranked) {
    if (culprit.p >= alpha) break;
    if (leaders.length > 0) {
      const t = tally(cell, hosts, among, restHit, rest);
      culprit.pWithoutLeaders = fisherGreater(t.a, t.b, t.c, t.d, lf);
      if (culprit.pWithoutLeaders >= alpha) {
        const shared = new Map<number, number>();
        for (const i of cell.members) for (const l of coveredBy[i]) shared.set(l, (shared.get(l) ?? 0) + 1);
        // Ties go to the higher-ranked leader (the lower index).
        let best = 0;
        for (const [l, n] of shared) if (n > (shared.get(best) ?? 0) || (n === shared.get(best) && l < best)) best = l;
        culprit.explainedBy = { key: leaders[best].key, value: leaders[best].value };
        continue;
      }
    }
    for (const i of cell.members) {
      if (coveredBy[i].length === 0) {
        rest -= 1;
        if (hosts[i].hits > 0) restHit -= 1;
      }
      coveredBy[i].push(leaders.length);
    }
    leaders.push(cell);
  }
}
