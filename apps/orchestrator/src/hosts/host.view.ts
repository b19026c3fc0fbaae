import type { HostView } from '@physwatch/core';
import type { AssignmentRow, HostRow } from '@physwatch/db';
import { assignmentJson } from '../watches/watch.view';

/** `assignments`: the host's current ones (removed assignments are history, not state). */
export function hostJson(row: HostRow, assignments: AssignmentRow[]): HostView {
  return {
    id: row.id,
    hostname: row.hostname,
    boot_id: row.bootId,
    kernel_release: row.kernelRelease,
    arch: row.arch,
    agent_version: row.agentVersion,
    labels: row.labels,
    host_labels: row.reportedLabels,
    operator_labels: row.operatorLabels,
    capabilities: row.capabilities,
    kdump: row.kdump,
    online: row.online,
    connected: row.connected,
    first_seen_at: row.firstSeenAt.toISOString(),
    last_seen_at: row.lastSeenAt.toISOString(),
    desired_generation: row.desiredGeneration,
    applied_generation: row.appliedGeneration,
    watches: assignments.filter((a) => a.phase !== 'removed').map((a) => ({ watch_id: a.watchId, ...assignmentJson(a) })),
  };
}
