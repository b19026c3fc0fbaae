import type { AssignmentRow, HostKdump, HostRow } from '@physwatch/db';
import { AssignmentJson, assignmentJson } from '../watches/watch.view';

export interface HostJson {
  id: string;
  hostname: string;
  boot_id: string;
  kernel_release: string;
  arch: string;
  agent_version: string;
  labels: Record<string, string>;
  capabilities: Record<string, unknown>;
  /** KdumpReadiness from the last Hello; null when the agent sent none. */
  kdump: HostKdump | null;
  online: boolean;
  connected: boolean;
  first_seen_at: string;
  last_seen_at: string;
  desired_generation: string;
  applied_generation: string;
  watches: Array<{ watch_id: string } & AssignmentJson>;
}

/** `assignments`: the host's current ones (removed assignments are history, not state). */
export function hostJson(row: HostRow, assignments: AssignmentRow[]): HostJson {
  return {
    id: row.id,
    hostname: row.hostname,
    boot_id: row.bootId,
    kernel_release: row.kernelRelease,
    arch: row.arch,
    agent_version: row.agentVersion,
    labels: row.labels,
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
