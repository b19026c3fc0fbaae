import type { AssignmentView } from '@physwatch/core';
import { renderTable } from './table';

/** Per-host state of a watch; keyed by host on a watch's page and by watch on a host's. */
export function assignmentsTable(key: 'HOST' | 'WATCH', rows: ReadonlyArray<readonly [string, AssignmentView]>): string {
  return renderTable(
    [key, 'PHASE', 'PADDR', 'MEMORY', 'UPDATED', 'REASON'],
    rows.map(([id, a]) => [id, a.phase, a.resolved_paddr ?? '-', a.memory_kind ?? '-', a.updated_at, a.reason || '-']),
  );
}
