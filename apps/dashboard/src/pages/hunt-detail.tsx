import { useRef, useState } from 'react';
import type { HuntDetailView, HuntStageView, LiveEvent, VmcoreView } from '@physwatch/core';
import { getHunt, HuntAction, huntAction, huntHits, huntVmcores, huntWatches, StageHits } from '../api/hunts';
import { PhaseBadge, Stat } from '../components/badges';
import { BracketChart, BracketSeries } from '../components/bracket-chart';
import { Culprits } from '../components/culprit-table';
import { advanceText, budgetText, huntCondition, huntSelector, huntTarget, huntTitle, stageAction, stageDumps, stageMode } from '../components/hunt-text';
import { Empty, ErrorState, Loaded, Loading } from '../components/states';
import { formatNs, formatNumber, formatTime } from '../format';
import { Resource, useResource } from '../hooks';
import { Link } from '../router';
import { HUNT_POLL_MS } from './hunts';
import '../components/hunt.css';

/** True when the event names one of `ids` (or names nothing precisely). */
function touchesAny(eventIds: string[] | null | undefined, ids: string[]): boolean {
  return !eventIds || eventIds.some((id) => ids.includes(id));
}

/**
 * While a resource reloads under a new key (a stage got its first watch), keeps the last data
 * on screen instead of the loading state: the chart should grow, not blink.
 */
function useSticky<T>(resource: Resource<T> & { reload: () => void }): Resource<T> & { reload: () => void } {
  const last = useRef<T | undefined>(undefined);
  if (resource.data !== undefined) last.current = resource.data;
  if (resource.state === 'loading' && last.current !== undefined) return { state: 'ok', data: last.current, reload: resource.reload };
  return resource;
}

export function HuntDetailPage({ id }: { id: string }) {
  const watchIds = useRef<string[]>([]);
  const mine = (e: LiveEvent) => (e.kind === 'watch' || e.kind === 'hits') && touchesAny(e.watch_ids, watchIds.current);
  const hunt = useResource(`hunt:${id}`, () => getHunt(id), mine, HUNT_POLL_MS);
  const detail = hunt.data;
  const watches = detail ? huntWatches(detail) : null;
  watchIds.current = (watches ?? []).map((w) => w.watchId);
  const dumping = detail && watches ? watches.filter((w) => stageDumps(detail.stages[w.stage].spec)).map((w) => w.watchId) : null;

  const hits = useSticky(
    useResource(
      `hunt-hits:${id}:${watches ? watchIds.current.join(',') : 'pending'}`,
      () => (watches ? huntHits(watches) : Promise.resolve(null)),
      (e) => e.kind === 'hits' && touchesAny(e.watch_ids, watchIds.current),
    ),
  );
  const vmcores = useSticky(
    useResource(
      `hunt-vmcores:${id}:${dumping ? dumping.join(',') : 'pending'}`,
      () => (dumping ? huntVmcores(dumping) : Promise.resolve(null)),
      (e) => e.kind === 'hits' || e.kind === 'host',
    ),
  );

  return (
    <section>
      <Loaded resource={hunt} what={`hunt ${id}`}>
        {(h) => (
          <>
            <HuntHeader hunt={h} onChanged={hunt.reload} />
            <header className="section-head">
              <h2>Stages</h2>
            </header>
            <StageLadder hunt={h} hits={hits.data ?? null} />

            <header className="section-head">
              <h2>Bracket width per host</h2>
              <span className="muted">each hit: the write happened within this span before it was seen</span>
            </header>
            {hits.data === null || hits.data === undefined ? (
              hits.state === 'error' ? <ErrorState error={hits.error} what="the hunt's hits" onRetry={hits.reload} /> : <Loading what="the hunt's hits" />
            ) : (
              <Loaded
                resource={hits as Resource<StageHits[]> & { reload: () => void }}
                what="the hunt's hits"
                isEmpty={(stages) => bracketSeries(h, stages).length === 0}
                empty={<Empty title="No bracketed hit yet">Each hit on a stage watch that says when the word last held its old value is drawn here.</Empty>}
              >
                {(stages) => (
                  <>
                    <BracketChart series={bracketSeries(h, stages)} />
                    {stages.some((s) => s.truncated) && <p className="muted">Only the newest hits of each stage watch are drawn.</p>}
                  </>
                )}
              </Loaded>
            )}

            <header className="section-head">
              <h2>Likely culprits</h2>
            </header>
            <Culprits scope="hunt" id={id} refreshOn={(e) => e.kind === 'hits' && touchesAny(e.watch_ids, watchIds.current)} />

            <header className="section-head">
              <h2>Hosts</h2>
            </header>
            <HostTable hunt={h} vmcores={vmcores.data ?? []} />

            <header className="section-head">
              <h2>Cohort</h2>
            </header>
            <CohortTable hunt={h} />

            <header className="section-head">
              <h2>Timeline</h2>
            </header>
            <Timeline hunt={h} />

            <header className="section-head">
              <h2>Vmcores</h2>
            </header>
            {!h.stages.some((s) => stageDumps(s.spec)) ? (
              <Empty title="No stage of this hunt dumps">Vmcores come from a stage with kdump_on_hit, panic or hang.</Empty>
            ) : vmcores.data === null || vmcores.data === undefined ? (
              vmcores.state === 'error' ? <ErrorState error={vmcores.error} what="vmcores" onRetry={vmcores.reload} /> : <Loading what="vmcores" />
            ) : (
              <Loaded
                resource={vmcores as Resource<VmcoreView[]> & { reload: () => void }}
                what="vmcores"
                isEmpty={(v) => v.length === 0}
                empty={<Empty title="No vmcore yet">A host that hits at a dumping stage reports its dump when it comes back.</Empty>}
              >
                {(v) => <VmcoreTable vmcores={v} />}
              </Loaded>
            )}
          </>
        )}
      </Loaded>
    </section>
  );
}

/** One series per host with bracketed hits, ranked by how far the host got, then by its hits. */
function bracketSeries(hunt: HuntDetailView, stages: StageHits[]): BracketSeries[] {
  const byHost = new Map<string, BracketSeries>();
  for (const s of stages) {
    for (const hit of s.hits) {
      const ns = Number(hit.bracket_ns);
      if (hit.bracket_ns === null || !(ns > 0)) continue;
      const series = byHost.get(hit.host_id) ?? { host: hit.host_id, points: [] };
      series.points.push({ host: hit.host_id, stage: s.stage, t: new Date(hit.occurred_at).getTime(), ns });
      byHost.set(hit.host_id, series);
    }
  }
  const stageOf = new Map(hunt.hosts.map((h) => [h.host_id, h.stage]));
  const all = [...byHost.values()];
  for (const s of all) s.points.sort((a, b) => a.t - b.t);
  return all.sort((a, b) => (stageOf.get(b.host) ?? -1) - (stageOf.get(a.host) ?? -1) || b.points.length - a.points.length || a.host.localeCompare(b.host));
}

const ACTIONS: Array<{ action: HuntAction; label: string; when: (h: HuntDetailView) => boolean; confirm: string }> = [
  { action: 'pause', label: 'Pause', when: (h) => h.state === 'active', confirm: 'No host will move to another stage until the hunt is resumed; the stage watches stay.' },
  { action: 'resume', label: 'Resume', when: (h) => h.state === 'paused', confirm: 'Hosts will move on by the stage rules again.' },
  { action: 'stop', label: 'Stop', when: (h) => h.state !== 'stopped', confirm: 'Every stage watch of the hunt ends. A stopped hunt cannot be resumed.' },
];

function HuntHeader({ hunt, onChanged }: { hunt: HuntDetailView; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = async (a: (typeof ACTIONS)[number]) => {
    if (!window.confirm(`${a.label} ${huntTitle(hunt)}? ${a.confirm}`)) return;
    setBusy(true);
    setError(null);
    try {
      await huntAction(hunt.id, a.action);
      onChanged();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  const { spec } = hunt;
  return (
    <>
      <header className="page-head">
        <h1>
          {huntTitle(hunt)} <PhaseBadge phase={hunt.state} />
          {hunt.held_stage !== null && <span className="badge badge-held">held at stage {hunt.held_stage}</span>}
        </h1>
        <div className="actions">
          {ACTIONS.filter((a) => a.when(hunt)).map((a) => (
            <button key={a.action} type="button" disabled={busy} onClick={() => void run(a)}>
              {a.label}
            </button>
          ))}
        </div>
      </header>
      {error && <ErrorState error={error} what="the action" />}
      <dl className="kv" data-testid="hunt-spec">
        <dt>target</dt>
        <dd className="mono">{huntTarget(spec)}</dd>
        <dt>condition</dt>
        <dd className="mono">{huntCondition(spec)}</dd>
        <dt>hosts</dt>
        <dd className="mono">{huntSelector(spec.hosts)}</dd>
        <dt>cohort</dt>
        <dd className="mono">{hunt.cohort.length ? hunt.cohort.join(', ') : '(none: each host advances on its own hits)'}</dd>
        <dt>budget</dt>
        <dd>{budgetText(spec.budget_ppm)}</dd>
        <dt>created</dt>
        <dd>
          {formatTime(hunt.created_at)}
          {hunt.created_by ? ` by ${hunt.created_by}` : ''}
          {hunt.ended_at ? ` · ended ${formatTime(hunt.ended_at)}` : ''}
        </dd>
      </dl>
      <div className="stats">
        <Stat testId="stat-hunt-hosts" label="hosts" value={hunt.hosts.length} />
        <Stat testId="stat-hunt-moved" label="hosts past stage 0" value={hunt.hosts.filter((h) => h.stage > 0).length} />
        <Stat testId="stat-hunt-top" label="highest stage reached" value={hunt.hosts.length ? Math.max(...hunt.hosts.map((h) => h.stage)) : '—'} />
        <Stat testId="stat-hunt-transitions" label="transitions" value={hunt.timeline.filter((t) => t.kind === 'transition').length} />
      </div>
    </>
  );
}

function hitsLink(stage: HuntStageView, hostId?: string): string | null {
  const watch = stage.watch_id ?? stage.watch_ids?.[stage.watch_ids.length - 1];
  if (!watch) return null;
  return `/hits?watch_id=${watch}${hostId ? `&host_id=${encodeURIComponent(hostId)}` : ''}`;
}

function StageLadder({ hunt, hits }: { hunt: HuntDetailView; hits: StageHits[] | null }) {
  const hitCount = (stage: number) => (hits ? hits.filter((s) => s.stage === stage).reduce((n, s) => n + s.hits.length, 0) : null);
  return (
    <table className="ladder" data-testid="hunt-stages">
      <thead>
        <tr>
          <th>Stage</th>
          <th>Interval</th>
          <th>Mode</th>
          <th>Action</th>
          <th>Advances</th>
          <th className="num">Hosts</th>
          <th>Hosts at this stage</th>
          <th>Watch</th>
          <th className="num">Hits</th>
        </tr>
      </thead>
      <tbody>
        {hunt.stages.map((s) => {
          const earlier = (s.watch_ids ?? []).filter((w) => w !== s.watch_id);
          const link = hitsLink(s);
          const n = hitCount(s.index);
          return (
            <tr key={s.index} data-stage={s.index} className={s.hosts.length === 0 ? 'empty-stage' : undefined}>
              <td className="stage">{s.index}</td>
              <td className="mono">{s.spec.interval ?? '—'}</td>
              <td className="mono">{stageMode(s.spec)}</td>
              <td>{stageAction(s.spec)}</td>
              <td>{advanceText(s.spec.advance, s.index === hunt.stages.length - 1)}</td>
              <td className="num" data-testid="stage-host-count">
                {s.hosts.length}
              </td>
              <td>
                <div className="host-list" data-testid="stage-hosts">
                  {s.hosts.length === 0 ? '—' : s.hosts.map((host) => (
                    <Link key={host} to={`/hosts?q=${encodeURIComponent(host)}`}>
                      {host}
                    </Link>
                  ))}
                </div>
              </td>
              <td data-testid="stage-watch">
                {s.watch_id ? <Link to={`/watches/${s.watch_id}`}>#{s.watch_id}</Link> : 'none'}
                {earlier.length > 0 && (
                  <span className="muted">
                    {' '}
                    (ended:{' '}
                    {earlier.map((w, i) => (
                      <span key={w}>
                        {i > 0 && ', '}
                        <Link to={`/watches/${w}`}>#{w}</Link>
                      </span>
                    ))}
                    )
                  </span>
                )}
              </td>
              <td className="num">{link && n !== 0 ? <Link to={link}>{n === null ? 'hits' : formatNumber(n)}</Link> : n === null ? '…' : '0'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function HostTable({ hunt, vmcores }: { hunt: HuntDetailView; vmcores: VmcoreView[] }) {
  if (hunt.hosts.length === 0) return <Empty title="No host selected">No host matched the hunt's selector when it started, and none has joined since.</Empty>;
  const dumped = new Set(vmcores.map((v) => v.host_id));
  const hosts = [...hunt.hosts].sort((a, b) => b.stage - a.stage || a.host_id.localeCompare(b.host_id));
  return (
    <table data-testid="hunt-hosts">
      <thead>
        <tr>
          <th>Host</th>
          <th className="num">Stage</th>
          <th>Cohort</th>
          <th className="num">Hits at stage</th>
          <th className="num">Median bracket</th>
          <th className="num">Poll cost</th>
          <th>At this stage since</th>
          <th>Links</th>
        </tr>
      </thead>
      <tbody>
        {hosts.map((h) => {
          const link = hitsLink(hunt.stages[h.stage], h.host_id);
          return (
            <tr key={h.host_id} data-host={h.host_id}>
              <td>
                <Link to={`/hosts?q=${encodeURIComponent(h.host_id)}`}>{h.host_id}</Link>
                {h.held && <span className="badge badge-held">held</span>}
              </td>
              <td className="num">{h.stage}</td>
              <td className="mono">{h.cohort ?? '—'}</td>
              <td className="num">{formatNumber(h.hits_at_stage)}</td>
              <td className="num">{h.bracket_median_ns === null ? '—' : formatNs(String(Math.round(h.bracket_median_ns)))}</td>
              <td className="num" title="the module's measured cost of one poll">
                {h.poll_ns_avg ? `${formatNumber(h.poll_ns_avg)} ns/poll` : '—'}
              </td>
              <td>{formatTime(h.entered_at)}</td>
              <td>
                {link && h.hits_at_stage > 0 && <Link to={link}>hits</Link>}
                {dumped.has(h.host_id) && (
                  <>
                    {' '}
                    <Link to={`/vmcores?host_id=${encodeURIComponent(h.host_id)}`}>vmcores</Link>
                  </>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function CohortTable({ hunt }: { hunt: HuntDetailView }) {
  if (hunt.cohort.length === 0) return <Empty title="No cohort">This hunt names no cohort keys: each host advances on its own hits only.</Empty>;
  const pulled = new Set(hunt.timeline.filter((t) => t.kind === 'transition' && t.reason.startsWith('cohort ') && t.host_id).map((t) => t.host_id));
  const groups = new Map<string, { hosts: string[]; top: number; moved: number; pulled: number }>();
  for (const h of hunt.hosts) {
    const key = h.cohort ?? '';
    const g = groups.get(key) ?? { hosts: [], top: 0, moved: 0, pulled: 0 };
    g.hosts.push(h.host_id);
    g.top = Math.max(g.top, h.stage);
    if (h.stage > 0) g.moved++;
    if (pulled.has(h.host_id)) g.pulled++;
    groups.set(key, g);
  }
  // Hosts in no cohort last: nothing pulls them.
  const rows = [...groups.entries()].sort(([ka, a], [kb, b]) => Number(ka === '') - Number(kb === '') || b.top - a.top || ka.localeCompare(kb));
  return (
    <table data-testid="hunt-cohorts">
      <thead>
        <tr>
          <th className="mono">{hunt.cohort.join(', ')}</th>
          <th className="num">Hosts</th>
          <th className="num">Highest stage</th>
          <th className="num">Hosts past stage 0</th>
          <th className="num">Pulled by the cohort</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([key, g]) => (
          <tr key={key} data-cohort={key} className={g.top > 0 && g.top === rows[0][1].top ? 'suspect' : undefined}>
            <td className="mono">{key || <em>(a cohort key not set: in no cohort)</em>}</td>
            <td className="num">{g.hosts.length}</td>
            <td className="num">{g.top}</td>
            <td className="num">{g.moved}</td>
            <td className="num">{g.pulled}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Timeline({ hunt }: { hunt: HuntDetailView }) {
  if (hunt.timeline.length === 0) return <Empty title="Nothing happened yet" />;
  const entries = [...hunt.timeline].reverse();
  return (
    <table data-testid="hunt-timeline">
      <thead>
        <tr>
          <th>At</th>
          <th>Event</th>
          <th>Host</th>
          <th>Stage</th>
          <th>Reason</th>
          <th>By</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((t, i) => (
          <tr key={`${t.at}:${t.kind}:${t.host_id ?? ''}:${i}`} data-kind={t.kind}>
            <td>{formatTime(t.at)}</td>
            <td>{t.kind}</td>
            <td>{t.host_id ? <Link to={`/hosts?q=${encodeURIComponent(t.host_id)}`}>{t.host_id}</Link> : '—'}</td>
            <td>{t.kind === 'transition' ? `${t.from_stage} → ${t.to_stage}` : t.from_stage ?? '—'}</td>
            <td className="detail">{t.reason}</td>
            <td>{t.actor}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function VmcoreTable({ vmcores }: { vmcores: VmcoreView[] }) {
  return (
    <table data-testid="hunt-vmcores">
      <thead>
        <tr>
          <th>Received</th>
          <th>Host</th>
          <th>Watch</th>
          <th>Hit</th>
          <th>Kernel</th>
        </tr>
      </thead>
      <tbody>
        {vmcores.map((v) => (
          <tr key={v.id}>
            <td>
              <Link to={`/vmcores?host_id=${encodeURIComponent(v.host_id)}`}>{formatTime(v.received_at)}</Link>
            </td>
            <td>{v.host_id}</td>
            <td>{v.watch_id ? <Link to={`/watches/${v.watch_id}`}>#{v.watch_id}</Link> : '—'}</td>
            <td>{v.hit_id ? <Link to={`/hits?host_id=${encodeURIComponent(v.host_id)}${v.watch_id ? `&watch_id=${v.watch_id}` : ''}&hit=${v.hit_id}`}>hit {v.hit_id}</Link> : 'not linked'}</td>
            <td className="mono">{v.kernel_release}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
