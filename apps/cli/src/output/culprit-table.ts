import type { CulpritsView, CulpritView } from '@physwatch/core';
import { renderTable } from './table';

/** p to three significant digits: small ones in e-notation, so 1e-93 and 0.002 both read at a glance. */
export function formatP(p: number): string {
  return p >= 0.001 ? p.toPrecision(3) : p.toExponential(2);
}

/** The rate ratio as the counts imply it: ∞ when no host without the value is hit, '-' when undefined. */
export function formatRateRatio(c: CulpritView): string {
  if (c.rate_ratio !== null) return c.rate_ratio.toFixed(2);
  return c.hit_with > 0 && c.hit_without === 0 && c.clean_without > 0 ? '∞' : '-';
}

/** `hits culprits`: one row per label value, most over-represented among the hit hosts first. */
export function culpritsTable(view: CulpritsView): string {
  const head = `${view.scope} ${view.id}: ${view.hit_hosts} of ${view.hosts} hosts hit; ${view.values_tested} values tested (one-sided Fisher exact test)\n`;
  if (view.culprits.length === 0) return `${head}No label values to test.\n`;
  const rows = view.culprits.map((c) => [
    c.key,
    c.value,
    `${c.hit_with}/${c.hit_with + c.clean_with}`,
    `${c.hit_without}/${c.hit_without + c.clean_without}`,
    formatP(c.p),
    formatRateRatio(c),
    c.explained_by ? `${c.explained_by.key}=${c.explained_by.value}` : '-',
  ]);
  return head + renderTable(['KEY', 'VALUE', 'HIT/WITH', 'HIT/WITHOUT', 'P', 'RATE-RATIO', 'EXPLAINED-BY'], rows);
}
