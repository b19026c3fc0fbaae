import { toHex } from '@physwatch/core';
import type { HitView } from '@physwatch/core';
import type { HitRow } from '@physwatch/db';

/** docs/contracts.md hit shape (HitView in packages/core). */
export function hitJson(row: HitRow): HitView {
  return {
    id: row.id,
    host_id: row.hostId,
    boot_id: row.bootId,
    seq: row.seq,
    module_seq: row.moduleSeq,
    source: row.source,
    watch_id: row.watchId,
    occurred_at: row.occurredAt.toISOString(),
    realtime_ns: row.realtimeNs,
    boottime_ns: row.boottimeNs,
    last_old_boottime_ns: row.lastOldBoottimeNs,
    bracket_ns: row.bracketNs,
    cpu: row.cpu,
    paddr: toHex(BigInt(row.paddr)),
    offset: row.offset,
    width: row.width,
    old_value: toHex(BigInt(row.oldValue)),
    new_value: toHex(BigInt(row.newValue)),
    pid: row.pid,
    comm: row.comm,
    ip: row.ip,
    stack: row.stack === '' ? [] : row.stack.split('\n'),
    action: row.action,
    writer: row.writer,
    writer_reason: row.writerReason,
    smi_count: row.smiCount,
    received_at: row.receivedAt.toISOString(),
  };
}
