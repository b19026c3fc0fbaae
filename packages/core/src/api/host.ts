import type { AssignmentView } from './watch';

/** KdumpReadiness from the host's last Hello. */
export interface HostKdumpView {
  crash_kernel_loaded: boolean;
  crash_allowed: boolean;
  policy_source: string;
}

/** GET /hosts, /hosts/:id: what the host's last Hello said, plus its current assignments. */
export interface HostView {
  id: string;
  hostname: string;
  boot_id: string;
  kernel_release: string;
  arch: string;
  agent_version: string;
  labels: Record<string, string>;
  capabilities: Record<string, unknown>;
  /** null when the agent sent no KdumpReadiness. */
  kdump: HostKdumpView | null;
  online: boolean;
  connected: boolean;
  first_seen_at: string;
  last_seen_at: string;
  desired_generation: string;
  applied_generation: string;
  /** The host's current assignments (removed ones are history, not state). */
  watches: Array<{ watch_id: string } & AssignmentView>;
}
