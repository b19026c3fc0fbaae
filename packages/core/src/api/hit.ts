import type { HitWriter } from '../hit-writer';

/** agent: sent live; vmcore: recovered from the saved dmesg of a crash dump. */
export type HitSource = 'agent' | 'vmcore';

/**
 * GET /hits: ids, seq and ns as decimal strings; addresses and values as hex. seq is null
 * for a hit recovered from a crash dump (source "vmcore"); module_seq is null when the hit
 * did not come from the kernel module. The bracket: the write happened in
 * (last_old_boottime_ns, boottime_ns], bracket_ns wide; both null when the backend did not
 * record when it last saw the old value (a module older than the field). writer: who made
 * the write (packages/core hit-writer.ts), null when the backend did not say; writer_reason
 * only with `unknown`; smi_count: SMIs in the bracket, null when not known; stack: the
 * frames, innermost first (the writer's with writer `cpu`), empty when none was captured.
 */
export interface HitView {
  id: string;
  host_id: string;
  boot_id: string;
  seq: string | null;
  module_seq: string | null;
  source: HitSource;
  watch_id: string;
  occurred_at: string;
  realtime_ns: string;
  boottime_ns: string;
  /** When the word was last seen holding old_value, on boottime_ns's clock. */
  last_old_boottime_ns: string | null;
  /** boottime_ns - last_old_boottime_ns, in ns. */
  bracket_ns: string | null;
  cpu: number;
  paddr: string;
  offset: number;
  width: number;
  old_value: string;
  new_value: string;
  pid: number;
  comm: string;
  ip: string;
  stack: string[];
  action: string;
  writer: HitWriter | null;
  writer_reason: string | null;
  /** Decimal string. */
  smi_count: string | null;
  received_at: string;
}
