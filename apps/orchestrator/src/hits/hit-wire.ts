import type { HitBatch__Output, Hit__Output } from '@physwatch/proto';
import { fromWireAction } from '@physwatch/proto';
import type { NewHit } from '@physwatch/db';

const POSITIVE = /^[1-9][0-9]*$/;

/** Why a batch cannot be stored, or null when it can. */
export function hitBatchProblem(batch: HitBatch__Output): string | null {
  if (!batch.boot_id) return 'HitBatch.boot_id is empty';
  const bad = batch.hits.findIndex((h) => !POSITIVE.test(h.seq) || !POSITIVE.test(h.watch_id));
  if (bad >= 0) return `HitBatch.hits[${bad}] has seq ${batch.hits[bad].seq} and watch_id ${batch.hits[bad].watch_id}; both must be > 0`;
  return null;
}

function action(wire: string): string {
  try {
    return fromWireAction(wire);
  } catch {
    return wire.replace(/^ACTION_/, '').toLowerCase();
  }
}

/** proto3 sends 0 for "not set": no agent seq (a recovered hit), no module seq (simulated backend). */
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

export function maxSeq(batch: HitBatch__Output): string {
  return batch.hits.reduce((max, h) => (BigInt(h.seq) > BigInt(max) ? h.seq : max), '0');
}
