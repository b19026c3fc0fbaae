/**
 * A module hit line -> the backend's hit shape. The one conversion for both ways a module
 * hit reaches the agent: read live from /dev/physwatch, or recovered from the dmesg saved
 * with a vmcore (kdump/recovered-hits.ts), so the two copies of a hit cannot drift apart.
 */
import type { ModuleHitEvent } from '@physwatch/core';
import type { BackendHit } from '../watch-backend';

/** The top 16 ids belong to the seed's module parameters, not to the orchestrator. */
const FIRST_RESERVED_ID = 18446744073709551600n;

export const isOrchestratorWatch = (moduleId: bigint): boolean => moduleId < FIRST_RESERVED_ID;

export function moduleHitToBackendHit(e: ModuleHitEvent): BackendHit {
  return {
    watchId: e.id.toString(),
    realtimeNs: e.realtimeNs,
    boottimeNs: e.boottimeNs,
    cpu: e.cpu,
    paddr: e.paddr,
    offset: e.offset,
    width: e.width,
    oldValue: e.oldValue,
    newValue: e.newValue,
    pid: e.pid,
    comm: e.comm,
    ip: e.ip,
    stack: e.stack,
    action: e.action,
    moduleSeq: e.seq,
    // The previous poll (or function-entry check) that still saw the old value; null from a
    // module older than last_old_ns=.
    lastOldBoottimeNs: e.lastOldNs,
    // Null from a module older than writer=/smi=.
    writer: e.writer,
    writerReason: e.writerReason,
    smiCount: e.smiCount,
  };
}
