import { parseWatchSpec, toHex, watchSpecToJson } from '@physwatch/core';
import type { AssignmentView, WatchDetailView, WatchView } from '@physwatch/core';
import type { AssignmentRow, PhaseCounts, WatchRow } from '@physwatch/db';

/** The REST shapes of docs/contracts.md (declared in packages/core/src/api): snake_case, u64 addresses as hex strings. */
export function assignmentJson(row: AssignmentRow): AssignmentView {
  return {
    host_id: row.hostId,
    phase: row.phase,
    resolved_paddr: row.resolvedPaddr === null ? null : toHex(BigInt(row.resolvedPaddr)),
    memory_kind: row.memoryKind,
    reason: row.reason,
    updated_at: row.updatedAt.toISOString(),
  };
}

export function watchJson(row: WatchRow, counts: PhaseCounts): WatchView {
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

export function watchDetailJson(row: WatchRow, counts: PhaseCounts, assignments: AssignmentRow[]): WatchDetailView {
  return { ...watchJson(row, counts), assignments: assignments.map(assignmentJson) };
}
