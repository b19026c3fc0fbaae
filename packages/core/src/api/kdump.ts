/** GET /vmcores: a crash dump an agent found; ids and sizes as decimal strings, times as ISO 8601. */
export interface VmcoreView {
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
  sha256: string;
  dump_level: number;
  crash_time: string | null;
  kernel_release: string;
  dmesg_path: string;
  dmesg_excerpt: string;
  crash_request_id: string | null;
  received_at: string;
}

export type KdumpJobState = 'queued' | 'deferred' | 'triggering' | 'awaiting_reboot' | 'collecting' | 'done' | 'denied' | 'expired' | 'failed';

/** GET /kdump-jobs: one per (watch, host) whose watch asked for kdump_on_hit; id `kdump-<hit id>`. */
export interface KdumpJobView {
  id: string;
  hit_id: string;
  watch_id: string;
  host_id: string;
  state: KdumpJobState;
  reason: string;
  boot_before: string | null;
  boot_after: string | null;
  vmcore_id: string | null;
  attempts: number;
  created_at: string;
  updated_at: string;
  triggered_at: string | null;
  rebooted_at: string | null;
  finished_at: string | null;
  defer_until: string;
}
