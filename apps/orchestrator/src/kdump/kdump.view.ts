import type { KdumpJobView, VmcoreView } from '@physwatch/core';
import type { KdumpJobRow, VmcoreRow } from '@physwatch/db';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** docs/contracts.md vmcore shape: ids and sizes as decimal strings, times as ISO 8601. */
export function vmcoreJson(row: VmcoreRow): VmcoreView {
  return {
    id: row.id,
    host_id: row.hostId,
    crashed_boot_id: row.crashedBootId,
    watch_id: row.watchId,
    hit_id: row.hitId,
    kdump_job_id: row.kdumpJobId,
    path: row.path,
    layout: row.layout,
    format: row.format,
    size_bytes: row.sizeBytes,
    sha256: row.sha256,
    dump_level: row.dumpLevel,
    crash_time: iso(row.crashTime),
    kernel_release: row.kernelRelease,
    dmesg_path: row.dmesgPath,
    dmesg_excerpt: row.dmesgExcerpt,
    crash_request_id: row.crashRequestId,
    received_at: row.receivedAt.toISOString(),
  };
}

export function kdumpJobJson(row: KdumpJobRow): KdumpJobView {
  return {
    id: row.id,
    hit_id: row.hitId,
    watch_id: row.watchId,
    host_id: row.hostId,
    state: row.state,
    reason: row.reason,
    boot_before: row.bootBefore,
    boot_after: row.bootAfter,
    vmcore_id: row.vmcoreId,
    attempts: row.attempts,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    triggered_at: iso(row.triggeredAt),
    rebooted_at: iso(row.rebootedAt),
    finished_at: iso(row.finishedAt),
    defer_until: row.deferUntil.toISOString(),
  };
}
