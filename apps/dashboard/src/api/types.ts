/** REST shapes of docs/contracts.md, as far as the dashboard reads them. */
export type Phase = 'pending' | 'armed' | 'failed' | 'disarmed' | 'removed';

export interface Assignment {
  host_id: string;
  phase: Phase;
  resolved_paddr: string | null;
  memory_kind: 'ram' | 'mmio' | null;
  reason: string;
  updated_at: string;
}

export interface Watch {
  id: string;
  name?: string | null;
  state: 'active' | 'stopped' | 'expired' | 'exhausted';
  created_at: string;
  ended_at: string | null;
  target: { paddr: string } | { symbol: string };
  width: number;
  len?: number;
  condition: string;
  value?: string;
  mask?: string;
  interval: string;
  action?: string;
  hosts: { ids: string[] } | { selector: string };
  expires_at?: string | null;
  kdump_on_hit?: boolean;
  counts: Record<'pending' | 'armed' | 'failed' | 'disarmed', number>;
}

export interface WatchDetail extends Watch {
  assignments: Assignment[];
}

export interface WatchHosts {
  watch_id: string;
  armed: Array<{ host_id: string; resolved_paddr: string; since: string }>;
  failed: Array<{ host_id: string; reason: string; since: string }>;
  pending: Array<{ host_id: string; reason: string; message: string }>;
  offline: Array<{ host_id: string; placed: boolean }>;
}

export interface Host {
  id: string;
  hostname: string;
  boot_id: string;
  kernel_release: string;
  arch: string;
  agent_version: string;
  labels: Record<string, string>;
  capabilities: Record<string, unknown>;
  kdump: { crash_kernel_loaded: boolean; crash_allowed: boolean; policy_source: string } | null;
  online: boolean;
  connected: boolean;
  first_seen_at: string;
  last_seen_at: string;
  watches: Array<{ watch_id: string } & Assignment>;
}

export interface Hit {
  id: string;
  host_id: string;
  boot_id: string;
  seq: string | null;
  module_seq: string | null;
  source: 'agent' | 'vmcore';
  watch_id: string;
  occurred_at: string;
  realtime_ns: string;
  boottime_ns: string;
  cpu: number;
  paddr: string;
  offset: number;
  width: number;
  old_value: string;
  new_value: string;
  pid: number;
  comm: string;
  ip: string;
  stack: string;
  action: string;
  received_at: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Vmcore {
  id: string;
  host_id: string;
  crashed_boot_id: string;
  watch_id: string | null;
  hit_id: string | null;
  kdump_job_id: string | null;
  path: string;
  layout: string;
  format: string;
  size_bytes: string | number;
  sha256: string;
  dump_level: number;
  crash_time: string | null;
  kernel_release: string;
  dmesg_excerpt: string;
  received_at: string;
}

export interface KdumpJob {
  id: string;
  hit_id: string;
  watch_id: string;
  host_id: string;
  state: string;
  reason: string;
  vmcore_id: string | null;
  created_at: string;
  updated_at: string;
}

/** GET /api/v1/stats/overview */
export interface Overview {
  since: string;
  until: string;
  bucket: string;
  bucket_seconds: number;
  buckets: Array<{ t: string; watch_id: string; hits: number }>;
  hits_total: number;
  watches_active: number;
  hosts_online: number;
  hosts_offline: number;
}

/** GET /api/v1/watches/:id/hit-groups */
export interface HitGroups {
  watch_id: string;
  by: string;
  groups: Array<{ value: string | null; hosts: number; hit_hosts: number; hits: number; hit_rate: number; hits_per_host: number }>;
  hosts: Array<{ host_id: string; value: string | null; hits: number; last_hit_at: string | null }>;
  /** Every label key set on the hosts the watch was placed on (what else it can be grouped by). */
  keys: string[];
}

/** One message of GET /api/v1/events. */
export type LiveEvent =
  | { kind: 'hits'; watch_ids: string[] | null; host_ids: string[] | null; count: number }
  | { kind: 'watch'; watch_ids: string[] | null }
  | { kind: 'host'; host_ids: string[] | null }
  | { kind: 'resync' };
