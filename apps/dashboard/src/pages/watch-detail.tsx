import type { HitGroupsView, OverviewView, WatchDetailView, WatchHostsView } from '@physwatch/core';
import { getJson } from '../api/client';
import { PhaseBadge, Stat } from '../components/badges';
import { Culprits } from '../components/culprit-table';
import { HitChart } from '../components/hit-chart';
import { RangePicker } from '../components/range-picker';
import { Empty, Loaded } from '../components/states';
import { formatAgo, formatNumber, formatPercent, formatTime, targetText, watchTitle } from '../format';
import { touches, useNow, useResource } from '../hooks';
import { rangeQuery } from '../ranges';
import { Link, navigate, useLocation } from '../router';

/** The facts a corruption hunt usually splits hosts by; label keys from apps/agent host-facts.ts. */
const CULPRIT_FACTS: Array<{ label: string; key: string | ((keys: string[]) => string) }> = [
  { label: 'BIOS version', key: 'dmi.bios.version' },
  { label: 'NIC firmware', key: (keys) => keys.find((k) => /^nic\..+\.firmware$/.test(k)) ?? 'nic.eth0.firmware' },
  { label: 'Platform', key: 'dmi.system.product' },
  { label: 'Microcode', key: 'cpu.microcode' },
];

export function WatchDetailPage({ id }: { id: string }) {
  const { query } = useLocation();
  const by = query.get('by') ?? 'dmi.bios.version';
  const range = rangeQuery(query.get('range'));
  const setQuery = (key: string, value: string) => {
    const next = new URLSearchParams(query);
    next.set(key, value);
    navigate(`/watches/${id}?${next}`, true);
  };
  const mine = (e: { kind: string; watch_ids?: string[] | null }) => e.kind !== 'host' && touches(e.watch_ids ?? null, id);

  const watch = useResource(`watch:${id}`, () => getJson<WatchDetailView>(`/watches/${id}`), (e) => e.kind === 'watch' && touches(e.watch_ids, id));
  const hosts = useResource(`watch-hosts:${id}`, () => getJson<WatchHostsView>(`/watches/${id}/hosts`), (e) => e.kind !== 'hits' || touches(e.watch_ids, id), 30_000);
  const groups = useResource(`groups:${id}:${by}`, () => getJson<HitGroupsView>(`/watches/${id}/hit-groups`, { by }), mine);
  const timeline = useResource(
    `timeline:${id}:${range.id}`,
    () => {
      const { since, until, bucket } = rangeQuery(range.id);
      return getJson<OverviewView>('/stats/overview', { since, until, bucket, watch_id: id });
    },
    (e) => e.kind === 'hits' && touches(e.watch_ids, id),
  );

  return (
    <section>
      <Loaded resource={watch} what={`watch ${id}`}>
        {(w) => (
          <>
            <header className="page-head">
              <h1>
                {watchTitle(w)} <PhaseBadge phase={w.state} />
              </h1>
            </header>
            <p className="spec mono" data-testid="watch-spec">
              {targetText(w.target)} · width {w.width} · {w.condition}
              {w.value ? ` ${w.value}` : ''} · {w.interval ? `every ${w.interval}` : ''}
              {w.mode && w.mode !== 'timer' ? `${w.interval ? ' and ' : ''}on entry to ${(w.funcs ?? []).join(', ')}` : ''}
              {w.rate ? ` · at most ${w.rate} hits/s per host` : ''} · action {w.action ?? 'report'}
              {w.kdump_on_hit ? ' · kdump on hit' : ''} · hosts {'selector' in w.hosts ? w.hosts.selector || '(all)' : w.hosts.ids.join(', ')} ·
              created {formatTime(w.created_at)}
            </p>
            <div className="stats">
              <Stat testId="stat-placed" label="hosts placed" value={w.assignments.length} />
              <Stat testId="stat-armed" label="armed" value={w.counts.armed} />
              <Stat testId="stat-failed" label="failed" value={w.counts.failed} />
              <Stat testId="stat-pending" label="pending" value={w.counts.pending} />
              <Stat testId="stat-watch-hits" label="hits (all time)" value={groups.data ? formatNumber(groups.data.groups.reduce((n, g) => n + g.hits, 0)) : '…'} />
            </div>
          </>
        )}
      </Loaded>

      <header className="section-head">
        <h2>Hit timeline</h2>
        <RangePicker value={range.id} onChange={(r) => setQuery('range', r)} />
      </header>
      <Loaded
        resource={timeline}
        what="the hit timeline"
        isEmpty={(t) => t.hits_total === 0}
        empty={<Empty title="No hits in this range">This watch has not fired in the selected range.</Empty>}
      >
        {(t) => (
          <HitChart
            buckets={t.buckets.map((b) => ({ t: b.t, key: 'hits', hits: b.hits }))}
            series={[{ key: 'hits', label: 'hits' }]}
            bucketSeconds={t.bucket_seconds}
            since={t.since}
            until={t.until}
          />
        )}
      </Loaded>

      <header className="section-head">
        <h2>Likely culprits</h2>
      </header>
      <Culprits scope="watch" id={id} refreshOn={mine} />

      <header className="section-head">
        <h2>Hits grouped by host facts</h2>
      </header>
      <GroupPicker by={by} keys={groups.data?.keys ?? []} onChange={(k) => setQuery('by', k)} />
      <Loaded
        resource={groups}
        what="hit groups"
        isEmpty={(g) => g.groups.length === 0}
        empty={<Empty title="Not placed on any host yet">Groups appear once the scheduler places the watch.</Empty>}
      >
        {(g) => <GroupTable groups={g} />}
      </Loaded>

      <header className="section-head">
        <h2>Per-host states</h2>
      </header>
      <Loaded
        resource={hosts}
        what="per-host states"
        isEmpty={(h) => h.armed.length + h.failed.length + h.pending.length + h.offline.length === 0}
        empty={<Empty title="No host selected">No host matches the watch's selector.</Empty>}
      >
        {(h) => <HostStates watchId={id} hosts={h} groups={groups.data} />}
      </Loaded>
    </section>
  );
}

function GroupPicker({ by, keys, onChange }: { by: string; keys: string[]; onChange: (key: string) => void }) {
  const facts = CULPRIT_FACTS.map((f) => ({ label: f.label, key: typeof f.key === 'string' ? f.key : f.key(keys) }));
  const others = keys.filter((k) => !facts.some((f) => f.key === k));
  return (
    <div className="group-picker">
      <div className="segmented" role="group" aria-label="group hits by">
        {facts.map((f) => (
          <button key={f.key} type="button" aria-pressed={f.key === by} onClick={() => onChange(f.key)} title={f.key}>
            {f.label}
          </button>
        ))}
      </div>
      <label>
        or label{' '}
        <select value={facts.some((f) => f.key === by) ? '' : by} onChange={(e) => e.target.value && onChange(e.target.value)}>
          <option value="">—</option>
          {others.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
          {!keys.includes(by) && !facts.some((f) => f.key === by) && <option value={by}>{by}</option>}
        </select>
      </label>
    </div>
  );
}

function GroupTable({ groups }: { groups: HitGroupsView }) {
  const top = Math.max(...groups.groups.map((g) => g.hit_rate));
  return (
    <table data-testid="hit-groups">
      <thead>
        <tr>
          <th className="mono">{groups.by}</th>
          <th className="num">Hosts</th>
          <th className="num">Hosts with hits</th>
          <th className="num">Hits</th>
          <th className="num">Hits per host</th>
          <th>Hit rate (hosts with hits)</th>
        </tr>
      </thead>
      <tbody>
        {groups.groups.map((g) => (
          <tr key={g.value ?? ''} className={g.hit_rate > 0 && g.hit_rate === top ? 'suspect' : undefined} data-value={g.value ?? ''}>
            <td className="mono">{g.value ?? <em>(label not set)</em>}</td>
            <td className="num">{g.hosts}</td>
            <td className="num">{g.hit_hosts}</td>
            <td className="num">{formatNumber(g.hits)}</td>
            <td className="num">{g.hits_per_host.toFixed(2)}</td>
            <td>
              <div className="rate">
                <div className="rate-bar" style={{ width: formatPercent(g.hit_rate) }} />
                <span>{formatPercent(g.hit_rate)}</span>
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function HostStates({ watchId, hosts, groups }: { watchId: string; hosts: WatchHostsView; groups?: HitGroupsView }) {
  const now = useNow();
  const hits = new Map((groups?.hosts ?? []).map((h) => [h.host_id, h]));
  const rows = [
    ...hosts.armed.map((h) => ({ host: h.host_id, state: 'armed', detail: `at ${h.resolved_paddr} since ${formatTime(h.since)}` })),
    ...hosts.failed.map((h) => ({ host: h.host_id, state: 'failed', detail: h.reason })),
    ...hosts.pending.map((h) => ({ host: h.host_id, state: 'pending', detail: h.message || h.reason })),
    ...hosts.offline.map((h) => ({ host: h.host_id, state: 'offline', detail: h.placed ? 'placed; host offline' : 'selected; host offline' })),
  ];
  return (
    <table data-testid="host-states">
      <thead>
        <tr>
          <th>Host</th>
          <th>State</th>
          <th>Detail</th>
          <th className="num">Hits</th>
          <th>Last hit</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const h = hits.get(r.host);
          return (
            <tr key={r.host} data-host={r.host}>
              <td>
                <Link to={`/hosts?q=${encodeURIComponent(r.host)}`}>{r.host}</Link>
              </td>
              <td>
                <PhaseBadge phase={r.state} />
              </td>
              <td className="detail">{r.detail}</td>
              <td className="num">{h && h.hits > 0 ? <Link to={`/hits?watch_id=${watchId}&host_id=${encodeURIComponent(r.host)}`}>{formatNumber(h.hits)}</Link> : '0'}</td>
              <td title={formatTime(h?.last_hit_at)}>{h?.last_hit_at ? formatAgo(h.last_hit_at, now) : '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
