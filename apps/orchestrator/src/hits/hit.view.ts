import { toHex } from '@physwatch/core';
import type { HitRow } from '@physwatch/db';

/**
 * docs/contracts.md hit shape: ids, seq and ns as decimal strings; addresses and values as
 * hex. seq is null for a hit recovered from a crash dump (source "vmcore").
 */
export interface HitJson {
  id: string;
  host_id: string;
  boot_id: string;
  seq: string | null;
  module_seq: string | null;
  source: string;
  watch_id: string;
  occurred_at: string;
  realtime_ns: string;
  boottime_ns: string;
  cpu: number;
  paddr: string;
  offset: number;
  width: number;
  old_value: string;
  new_value: string;
  pid: number;
  comm: string;
  ip: string;
  stack: string;
  action: string;
  received_at: string;
}

export function hitJson(row: HitRow): HitJson {
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
    cpu: row.cpu,
    paddr: toHex(BigInt(row.paddr)),
    offset: row.offset,
    width: row.width,
    old_value: toHex(BigInt(row.oldValue)),
    new_value: toHex(BigInt(row.newValue)),
    pid: row.pid,
    comm: row.comm,
    ip: row.ip,
    stack: row.stack,
    action: row.action,
    received_at: row.receivedAt.toISOString(),
  };
}
