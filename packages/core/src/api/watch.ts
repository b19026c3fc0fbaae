import type { WaitReason } from '../scheduler';
import type { WatchSpecJson } from '../watch-spec';

/**
 * The REST shapes of docs/contracts.md for watches and their assignments: snake_case, u64
 * addresses as hex strings, times as ISO 8601. The orchestrator's views are typed against
 * these; the CLI and the dashboard read them.
 */
export type WatchState = 'active' | 'stopped' | 'expired' | 'exhausted';

export type AssignmentPhase = 'pending' | 'armed' | 'failed' | 'disarmed' | 'removed';

/** How many of the watch's current assignments stand in each phase ('removed' ones are history). */
export type PhaseCounts = Record<Exclude<AssignmentPhase, 'removed'>, number>;

/** Where a watch stands on one host it was placed on. */
export interface AssignmentView {
  host_id: string;
  phase: AssignmentPhase;
  resolved_paddr: string | null;
  memory_kind: 'ram' | 'mmio' | null;
  reason: string;
  updated_at: string;
}

/** A watch: its id and state, the full spec as the server re-prints it, and its assignment counts. */
export type WatchView = {
  id: string;
  state: WatchState;
  created_at: string;
  ended_at: string | null;
  counts: PhaseCounts;
} & WatchSpecJson;

/** GET /watches/:id: the watch, plus where it stands on each host it was placed on. */
export type WatchDetailView = WatchView & { assignments: AssignmentView[] };

/**
 * POST /watches/preview: where a watch would go if it were created now, nothing stored. `placed`
 * are the hosts the first pass would give it (the canary first, when it has one); every other
 * selected host waits with the scheduler's reason, offline ones included.
 */
export interface WatchPreviewView {
  dry_run: true;
  /** The spec as the server would store it (defaults filled in). */
  spec: WatchSpecJson;
  placed: string[];
  waiting: Array<{ host_id: string; reason: WaitReason; message: string }>;
}

/** Why a host the watch selects has not got it armed (GET /watches/:id/hosts "pending"). */
export type PendingReason = Exclude<WaitReason, 'offline'> | 'awaiting_report' | 'disarmed';

/**
 * GET /watches/:id/hosts: every host the watch selects or was placed on, in one of four
 * groups, so "which hosts are missing, and why" is one call.
 */
export interface WatchHostsView {
  watch_id: string;
  armed: Array<{ host_id: string; resolved_paddr: string | null; since: string }>;
  failed: Array<{ host_id: string; reason: string; since: string }>;
  pending: Array<{ host_id: string; reason: PendingReason; message: string }>;
  offline: Array<{ host_id: string; placed: boolean }>;
}
