import type { WatchHostsView } from '@physwatch/core';
import { renderTable } from './table';

/**
 * `watch hosts`: one row per host the watch selects or was placed on, armed first. PLACED is
 * for offline hosts only (whether the watch was placed there before it went away).
 */
export function watchHostsTable(view: WatchHostsView): string {
  const rows = [
    ...view.armed.map((h) => [h.host_id, 'armed', h.resolved_paddr ?? '-', h.since, '-', '-']),
    ...view.failed.map((h) => [h.host_id, 'failed', '-', h.since, '-', h.reason || '-']),
    ...view.pending.map((h) => [h.host_id, 'pending', '-', '-', '-', h.message ? `${h.reason}: ${h.message}` : h.reason]),
    ...view.offline.map((h) => [h.host_id, 'offline', '-', '-', h.placed ? 'yes' : 'no', '-']),
  ];
  if (rows.length === 0) return `Watch ${view.watch_id} selects no host.\n`;
  return renderTable(['HOST', 'STATE', 'PADDR', 'SINCE', 'PLACED', 'REASON'], rows);
}
