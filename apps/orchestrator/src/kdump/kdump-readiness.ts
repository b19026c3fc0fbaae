import type { HostRow } from '@physwatch/db';

/**
 * Why the orchestrator will not ask this host to crash, or null when it may. The agent
 * checks again when the request arrives; this denies early, with a reason, what would be
 * refused anyway.
 */
export function readinessProblem(hostId: string, host: HostRow | null): string | null {
  if (!host) return `host ${hostId} is not known`;
  if (!host.connected) return `host ${hostId} is not connected (last seen ${host.lastSeenAt.toISOString()}), so it cannot be asked to crash`;
  if (!host.online) return `host ${hostId} is connected but silent since ${host.lastSeenAt.toISOString()} (past HOST_OFFLINE_AFTER_MS), so it cannot be asked to crash`;
  const kdump = host.kdump;
  if (!kdump) return `host ${hostId} reported no kdump readiness (its agent does not support kdump)`;
  const policy = kdump.policy_source ? ` in ${kdump.policy_source}` : '';
  if (!kdump.crash_allowed) return `host ${hostId} does not allow crashing it: kdump.allowCrash is false${policy}`;
  if (!kdump.crash_kernel_loaded) return `host ${hostId} has no crash kernel loaded (kexec_crash_loaded is not 1), so a crash would save no vmcore`;
  return null;
}
