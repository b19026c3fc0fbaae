import type { WatchHostsView, WatchPlan } from '@physwatch/core';
import type { AssignmentRow, SchedulableHost } from '@physwatch/db';

/** GET /watches/:id/hosts: every host the watch selects or was placed on, grouped (WatchHostsView). */
export function watchHostsJson(
  watchId: string,
  assignments: readonly AssignmentRow[],
  plan: WatchPlan | null,
  hosts: readonly SchedulableHost[],
): WatchHostsView {
  const online = new Map(hosts.map((h) => [h.id, h.online]));
  const view: WatchHostsView = { watch_id: watchId, armed: [], failed: [], pending: [], offline: [] };
  const placed = new Set<string>();
  for (const a of assignments) {
    if (a.phase === 'removed') continue;
    placed.add(a.hostId);
    if (online.get(a.hostId) === false) view.offline.push({ host_id: a.hostId, placed: true });
    else if (a.phase === 'armed') view.armed.push({ host_id: a.hostId, resolved_paddr: a.resolvedPaddr === null ? null : `0x${BigInt(a.resolvedPaddr).toString(16)}`, since: a.updatedAt.toISOString() });
    else if (a.phase === 'failed') view.failed.push({ host_id: a.hostId, reason: a.reason, since: a.updatedAt.toISOString() });
    else if (a.phase === 'disarmed') view.pending.push({ host_id: a.hostId, reason: 'disarmed', message: a.reason || 'the agent disarmed the watch' });
    else view.pending.push({ host_id: a.hostId, reason: 'awaiting_report', message: 'sent; the agent has not reported armed or failed yet' });
  }
  for (const wait of plan?.waiting ?? []) {
    if (placed.has(wait.hostId)) continue;
    if (wait.reason === 'offline') view.offline.push({ host_id: wait.hostId, placed: false });
    else view.pending.push({ host_id: wait.hostId, reason: wait.reason, message: wait.message });
  }
  return view;
}
