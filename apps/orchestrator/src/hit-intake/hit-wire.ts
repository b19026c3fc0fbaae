/** A hit as an agent sends it, made into the row it is stored as: for live batches (hits/) and hits recovered from a vmcore (kdump/). */
import { WIRE_WRITERS } from '@physwatch/core';
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

/**
 * -1 is the agent's "not known". An agent older than the field sends proto3's 0 and
 * WRITER_UNSPECIFIED; a module that counts SMIs always says who wrote, so a count without a
 * writer is never one and is not stored as 0 SMIs.
 */
function smiCount(hit: Hit__Output, writer: string | null): string | null {
  return writer === null || hit.smi_count.startsWith('-') ? null : hit.smi_count;
}

/** Checked by hitProblems before it gets here: one of the proto's names. */
export function fromWireHit(hit: Hit__Output): NewHit {
  const writer = WIRE_WRITERS[hit.writer] ?? null;
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
    writer,
    writerReason: hit.writer_reason === '' ? null : hit.writer_reason,
    smiCount: smiCount(hit, writer),
  };
}
