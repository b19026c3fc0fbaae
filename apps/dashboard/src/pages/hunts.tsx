import { listHunts } from '../api/hunts';
import { PhaseBadge } from '../components/badges';
import { huntSelector, huntTitle, huntTarget } from '../components/hunt-text';
import { Empty, Loaded } from '../components/states';
import { formatTime } from '../format';
import { useResource } from '../hooks';
import { Link, navigate, useLocation } from '../router';
import '../components/hunt.css';

const STATES = ['', 'active', 'paused', 'stopped'] as const;

/**
 * A hunt's transitions edit its stage watches (a `watch` event); a pause or a budget hold
 * changes no watch and sends none, hence the poll as well.
 */
export const HUNT_POLL_MS = 10_000;

export function HuntsPage() {
  const { query } = useLocation();
  const state = query.get('state') ?? '';
  const hunts = useResource(`hunts:${state}`, () => listHunts(state || undefined), (e) => e.kind === 'watch', HUNT_POLL_MS);

  return (
    <section>
      <header className="page-head">
        <h1>Hunts</h1>
        <div className="segmented" role="group" aria-label="hunt state">
          {STATES.map((s) => (
            <button key={s} type="button" aria-pressed={s === state} onClick={() => navigate(s ? `/hunts?state=${s}` : '/hunts', true)}>
              {s || 'all'}
            </button>
          ))}
        </div>
      </header>
      <Loaded
        resource={hunts}
        what="hunts"
        isEmpty={(h) => h.items.length === 0}
        empty={
          <Empty title={state ? `No ${state} hunt` : 'No hunt yet'}>
            Start one with <code>physwatch hunt start</code> or <code>POST /api/v1/hunts</code>.
          </Empty>
        }
      >
        {({ items }) => (
          <table data-testid="hunts">
            <thead>
              <tr>
                <th>Hunt</th>
                <th>Target</th>
                <th>Hosts</th>
                <th>State</th>
                <th className="num">Stages</th>
                <th>Hosts per stage</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((h) => (
                <tr key={h.id} data-hunt={h.id}>
                  <td>
                    <Link to={`/hunts/${h.id}`}>{huntTitle(h)}</Link>
                  </td>
                  <td className="mono">{huntTarget(h.spec)}</td>
                  <td className="mono">{huntSelector(h.spec.hosts)}</td>
                  <td>
                    <PhaseBadge phase={h.state} />
                    {h.held_stage !== null && <span className="badge badge-held">held at {h.held_stage}</span>}
                  </td>
                  <td className="num">{h.stage_counts.length}</td>
                  <td className="mono" title="hosts standing at stage 0, 1, …">
                    {h.stage_counts.join(' · ')}
                  </td>
                  <td>
                    {formatTime(h.created_at)}
                    {h.created_by ? ` by ${h.created_by}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </section>
  );
}
