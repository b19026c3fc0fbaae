import type { HostView } from '@physwatch/core';
import { renderTable } from './table';

export function hostsTable(hosts: readonly HostView[]): string {
  return renderTable(
    ['ID', 'HOSTNAME', 'ONLINE', 'ARCH', 'KERNEL', 'AGENT', 'WATCHES', 'LAST SEEN', 'LABELS'],
    hosts.map((h) => [
      h.id,
      h.hostname,
      h.online ? 'yes' : 'no',
      h.arch || '-',
      h.kernel_release || '-',
      h.agent_version || '-',
      String(h.watches.length),
      h.last_seen_at,
      labelsText(h.labels),
    ]),
  );
}

/**
 * Every label of the host with where it came from: operator (REST, enrollment token) or host
 * (its Hello); a host value an operator label overrides is listed too, marked so.
 */
export function hostLabelsTable(host: Pick<HostView, 'host_labels' | 'operator_labels'>): string {
  const rows: string[][] = [];
  const keys = [...new Set([...Object.keys(host.operator_labels), ...Object.keys(host.host_labels)])].sort((a, b) => a.localeCompare(b));
  for (const key of keys) {
    if (key in host.operator_labels) rows.push([key, host.operator_labels[key], 'operator']);
    if (key in host.host_labels) rows.push([key, host.host_labels[key], key in host.operator_labels ? 'host (overridden)' : 'host']);
  }
  return rows.length === 0 ? 'No labels.\n' : renderTable(['LABEL', 'VALUE', 'SOURCE'], rows);
}

/** Labels the way a selector spells them, so a row can be pasted into --selector. */
export function labelsText(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return pairs.length === 0 ? '-' : pairs.map(([k, v]) => `${k}=${v}`).join(',');
}
