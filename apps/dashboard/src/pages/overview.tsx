import type { ListView, OverviewView, WatchView } from '@physwatch/core';
import { getJson } from '../api/client';
import { Stat } from '../components/badges';
import { HitChart } from '../components/hit-chart';
import { RangePicker } from '../components/range-picker';
import { Empty, Loaded } from '../components/states';
import { formatNumber, targetText, watchTitle } from '../format';
import { useResource } from '../hooks';
import { rangeQuery, RANGES } from '../ranges';
import { Link, navigate, useLocation } from '../router';

export function OverviewPage() {
  const { query } = useLocation();
  const range = rangeQuery(query.get('range'));
  const overview = useResource(
    `overview:${range.id}`,
    () => {
      const { since, until, bucket } = rangeQuery(range.id);
      return getJson<OverviewView>('/stats/overview', { since, until, bucket });
    },
    () => true,
    30_000,
  );
  const watches = useResource('watches:active', () => getJson<ListView<WatchView>>('/watches', { state: 'active' }), (e) => e.kind === 'watch' || e.kind === 'hits');
  const rangeLabel = RANGES.find((r) => r.id === range.id)!.label;

  return (
    <section>
      <header className="page-head">
        <h1>Overview</h1>
        <RangePicker value={range.id} onChange={(id) => navigate(`/?range=${id}`, true)} />
      </header>
      <Loaded resource={overview} what="the overview">
        {(o) => {
          const names = new Map((watches.data?.items ?? []).map((w) => [w.id, watchTitle(w)]));
          const ids = [...new Set(o.buckets.map((b) => b.watch_id))].sort((a, b) => Number(a) - Number(b));
          return (
            <>
              <div className="stats">
                <Stat testId="stat-hits" label={`hits in the last ${rangeLabel}`} value={formatNumber(o.hits_total)} />
                <Stat testId="stat-watches" label="active watches" value={o.watches_active} />
                <Stat testId="stat-online" label="hosts online" value={o.hosts_online} />
                <Stat testId="stat-offline" label="hosts offline" value={o.hosts_offline} />
              </div>
              <h2>Hits over time, per watch</h2>
              {o.hits_total === 0 ? (
                <Empty title={`No hits in the last ${rangeLabel}`}>
                  Hits appear here as agents report them; pick a longer range to look further back.
                </Empty>
              ) : (
                <HitChart
                  buckets={o.buckets.map((b) => ({ t: b.t, key: `w${b.watch_id}`, hits: b.hits }))}
                  series={ids.map((id) => ({ key: `w${id}`, label: names.get(id) ?? `watch #${id}` }))}
                  bucketSeconds={o.bucket_seconds}
                  since={o.since}
                  until={o.until}
                />
              )}
              <ActiveWatches watches={watches} overview={o} />
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function ActiveWatches({ watches, overview }: { watches: ReturnType<typeof useResource<ListView<WatchView>>>; overview: OverviewView }) {
  const hitsByWatch = new Map<string, number>();
  for (const b of overview.buckets) hitsByWatch.set(b.watch_id, (hitsByWatch.get(b.watch_id) ?? 0) + b.hits);
  return (
    <>
      <h2>Active watches</h2>
      <Loaded
        resource={watches}
        what="watches"
        isEmpty={(w) => w.items.length === 0}
        empty={
          <Empty title="No active watches">
            Create one with <code>physwatch watch create</code> or <code>POST /api/v1/watches</code>.
          </Empty>
        }
      >
        {({ items }) => (
          <table data-testid="active-watches">
            <thead>
              <tr>
                <th>Watch</th>
                <th>Target</th>
                <th>Condition</th>
                <th>Action</th>
                <th className="num">Armed</th>
                <th className="num">Failed</th>
                <th className="num">Pending</th>
                <th className="num">Hits in range</th>
              </tr>
            </thead>
            <tbody>
              {items.map((w) => (
                <tr key={w.id}>
                  <td>
                    <Link to={`/watches/${w.id}`}>{watchTitle(w)}</Link>
                  </td>
                  <td className="mono">{targetText(w.target)}</td>
                  <td>
                    {w.condition}
                    {w.value ? ` ${w.value}` : ''}
                  </td>
                  <td>{w.action ?? 'report'}</td>
                  <td className="num">{w.counts.armed}</td>
                  <td className="num">{w.counts.failed}</td>
                  <td className="num">{w.counts.pending}</td>
                  <td className="num">{formatNumber(hitsByWatch.get(w.id) ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </>
  );
}
