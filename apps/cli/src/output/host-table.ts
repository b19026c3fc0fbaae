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

/** Labels the way a selector spells them, so a row can be pasted into --selector. */
export function labelsText(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return pairs.length === 0 ? '-' : pairs.map(([k, v]) => `${k}=${v}`).join(',');
}
