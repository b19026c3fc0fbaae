import type { KdumpJobView, VmcoreView } from '@physwatch/core';
import { renderTable } from './table';

export function vmcoresTable(vmcores: readonly VmcoreView[]): string {
  return renderTable(
    ['ID', 'RECEIVED', 'HOST', 'WATCH', 'HIT', 'CRASHED', 'SIZE', 'LEVEL', 'KERNEL', 'PATH'],
    vmcores.map((v) => [
      v.id,
      v.received_at,
      v.host_id,
      v.watch_id ?? '-',
      v.hit_id ?? '-',
      v.crash_time ?? '-',
      v.size_bytes,
      v.dump_level < 0 ? '-' : String(v.dump_level),
      v.kernel_release || '-',
      v.path,
    ]),
  );
}

export function kdumpJobsTable(jobs: readonly KdumpJobView[]): string {
  return renderTable(
    ['ID', 'STATE', 'HOST', 'WATCH', 'HIT', 'VMCORE', 'UPDATED', 'REASON'],
    jobs.map((j) => [j.id, j.state, j.host_id, j.watch_id, j.hit_id, j.vmcore_id ?? '-', j.updated_at, j.reason || '-']),
  );
}
