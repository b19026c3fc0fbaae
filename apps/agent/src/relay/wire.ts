/** Backend shapes -> wire messages; the only place the agent spells proto field names. */
import { AGENT_LIMITS, wireWriter } from '@physwatch/core';
import { toWireAction, toWireMode } from '@physwatch/proto';
import type { Capabilities, Hit, WatchState, WireWriter } from '@physwatch/proto';
import type { ArmResult, BackendCapabilities, BackendHit } from '../backend/watch-backend';

const TARGET_KINDS = { paddr: 'TARGET_KIND_PADDR', symbol: 'TARGET_KIND_SYMBOL', pci_bar: 'TARGET_KIND_PCI_BAR', sentinel: 'TARGET_KIND_SENTINEL' } as const;

/**
 * Text the orchestrator can store (packages/core agent-limits): cut to the stated length, so a
 * real hit with a very deep stack is stored shortened instead of refused.
 */
function fit(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

/** Hit.stack: one frame a line, the innermost ones kept when there are more than the orchestrator stores. */
function stackText(frames: readonly string[]): string {
  return fit(frames.slice(0, AGENT_LIMITS.stackFrames).join('\n'), AGENT_LIMITS.stackLength);
}

const I64_MAX = (1n << 63n) - 1n;

/** Hit.smi_count is an int64, -1 for not known; a u64 count past it is no count a CPU made. */
function smiCount(count: bigint | null): string {
  return count === null || count > I64_MAX ? '-1' : count.toString();
}

export function toWireHit(hit: BackendHit): Omit<Hit, 'seq'> {
  return {
    watch_id: hit.watchId,
    realtime_ns: hit.realtimeNs.toString(),
    boottime_ns: hit.boottimeNs.toString(),
    cpu: hit.cpu,
    paddr: hit.paddr.toString(),
    offset: hit.offset,
    width: hit.width,
    old_value: hit.oldValue.toString(),
    new_value: hit.newValue.toString(),
    pid: hit.pid,
    comm: fit(hit.comm, AGENT_LIMITS.commLength),
    ip: fit(hit.ip, AGENT_LIMITS.ipLength),
    stack: stackText(hit.stack),
    action: toWireAction(hit.action),
    module_seq: (hit.moduleSeq ?? 0n).toString(),
    last_old_boottime_ns: (hit.lastOldBoottimeNs ?? 0n).toString(),
    writer: wireWriter(hit.writer) as WireWriter,
    writer_reason: hit.writerReason ?? '',
    smi_count: smiCount(hit.smiCount),
  };
}

export function toWireCapabilities(caps: BackendCapabilities): Capabilities {
  return {
    backend: caps.backend,
    max_watches: caps.maxWatches,
    min_interval_us: String(caps.minIntervalUs),
    target_kinds: caps.targetKinds.map((kind) => TARGET_KINDS[kind]),
    actions: caps.actions.map(toWireAction),
    max_region_len: caps.maxRegionLen,
    modes: caps.modes.map(toWireMode),
    phys_addr_bits: caps.physAddrBits,
  };
}

/** What the reconciler knows about one desired watch. */
export type WatchOutcome = ArmResult | { phase: 'disarmed'; reason: string };

export function toWireState(watchId: string, outcome: WatchOutcome): WatchState {
  switch (outcome.phase) {
    case 'armed':
      return {
        watch_id: watchId,
        phase: 'WATCH_PHASE_ARMED',
        resolved_paddr: outcome.resolvedPaddr.toString(),
        memory_kind: outcome.memoryKind === 'ram' ? 'MEMORY_KIND_RAM' : 'MEMORY_KIND_MMIO',
        reason: '',
        poll_ns_avg: (outcome.polling?.nsAvg ?? 0n).toString(),
        polls_missed: (outcome.polling?.missed ?? 0n).toString(),
        polls_paced: (outcome.polling?.paced ?? 0n).toString(),
      };
    case 'failed':
      return { watch_id: watchId, phase: 'WATCH_PHASE_FAILED', reason: fit(outcome.reason, AGENT_LIMITS.reasonLength) };
    case 'disarmed':
      return { watch_id: watchId, phase: 'WATCH_PHASE_DISARMED', reason: fit(outcome.reason, AGENT_LIMITS.reasonLength) };
  }
}
