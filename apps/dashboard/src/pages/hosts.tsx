import { useState } from 'react';
import type { HostView, ListView } from '@physwatch/core';
import { getJson } from '../api/client';
import { OnlineBadge, PhaseBadge } from '../components/badges';
import { ExpandableRow } from '../components/expandable-row';
import { Empty, Loaded } from '../components/states';
import { formatAgo, formatTime } from '../format';
import { useNow, useResource } from '../hooks';
import { Link, navigate, useLocation } from '../router';

function nicFirmware(labels: Record<string, string>): string {
  return Object.entries(labels)
    .filter(([k]) => /^nic\..+\.firmware$/.test(k))
    .map(([k, v]) => `${k.split('.')[1]} ${v}`)
    .join(', ');
}

/** The kernel backend labels the module's state; a simulated agent has no module at all. */
function moduleState(host: HostView): string {
  const label = host.labels['physwatch.module'];
  if (label) return label;
  const backend = host.capabilities?.backend;
  return typeof backend === 'string' ? `${backend} backend` : '—';
}

function matches(host: HostView, q: string): boolean {
  const text = `${host.id} ${host.hostname} ${Object.entries(host.labels).map(([k, v]) => `${k}=${v}`).join(' ')}`.toLowerCase();
  return q
    .toLowerCase()
    .split(/\s+/)
    .every((word) => text.includes(word));
}

export function HostsPage() {
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const now = useNow();
  const [open, setOpen] = useState<string | null>(null);
  const hosts = useResource('hosts', () => getJson<ListView<HostView>>('/hosts'), (e) => e.kind === 'host' || e.kind === 'watch', 30_000);

  return (
    <section>
      <header className="page-head">
        <h1>Hosts</h1>
        <input
          type="search"
          placeholder="filter: host, label=value…"
          value={q}
          onChange={(e) => navigate(e.target.value ? `/hosts?q=${encodeURIComponent(e.target.value)}` : '/hosts', true)}
          aria-label="filter hosts"
        />
      </header>
      <Loaded
        resource={hosts}
        what="hosts"
        isEmpty={(h) => h.items.length === 0}
        empty={<Empty title="No host has connected yet">Start an agent pointed at this orchestrator; it appears here on its first Hello.</Empty>}
      >
        {({ items }) => {
          const shown = items.filter((h) => !q || matches(h, q));
          if (shown.length === 0) return <Empty title={`No host matches "${q}"`} />;
          return (
            <table data-testid="hosts">
              <thead>
                <tr>
                  <th>Host</th>
                  <th>Status</th>
                  <th>Module</th>
                  <th>BIOS</th>
                  <th>Platform</th>
                  <th>Microcode</th>
                  <th>NIC firmware</th>
                  <th>Watches</th>
                  <th>Last seen</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((h) => {
                  const armed = h.watches.filter((w) => w.phase === 'armed').length;
                  const failed = h.watches.filter((w) => w.phase === 'failed').length;
                  return (
                    <ExpandableRow
                      key={h.id}
                      data={{ 'data-host': h.id }}
                      open={open === h.id}
                      onToggle={() => setOpen(open === h.id ? null : h.id)}
                      colSpan={9}
                      detail={() => <HostDetail host={h} />}
                    >
                      <td>
                        <strong>{h.hostname}</strong>
                        {h.hostname !== h.id && <div className="muted mono">{h.id}</div>}
                      </td>
                      <td>
                        <OnlineBadge online={h.online} />
                      </td>
                      <td>{moduleState(h)}</td>
                      <td className="mono">{h.labels['dmi.bios.version'] ?? '—'}</td>
                      <td>{h.labels['dmi.system.product'] ?? '—'}</td>
                      <td className="mono">{h.labels['cpu.microcode'] ?? '—'}</td>
                      <td className="mono">{nicFirmware(h.labels) || '—'}</td>
                      <td>
                        {armed} armed{failed > 0 && <span className="bad">, {failed} failed</span>}
                      </td>
                      <td title={formatTime(h.last_seen_at)}>{formatAgo(h.last_seen_at, now)}</td>
                    </ExpandableRow>
                  );
                })}
              </tbody>
            </table>
          );
        }}
      </Loaded>
    </section>
  );
}

/**
 * Every label with where it came from: operator (set over REST or by the enrollment token)
 * wins over the host's own value for the same key, which is still shown, struck through.
 */
function LabelsBySource({ host }: { host: HostView }) {
  const keys = [...new Set([...Object.keys(host.operator_labels), ...Object.keys(host.host_labels)])].sort((a, b) => a.localeCompare(b));
  if (keys.length === 0) return <p className="muted">No labels.</p>;
  return (
    <table data-testid="host-labels">
      <thead>
        <tr>
          <th>Label</th>
          <th>Value</th>
          <th>Source</th>
        </tr>
      </thead>
      <tbody>
        {keys.flatMap((key) => {
          const operator = host.operator_labels[key];
          const reported = host.host_labels[key];
          const rows = [];
          if (operator !== undefined) {
            rows.push(
              <tr key={`${key}/operator`} data-label={key} data-source="operator">
                <td className="mono">{key}</td>
                <td className="mono">{operator}</td>
                <td>operator</td>
              </tr>,
            );
          }
          if (reported !== undefined) {
            rows.push(
              <tr key={`${key}/host`} data-label={key} data-source="host" className={operator !== undefined ? 'muted' : undefined}>
                <td className="mono">{key}</td>
                <td className="mono">{operator !== undefined ? <s>{reported}</s> : reported}</td>
                <td>{operator !== undefined ? 'host (overridden)' : 'host'}</td>
              </tr>,
            );
          }
          return rows;
        })}
      </tbody>
    </table>
  );
}

function HostDetail({ host }: { host: HostView }) {
  return (
    <div className="host-detail" data-testid="host-detail">
      <div>
        <h3>Facts and labels</h3>
        <dl className="kv">
          <dt>kernel</dt>
          <dd className="mono">
            {host.kernel_release} ({host.arch})
          </dd>
          <dt>agent</dt>
          <dd>{host.agent_version}</dd>
          <dt>boot</dt>
          <dd className="mono">{host.boot_id}</dd>
          <dt>kdump</dt>
          <dd>
            {host.kdump
              ? `${host.kdump.crash_kernel_loaded ? 'crash kernel loaded' : 'no crash kernel'}, ${host.kdump.crash_allowed ? 'crash allowed' : 'crash not allowed'}`
              : 'not reported'}
          </dd>
          <dt>first seen</dt>
          <dd>{formatTime(host.first_seen_at)}</dd>
        </dl>
        <LabelsBySource host={host} />
      </div>
      <div>
        <h3>Watches</h3>
        {host.watches.length === 0 ? (
          <p className="muted">No watch placed on this host.</p>
        ) : (
          <ul className="plain">
            {host.watches.map((w) => (
              <li key={w.watch_id}>
                <Link to={`/watches/${w.watch_id}`}>watch #{w.watch_id}</Link> <PhaseBadge phase={w.phase} />{' '}
                <span className="muted">{w.resolved_paddr ?? w.reason}</span>
              </li>
            ))}
          </ul>
        )}
        <Link to={`/hits?host_id=${encodeURIComponent(host.id)}`}>Hits on this host →</Link>
      </div>
    </div>
  );
}
