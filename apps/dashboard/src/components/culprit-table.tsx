import type { CulpritsView, CulpritView, LiveEvent } from '@physwatch/core';
import { getJson } from '../api/client';
import { useResource } from '../hooks';
import { Empty, Loaded } from './states';

const LIMIT = '15';

/** p to three significant digits, e-notation below 0.001 so 1e-93 and 0.002 both read at a glance. */
function formatP(p: number): string {
  return p >= 0.001 ? p.toPrecision(3) : p.toExponential(2);
}

function rateRatio(c: CulpritView): string {
  if (c.rate_ratio !== null) return `${c.rate_ratio.toFixed(2)}×`;
  return c.hit_with > 0 && c.hit_without === 0 && c.clean_without > 0 ? '∞' : '–';
}

/**
 * "Likely culprits" of a watch or a hunt (`/watches/:id/culprits`, `/hunts/:id/culprits`): every
 * host label value ranked by a one-sided Fisher exact test, with the 2×2 counts beside the p.
 */
export function Culprits({ scope, id, refreshOn }: { scope: 'watch' | 'hunt'; id: string; refreshOn: (e: LiveEvent) => boolean }) {
  const path = `/${scope === 'watch' ? 'watches' : 'hunts'}/${id}/culprits`;
  const culprits = useResource(`culprits:${scope}:${id}`, () => getJson<CulpritsView>(path, { limit: LIMIT }), refreshOn);
  return (
    <Loaded
      resource={culprits}
      what="likely culprits"
      isEmpty={(v) => v.hit_hosts === 0 || v.culprits.length === 0}
      empty={<Empty title="No hit hosts yet">Culprits are ranked once a host has a hit.</Empty>}
    >
      {(v) => <CulpritTable view={v} />}
    </Loaded>
  );
}

function CulpritTable({ view }: { view: CulpritsView }) {
  return (
    <>
      <p className="muted" data-testid="culprits-summary">
        {view.hit_hosts} of {view.hosts} hosts hit · {view.values_tested} label values tested · one-sided Fisher exact test per value (uncorrected p; multiply by {view.values_tested} for Bonferroni)
      </p>
      <table data-testid="culprits">
        <thead>
          <tr>
            <th>#</th>
            <th>Label</th>
            <th>Value</th>
            <th className="num">Hit / hosts with value</th>
            <th className="num">Hit / hosts without</th>
            <th className="num">p</th>
            <th className="num">Rate ratio</th>
            <th>Explained by</th>
          </tr>
        </thead>
        <tbody>
          {view.culprits.map((c, i) => (
            <tr
              key={`${c.key}=${c.value}`}
              data-testid="culprit-row"
              data-key={c.key}
              data-value={c.value}
              className={i === 0 && c.p < view.alpha ? 'suspect' : undefined}
            >
              <td className="num">{i + 1}</td>
              <td className="mono">{c.key}</td>
              <td className="mono">{c.value}</td>
              <td className="num" data-testid="culprit-with">
                {c.hit_with} / {c.hit_with + c.clean_with}
              </td>
              <td className="num" data-testid="culprit-without">
                {c.hit_without} / {c.hit_without + c.clean_without}
              </td>
              <td className="num" data-testid="culprit-p">
                {formatP(c.p)}
              </td>
              <td className="num">{rateRatio(c)}</td>
              <td className="mono">{c.explained_by ? `${c.explained_by.key}=${c.explained_by.value}` : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
