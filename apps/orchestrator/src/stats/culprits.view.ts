import type { CulpritReport, CulpritsView } from '@physwatch/core';

const finite = (x: number | null): number | null => (x !== null && Number.isFinite(x) ? x : null);

/** The REST shape of a culprit report, its first `limit` values. */
export function culpritsView(scope: 'watch' | 'hunt', id: string, report: CulpritReport, limit: number, alpha: number): CulpritsView {
  return {
    scope,
    id,
    hosts: report.hosts,
    hit_hosts: report.hitHosts,
    values_tested: report.valuesTested,
    alpha,
    culprits: report.culprits.slice(0, limit).map((c) => ({
      key: c.key,
      value: c.value,
      hit_with: c.hitWith,
      clean_with: c.cleanWith,
      hit_without: c.hitWithout,
      clean_without: c.cleanWithout,
      hits: c.hits,
      p: c.p,
      rate_ratio: finite(c.rateRatio),
      odds_ratio: finite(c.oddsRatio),
      explained_by: c.explainedBy,
      p_without_leaders: c.pWithoutLeaders,
    })),
  };
}
