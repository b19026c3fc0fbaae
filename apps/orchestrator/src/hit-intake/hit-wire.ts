/** A hit as an agent sends it, made into the row it is stored as: for live batches (hits/) and hits recovered from a vmcore (kdump/). */
import type { Hit__Output } from '@physwatch/proto';
import { fromWireAction } from '@physwatch/proto';
import type { NewHit } from '@physwatch/db';

const POSITIVE = /^[1-9][0-9]*$/;

function action(wire: string): string {
  try {
    return fromWireAction(wire);
  } catch {
    return wire.replace(/^ACTION_/, '').toLowerCase();
  }
}

/**
 * proto3 sends 0 for "not set": no agent seq (a recovered hit), no module seq (simulated
 * backend), no last-old time (a module line without last_old_ns=; never stored as a time).
 */
function positiveOrNull(value: string): string | null {
  return POSITIVE.test(value) ? value : null;
}

export function fromWireHit(hit: Hit__Output): NewHit {
  return {
    seq: positiveOrNull(hit.seq),
    moduleSeq: positiveOrNull(hit.module_seq),
    watchId: hit.watch_id,
    realtimeNs: hit.realtime_ns,
    boottimeNs: hit.boottime_ns,
    lastOldBoottimeNs: positiveOrNull(hit.last_old_boottime_ns),
    cpu: hit.cpu,
    paddr: hit.paddr,
    offset: hit.offset,
    width: hit.width,
    oldValue: hit.old_value,
    newValue: hit.new_value,
    pid: hit.pid,
    comm: hit.comm,
    ip: hit.ip,
    stack: hit.stack,
    action: action(hit.action),
  };
}
