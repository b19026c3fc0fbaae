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
  /** What placement matches: host_labels and operator_labels merged, the operator's value winning on a shared key. */
  labels: Record<string, string>;
  /** Source "host": as the host's last Hello reported them (facts and its agent config). */
  host_labels: Record<string, string>;
  /** Source "operator": set over REST (PUT /hosts/:id/labels) or by the enrollment token the host joined with. */
  operator_labels: Record<string, string>;
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
