/**
 * The REST shapes this CLI reads (docs/contracts.md), declared here because the CLI talks
 * to the orchestrator over HTTP only and must not import it. Fields it does not use are
 * left out; JSON and YAML output pass the server's objects through whole.
 */
import type { WatchSpecJson } from '@physwatch/core';

export type Phase = 'pending' | 'armed' | 'failed' | 'disarmed' | 'removed';

export interface PhaseCounts {
  pending: number;
  armed: number;
  failed: number;
  disarmed: number;
}

export type WatchJson = WatchSpecJson & {
  id: string;
  state: string;
  created_at: string;
  ended_at: string | null;
  counts: PhaseCounts;
};

export interface AssignmentJson {
  host_id: string;
  phase: Phase;
  resolved_paddr: string | null;
  memory_kind: 'ram' | 'mmio' | null;
  reason: string;
  updated_at: string;
}

/** GET /watches/:id: the watch, plus where it stands on each host it was placed on. */
export type WatchDetailJson = WatchJson & { assignments: AssignmentJson[] };

export interface HostJson {
  id: string;
  hostname: string;
  kernel_release: string;
  arch: string;
  agent_version: string;
  labels: Record<string, string>;
  online: boolean;
  connected: boolean;
  last_seen_at: string;
  watches: Array<{ watch_id: string } & AssignmentJson>;
}

export interface HitJson {
  id: string;
  host_id: string;
  /** null for a hit recovered from a crash dump (source "vmcore"). */
  seq: string | null;
  module_seq: string | null;
  source: string;
  watch_id: string;
  occurred_at: string;
  cpu: number;
  paddr: string;
  old_value: string;
  new_value: string;
  pid: number;
  comm: string;
  action: string;
}

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

/** GET /api/v1/vmcores: a crash dump an agent found, linked to its host, watch and hit. */
export interface VmcoreJson {
  id: string;
  host_id: string;
  crashed_boot_id: string;
  watch_id: string | null;
  hit_id: string | null;
  kdump_job_id: string | null;
  path: string;
  layout: string;
  format: string;
  size_bytes: string;
  dump_level: number;
  crash_time: string | null;
  kernel_release: string;
  received_at: string;
}

/** GET /api/v1/kdump-jobs: one per (watch, host) whose watch asked for kdump_on_hit. */
export interface KdumpJobJson {
  id: string;
  hit_id: string;
  watch_id: string;
  host_id: string;
  state: string;
  reason: string;
  vmcore_id: string | null;
  attempts: number;
  updated_at: string;
}

/** GET /api/v1/tokens: an API token, never its secret. */
export interface TokenJson {
  id: string;
  name: string;
  role: string;
  prefix: string;
  bootstrap: boolean;
  created_by_token_id: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** POST /api/v1/tokens: the token with its secret, shown this once. */
export type NewTokenJson = TokenJson & { token: string };

/** GET /api/v1/audit: one change, or one refused attempt at a change. */
export interface AuditJson {
  id: string;
  at: string;
  token_id: string | null;
  token_name: string | null;
  token_role: string | null;
  action: string;
  target: string | null;
  source_ip: string;
  method: string;
  path: string;
  request_body: unknown;
  status: number;
}
