/**
 * The spool journal's line format (JSON lines) and how a journal is read back. Kept apart
 * from the Spool so the recovery rules can be read in one place:
 * - a hit line carries its boot and seq; an ack line covers seqs <= its seq in a boot;
 * - a mark line keeps a boot's highest seq after compaction dropped its hits, so a seq
 *   is never handed out twice;
 * - a torn last line (the process died mid-write) is ignored: it was never fsync'd, so
 *   it was never sent.
 */
import type { Hit } from '@physwatch/proto';

export type JournalLine =
  | { t: 'h'; b: string; s: string; h: Hit }
  | { t: 'a'; b: string; s: string }
  | { t: 'm'; b: string; s: string };

export interface BootLog {
  /** Highest seq ever written in this boot (hit, ack or mark). */
  highest: bigint;
  ackedUpTo: bigint;
  /** Unacked hits in seq order. */
  pending: Map<bigint, Hit>;
}

export interface ReadResult {
  boots: Map<string, BootLog>;
  /** Lines that could not be parsed (a torn tail, or damage), skipped. */
  skipped: number;
}

export function encodeLine(line: JournalLine): string {
  return `${JSON.stringify(line)}\n`;
}

function parseLine(text: string): JournalLine | null {
  try {
    const value = JSON.parse(text) as JournalLine;
    if (typeof value !== 'object' || value === null || typeof value.b !== 'string' || !/^[0-9]+$/.test(value.s)) return null;
    if (value.t === 'h' && typeof value.h === 'object' && value.h !== null) return value;
    return value.t === 'a' || value.t === 'm' ? value : null;
  } catch {
    return null;
  }
}

function bootOf(boots: Map<string, BootLog>, bootId: string): BootLog {
  let boot = boots.get(bootId);
  if (!boot) {
    boot = { highest: 0n, ackedUpTo: 0n, pending: new Map() };
    boots.set(bootId, boot);
  }
  return boot;
}

export function readJournal(text: string): ReadResult {
  const boots = new Map<string, BootLog>();
  let skipped = 0;
  const lines = text.split('\n');
  // Without a final newline the last line is a torn write.
  if (lines[lines.length - 1] !== '') skipped++;
  for (const text of lines.slice(0, -1)) {
    const line = parseLine(text);
    if (!line) {
      skipped++;
      continue;
    }
    const boot = bootOf(boots, line.b);
    const seq = BigInt(line.s);
    if (seq > boot.highest) boot.highest = seq;
    if (line.t === 'h' && seq > boot.ackedUpTo) boot.pending.set(seq, line.h);
    if (line.t === 'a' && seq > boot.ackedUpTo) {
      boot.ackedUpTo = seq;
      for (const pendingSeq of boot.pending.keys()) if (pendingSeq <= seq) boot.pending.delete(pendingSeq);
    }
  }
  for (const boot of boots.values()) boot.pending = new Map([...boot.pending].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { boots, skipped };
}
