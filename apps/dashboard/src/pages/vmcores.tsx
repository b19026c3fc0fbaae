import { useState } from 'react';
import type { KdumpJobView, ListView, PageView, VmcoreView } from '@physwatch/core';
import { getJson } from '../api/client';
import { PhaseBadge } from '../components/badges';
import { ExpandableRow } from '../components/expandable-row';
import { Empty, Loaded } from '../components/states';
import { formatBytes, formatTime } from '../format';
import { useResource } from '../hooks';
import { Link, useLocation } from '../router';

const FINAL = ['done', 'denied', 'expired', 'failed'];

export function VmcoresPage() {
  const { query } = useLocation();
  const filter = { host_id: query.get('host_id') ?? undefined, watch_id: query.get('watch_id') ?? undefined, hit_id: query.get('hit_id') ?? undefined };
  const key = JSON.stringify(filter);
  const [open, setOpen] = useState<string | null>(null);
  // Neither list has a live event of its own: a vmcore or a job change follows a hit or a host change.
  const vmcores = useResource(`vmcores:${key}`, () => getJson<PageView<VmcoreView>>('/vmcores', { ...filter, limit: '100' }), (e) => e.kind === 'hits' || e.kind === 'host');
  const jobs = useResource(
    `kdump-jobs:${key}`,
    () => getJson<ListView<KdumpJobView>>('/kdump-jobs', { host_id: filter.host_id, watch_id: filter.watch_id, limit: '100' }),
    (e) => e.kind === 'hits' || e.kind === 'host',
  );
  const jobById = new Map((jobs.data?.items ?? []).map((j) => [j.id, j]));

  return (
    <section>
      <header className="page-head">
        <h1>Vmcores</h1>
        {(filter.host_id || filter.watch_id || filter.hit_id) && <Link to="/vmcores">Show all</Link>}
      </header>
      <Loaded
        resource={vmcores}
        what="vmcores"
        isEmpty={(p) => p.items.length === 0}
        empty={<Empty title="No vmcore stored">Dumps appear here when a crashed host comes back and its agent reports the dump.</Empty>}
      >
        {(page) => (
          <table data-testid="vmcores">
            <thead>
              <tr>
                <th>Received</th>
                <th>Host</th>
                <th>Crashed boot</th>
                <th>Watch</th>
                <th>Hit</th>
                <th>Kdump job</th>
                <th>Format</th>
                <th className="num">Size</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((v) => {
                const job = v.kdump_job_id ? jobById.get(v.kdump_job_id) : undefined;
                return (
                  <ExpandableRow
                    key={v.id}
                    data={{ 'data-vmcore': v.id }}
                    open={open === v.id}
                    onToggle={() => setOpen(open === v.id ? null : v.id)}
                    colSpan={8}
                    detail={() => (
                      <>
                        <dl className="kv">
                          <dt>path</dt>
                          <dd className="mono">{v.path}</dd>
                          <dt>sha256</dt>
                          <dd className="mono">{v.sha256}</dd>
                          <dt>kernel</dt>
                          <dd className="mono">{v.kernel_release}</dd>
                          <dt>crash time</dt>
                          <dd>{formatTime(v.crash_time)}</dd>
                          <dt>dump level</dt>
                          <dd>{v.dump_level}</dd>
                        </dl>
                        <pre>{v.dmesg_excerpt || '(no dmesg excerpt)'}</pre>
                      </>
                    )}
                  >
                    <td>{formatTime(v.received_at)}</td>
                    <td>{v.host_id}</td>
                    <td className="mono">{v.crashed_boot_id.slice(0, 8) || '—'}</td>
                    <td>{v.watch_id ? <Link to={`/watches/${v.watch_id}`}>#{v.watch_id}</Link> : '—'}</td>
                    <td>
                      {v.hit_id ? (
                        <Link to={`/hits?host_id=${encodeURIComponent(v.host_id)}${v.watch_id ? `&watch_id=${v.watch_id}` : ''}&hit=${v.hit_id}`}>hit {v.hit_id}</Link>
                      ) : (
                        'not linked'
                      )}
                    </td>
                    <td>{v.kdump_job_id ? <>{job ? <PhaseBadge phase={job.state} /> : v.kdump_job_id}</> : 'panic on hit'}</td>
                    <td>{v.format}</td>
                    <td className="num">{formatBytes(v.size_bytes)}</td>
                  </ExpandableRow>
                );
              })}
            </tbody>
          </table>
        )}
      </Loaded>

      <h2>Kdump jobs</h2>
      <Loaded
        resource={jobs}
        what="kdump jobs"
        isEmpty={(j) => j.items.length === 0}
        empty={<Empty title="No kdump job">Watches with kdump_on_hit start one per host on their first hit.</Empty>}
      >
        {({ items }) => (
          <table data-testid="kdump-jobs">
            <thead>
              <tr>
                <th>Job</th>
                <th>Host</th>
                <th>Watch</th>
                <th>State</th>
                <th>Reason</th>
                <th>Vmcore</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {items.map((j) => (
                <tr key={j.id} className={FINAL.includes(j.state) ? undefined : 'in-progress'}>
                  <td className="mono">{j.id}</td>
                  <td>{j.host_id}</td>
                  <td>
                    <Link to={`/watches/${j.watch_id}`}>#{j.watch_id}</Link>
                  </td>
                  <td>
                    <PhaseBadge phase={j.state} />
                  </td>
                  <td className="detail">{j.reason || '—'}</td>
                  <td>{j.vmcore_id ?? '—'}</td>
                  <td>{formatTime(j.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </section>
  );
}
