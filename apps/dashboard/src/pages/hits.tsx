import { useEffect, useRef, useState } from 'react';
import type { HitView, HostView, ListView, PageView, WatchView } from '@physwatch/core';
import { getJson } from '../api/client';
import { HitStack, HitWriter, WriterLabel, WRITERS } from '../components/hit-writer';
import { Empty, Loaded } from '../components/states';
import { formatNs, formatTime, watchTitle } from '../format';
import { touches, useResource } from '../hooks';
import { Link, navigate, useLocation } from '../router';

const PAGE_SIZE = '50';
const FILTERS = ['watch_id', 'host_id', 'writer', 'since', 'until'] as const;

/** datetime-local has no zone; the explorer speaks UTC like the rest of the dashboard. */
function toLocalInput(iso: string | null): string {
  return iso ? iso.slice(0, 16) : '';
}

function fromLocalInput(value: string): string {
  return value ? new Date(`${value}:00Z`).toISOString() : '';
}

export function HitsPage() {
  const { query } = useLocation();
  const filters = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? undefined])) as Record<(typeof FILTERS)[number], string | undefined>;
  const filterKey = FILTERS.map((k) => filters[k] ?? '').join('|');
  // Keyset paging: the cursor that opened each page so far, to go back.
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [selected, setSelected] = useState<HitView | null>(null);
  const seen = useRef<Set<string> | null>(null);
  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    setCursors([undefined]);
    seen.current = null;
  }, [filterKey]);

  const hits = useResource(
    `hits:${filterKey}:${cursor ?? ''}`,
    () => getJson<PageView<HitView>>('/hits', { ...filters, limit: PAGE_SIZE, cursor }),
    // Only the first page moves when hits arrive; older pages stay put while someone reads them.
    (e) => cursor === undefined && e.kind === 'hits' && touches(e.watch_ids, filters.watch_id) && touches(e.host_ids, filters.host_id),
  );
  const watches = useResource('watches:all', () => getJson<ListView<WatchView>>('/watches'), (e) => e.kind === 'watch');
  const hosts = useResource('hosts', () => getJson<ListView<HostView>>('/hosts'), (e) => e.kind === 'host');

  // Rows that arrived live since the page was first shown are marked until the next filter change.
  const fresh = new Set<string>();
  if (hits.data && cursor === undefined) {
    if (seen.current === null) seen.current = new Set(hits.data.items.map((h) => h.id));
    for (const h of hits.data.items) if (!seen.current.has(h.id)) fresh.add(h.id);
  }
  const wanted = query.get('hit');
  useEffect(() => {
    const hit = wanted && hits.data?.items.find((h) => h.id === wanted);
    if (hit) setSelected(hit);
  }, [wanted, hits.data]);

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(query);
    if (value) next.set(key, value);
    else next.delete(key);
    next.delete('hit');
    navigate(`/hits${next.size ? `?${next}` : ''}`, true);
  };

  return (
    <section className={selected ? 'with-panel' : undefined}>
      <header className="page-head">
        <h1>Hit explorer</h1>
      </header>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Watch
          <select name="watch_id" value={filters.watch_id ?? ''} onChange={(e) => setFilter('watch_id', e.target.value)}>
            <option value="">any</option>
            {(watches.data?.items ?? []).map((w) => (
              <option key={w.id} value={w.id}>
                {watchTitle(w)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Host
          <select name="host_id" value={filters.host_id ?? ''} onChange={(e) => setFilter('host_id', e.target.value)}>
            <option value="">any</option>
            {(hosts.data?.items ?? []).map((h) => (
              <option key={h.id} value={h.id}>
                {h.hostname}
              </option>
            ))}
          </select>
        </label>
        <label>
          Writer
          <select name="writer" value={filters.writer ?? ''} onChange={(e) => setFilter('writer', e.target.value)}>
            <option value="">any</option>
            {WRITERS.map((w) => (
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </select>
        </label>
        <label>
          From (UTC)
          <input type="datetime-local" name="since" value={toLocalInput(filters.since ?? null)} onChange={(e) => setFilter('since', fromLocalInput(e.target.value))} />
        </label>
        <label>
          To (UTC)
          <input type="datetime-local" name="until" value={toLocalInput(filters.until ?? null)} onChange={(e) => setFilter('until', fromLocalInput(e.target.value))} />
        </label>
        {FILTERS.some((k) => filters[k]) && (
          <button type="button" onClick={() => navigate('/hits', true)}>
            Clear filters
          </button>
        )}
      </form>
      <Loaded
        resource={hits}
        what="hits"
        isEmpty={(p) => p.items.length === 0}
        empty={
          <Empty title={cursor ? 'No more hits' : 'No hits match'}>
            {cursor ? 'This was the last page.' : 'Hits appear here live as agents report them; widen the filters to look further.'}
          </Empty>
        }
      >
        {(page) => (
          <table data-testid="hits">
            <thead>
              <tr>
                <th>Occurred</th>
                <th>Watch</th>
                <th>Host</th>
                <th className="mono">Address</th>
                <th className="mono">Old → new</th>
                <th>Bracket</th>
                <th>Writer</th>
                <th>CPU</th>
                <th>Task</th>
                <th>Source</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((h) => (
                <tr
                  key={h.id}
                  data-hit={h.id}
                  className={`clickable${fresh.has(h.id) ? ' fresh' : ''}${selected?.id === h.id ? ' selected' : ''}`}
                  onClick={() => setSelected(h)}
                >
                  <td>{formatTime(h.occurred_at)}</td>
                  <td>#{h.watch_id}</td>
                  <td>{h.host_id}</td>
                  <td className="mono">{h.paddr}</td>
                  <td className="mono">
                    {h.old_value} → {h.new_value}
                  </td>
                  <td>{h.bracket_ns === null ? '—' : formatNs(h.bracket_ns)}</td>
                  <td>
                    <WriterLabel hit={h} />
                  </td>
                  <td>{h.cpu}</td>
                  <td>
                    {h.comm} ({h.pid})
                  </td>
                  <td>{h.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
      <nav className="pager">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Newer
        </button>
        <span>page {cursors.length}</span>
        <button type="button" disabled={!hits.data?.next_cursor} onClick={() => setCursors([...cursors, hits.data!.next_cursor!])}>
          Older →
        </button>
      </nav>
      {selected && <HitPanel hit={selected} onClose={() => setSelected(null)} />}
    </section>
  );
}

function HitPanel({ hit, onClose }: { hit: HitView; onClose: () => void }) {
  const fields: Array<[string, string]> = Object.entries(hit)
    .filter(([k]) => k !== 'stack')
    .map(([k, v]) => [k, v === null ? '—' : String(v)]);
  return (
    <aside className="panel" data-testid="hit-record" aria-label={`hit ${hit.id}`}>
      <header>
        <h2>Hit {hit.id}</h2>
        <button type="button" onClick={onClose} aria-label="close">
          ×
        </button>
      </header>
      <p>
        <Link to={`/watches/${hit.watch_id}`}>watch #{hit.watch_id}</Link> · <Link to={`/hosts?q=${encodeURIComponent(hit.host_id)}`}>{hit.host_id}</Link> ·{' '}
        <Link to={`/vmcores?hit_id=${hit.id}`}>vmcores of this hit</Link>
      </p>
      <Bracket hit={hit} />
      <HitWriter hit={hit} />
      <dl className="kv">
        {fields.map(([k, v]) => (
          <div key={k} className="kv-row">
            <dt className="mono">{k}</dt>
            <dd className="mono">{v}</dd>
          </div>
        ))}
      </dl>
      <HitStack hit={hit} />
    </aside>
  );
}

/** How close the backend got: the write happened between the last check that saw the old value and the one that saw the new. */
function Bracket({ hit }: { hit: HitView }) {
  if (hit.bracket_ns === null || hit.last_old_boottime_ns === null) {
    return (
      <p className="muted" data-testid="hit-bracket">
        No bracket: the backend did not record when it last saw the old value.
      </p>
    );
  }
  return (
    <p data-testid="hit-bracket">
      Bracket <strong data-testid="hit-bracket-width">{formatNs(hit.bracket_ns)}</strong>: written in{' '}
      <span className="mono" data-testid="hit-bracket-interval">
        ({hit.last_old_boottime_ns}, {hit.boottime_ns}]
      </span>{' '}
      ns since boot
    </p>
  );
}
