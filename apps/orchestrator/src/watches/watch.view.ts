import { parseWatchSpec, toHex, watchSpecToJson, WatchSpecJson } from '@physwatch/core';
import type { AssignmentRow, PhaseCounts, WatchRow } from '@physwatch/db';

/** The REST shapes of docs/contracts.md: snake_case, u64 addresses as hex strings. */
export interface AssignmentJson {
  host_id: string;
  phase: AssignmentRow['phase'];
  resolved_paddr: string | null;
  memory_kind: 'ram' | 'mmio' | null;
  reason: string;
  updated_at: string;
}

export type WatchJson = {
  id: string;
  state: WatchRow['state'];
  created_at: string;
  ended_at: string | null;
  counts: PhaseCounts;
} & WatchSpecJson;

/** GET /watches/:id: the watch, plus where it stands on each host it was placed on. */
export type WatchDetailJson = WatchJson & { assignments: AssignmentJson[] };

export function assignmentJson(row: AssignmentRow): AssignmentJson {
  return {
    host_id: row.hostId,
    phase: row.phase,
    resolved_paddr: row.resolvedPaddr === null ? null : toHex(BigInt(row.resolvedPaddr)),
    memory_kind: row.memoryKind,
    reason: row.reason,
    updated_at: row.updatedAt.toISOString(),
  };
}

export function watchJson(row: WatchRow, counts: PhaseCounts): WatchJson {
  return {
    id: row.id,
    state: row.state,
    created_at: row.createdAt.toISOString(),
    ended_at: row.endedAt ? row.endedAt.toISOString() : null,
    // jsonb keeps keys in its own order; re-printing gives the canonical one readers expect.
    ...watchSpecToJson(parseWatchSpec(row.spec, null)),
    counts,
  };
}

export function watchDetailJson(row: WatchRow, counts: PhaseCounts, assignments: AssignmentRow[]): WatchDetailJson {
  return { ...watchJson(row, counts), assignments: assignments.map(assignmentJson) };
}
