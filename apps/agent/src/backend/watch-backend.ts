/**
 * What the agent needs from whatever actually watches memory: the simulated backend, or
 * the kernel module behind /dev/physwatch (backend/kernel). Hits arrive asynchronously, carrying the
 * backend's own timestamps and context (the module stamps them in its timer), and a
 * backend may disarm a watch on its own (max_hits), which it reports as an event too.
 */
import type { Action, ArmSpec, HitWriter, WatchMode, WatchTarget, Width } from '@physwatch/core';

export type MemoryKind = 'ram' | 'mmio';

/**
 * How a watch's polling goes, as the backend measured it (kernel: the module's poll_ns_avg,
 * missed= and paced=): the cost of one poll, the polls its timer could not make, and of
 * those the ones the module's polling budget held back.
 */
export interface PollStats {
  nsAvg: bigint;
  missed: bigint;
  paced: bigint;
}

export type ArmResult =
  /** polling: absent when the backend does not measure it. */
  | { phase: 'armed'; resolvedPaddr: bigint; memoryKind: MemoryKind; polling?: PollStats }
  | { phase: 'failed'; reason: string };

export interface ArmedWatch {
  spec: ArmSpec;
  resolvedPaddr: bigint;
  memoryKind: MemoryKind;
  polling?: PollStats;
}

export interface BackendCapabilities {
  backend: 'simulated' | 'kernel';
  maxWatches: number;
  minIntervalUs: number;
  targetKinds: ReadonlyArray<WatchTarget['kind']>;
  actions: readonly Action[];
  maxRegionLen: number;
  /** What arm() can run; anything else it refuses with a reason. */
  modes: readonly WatchMode[];
  /** The CPU's physical address width; 0 when not known (the orchestrator assumes 52). */
  physAddrBits: number;
}

/** One changed word, as the backend saw it. Sequence numbers are the agent's business. */
export interface BackendHit {
  watchId: string;
  realtimeNs: bigint;
  boottimeNs: bigint;
  cpu: number;
  /** Address of the changed word and its offset from the watch's start. */
  paddr: bigint;
  offset: number;
  width: Width;
  oldValue: bigint;
  newValue: bigint;
  pid: number;
  comm: string;
  /** Instruction pointer as symbol+offset. */
  ip: string;
  /** One frame each, innermost first; empty when the backend captured none. */
  stack: readonly string[];
  action: Action;
  /** The module's own event seq (`seq=`); absent for hits that did not come from the module. */
  moduleSeq?: bigint;
  /**
   * When the backend last saw the word holding oldValue, on boottimeNs's clock: the write
   * happened in (lastOldBoottimeNs, boottimeNs]. Null when the backend did not record it.
   */
  lastOldBoottimeNs: bigint | null;
  /** Who made the write; null when the backend cannot tell. With `cpu`, cpu/pid/comm/ip/stack are the writer's. */
  writer: HitWriter | null;
  /** Why the writer is `unknown` (one token); null otherwise. */
  writerReason: string | null;
  /** SMIs counted in the bracket; null when not known. */
  smiCount: bigint | null;
}

export type BackendEvent =
  | { kind: 'hit'; hit: BackendHit }
  | { kind: 'disarmed'; watchId: string; reason: string };

export interface WatchBackend {
  readonly capabilities: BackendCapabilities;
  /** Never throws for a bad target: that is a `failed` result with a reason for the operator. */
  arm(spec: ArmSpec): Promise<ArmResult>;
  /** Idempotent: disarming an unknown id is not an error. */
  disarm(watchId: string): Promise<void>;
  armed(): ArmedWatch[];
  /** Events the backend saw but could not deliver as hits (kernel: overflow and suppressed lines). */
  undelivered?(): { lost: bigint; suppressed: bigint };
  /** Labels describing the backend's own state on this host (e.g. whether the module loaded). */
  statusLabels?(): Record<string, string>;
  /** Returns the unsubscribe function. */
  onEvent(listener: (event: BackendEvent) => void): () => void;
  /**
   * Releases the device/file; no event is emitted afterwards. Idempotent. The simulated
   * backend disarms everything; the kernel backend leaves the module's watches armed so an
   * agent restart opens no blind window (they are read back from /proc/physwatch).
   */
  close(): Promise<void>;
}
