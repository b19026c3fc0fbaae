import type { CulpritView } from '@physwatch/core';
import { describe, expect, it } from 'vitest';
import { culpritsTable, formatP, formatRateRatio } from './culprit-table';

const row = (over: Partial<CulpritView>): CulpritView => ({
  key: 'dmi.bios.version',
  value: '2.1.3',
  hit_with: 8,
  clean_with: 0,
  hit_without: 0,
  clean_without: 16,
  hits: 9,
  p: 1.3596729170830668e-6,
  rate_ratio: null,
  odds_ratio: null,
  explained_by: null,
  p_without_leaders: null,
  ...over,
});

describe('culpritsTable', () => {
  it('shows p in three digits, e-notation when small', () => {
    expect([formatP(1), formatP(0.00234543578196829), formatP(9.1e-93)]).toEqual(['1.00', '0.00235', '9.10e-93']);
  });

  it('tells an infinite rate ratio from an undefined one by the counts', () => {
    expect(formatRateRatio(row({}))).toBe('∞');
    expect(formatRateRatio(row({ hit_with: 8, clean_with: 16, hit_without: 0, clean_without: 0 }))).toBe('-');
    expect(formatRateRatio(row({ rate_ratio: 9.8 }))).toBe('9.80');
  });

  it('prints the counts of each value and what explains it', () => {
    const out = culpritsTable({
      scope: 'watch', id: '7', hosts: 24, hit_hosts: 8, values_tested: 2, alpha: 0.05,
      culprits: [row({}), row({ key: 'dmi.system.product', value: 'X-1000', hit_with: 7, clean_with: 3, hit_without: 1, clean_without: 13, p: 0.0023454, rate_ratio: 9.8, explained_by: { key: 'dmi.bios.version', value: '2.1.3' } })],
    });
    expect(out.split('\n').map((l) => l.split(/\s{3,}/))).toEqual([
      ['watch 7: 8 of 24 hosts hit; 2 values tested (one-sided Fisher exact test)'],
      ['KEY', 'VALUE', 'HIT/WITH', 'HIT/WITHOUT', 'P', 'RATE-RATIO', 'EXPLAINED-BY'],
      ['dmi.bios.version', '2.1.3', '8/8', '0/16', '1.36e-6', '∞', '-'],
      ['dmi.system.product', 'X-1000', '7/10', '1/14', '0.00235', '9.80', 'dmi.bios.version=2.1.3'],
      [''],
    ]);
    expect(culpritsTable({ scope: 'hunt', id: '3', hosts: 0, hit_hosts: 0, values_tested: 0, alpha: 0.05, culprits: [] })).toBe(
      'hunt 3: 0 of 0 hosts hit; 0 values tested (one-sided Fisher exact test)\nNo label values to test.\n',
    );
  });
});
