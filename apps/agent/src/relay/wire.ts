/** Backend shapes -> wire messages; the only place the agent spells proto field names. */
import { toWireAction } from '@physwatch/proto';
import type { Capabilities, Hit, WatchState } from '@physwatch/proto';
import type { ArmResult, BackendCapabilities, BackendHit } from '../backend/watch-backend';

const TARGET_KINDS = { paddr: 'TARGET_KIND_PADDR', symbol: 'TARGET_KIND_SYMBOL', pci_bar: 'TARGET_KIND_PCI_BAR' } as const;

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
    comm: hit.comm,
    ip: hit.ip,
    stack: hit.stack,
    action: toWireAction(hit.action),
    module_seq: (hit.moduleSeq ?? 0n).toString(),
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
      };
    case 'failed':
      return { watch_id: watchId, phase: 'WATCH_PHASE_FAILED', reason: outcome.reason };
    case 'disarmed':
      return { watch_id: watchId, phase: 'WATCH_PHASE_DISARMED', reason: outcome.reason };
  }
}
