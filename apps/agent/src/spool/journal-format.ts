/**
 * The spool journal's line format (JSON lines) and how a journal is read back. Kept apart
 * from the Spool so the recovery rules can be read in one place:
 * - a hit line carries its boot and seq; an ack line covers seqs <= its seq in a boot;
 * - a mark line keeps a boot's highest seq after compaction dropped its hits, so a seq
 *   is never handed out twice;
 * - within a boot, hit lines are in increasing seq order (seqs are taken in append order
 *   and appends are written in that order; compaction keeps it);
 * - a torn last line (the process died mid-write) is ignored: it was never fsync'd, so
 *   it was never sent.
 * The journal is read as a stream of lines, never whole: a backlog may be far larger than
 * the agent's memory.
 */
import * as fs from 'node:fs';
import type { Hit } from '@physwatch/proto';

export type JournalLine =
  | { t: 'h'; b: string; s: string; h: Hit }
  | { t: 'a'; b: string; s: string }
  | { t: 'm'; b: string; s: string };

export interface RawLine {
  /** The line without its newline. */
  text: string;
  /** Byte offsets of the line's start and of just past its newline. */
  start: number;
  end: number;
}

const CHUNK_BYTES = 1024 * 1024;

export function encodeLine(line: JournalLine): string {
  return `${JSON.stringify(line)}\n`;
}

export function parseLine(text: string): JournalLine | null {
  try {
    const value = JSON.parse(text) as JournalLine;
    if (typeof value !== 'object' || value === null || typeof value.b !== 'string' || !/^[0-9]+$/.test(value.s)) return null;
    if (value.t === 'h' && typeof value.h === 'object' && value.h !== null) return value;
    return value.t === 'a' || value.t === 'm' ? value : null;
  } catch {
    return null;
  }
}

/**
 * The complete lines of `file` from byte `from` on, read a chunk at a time. A last line
 * without its newline is not yielded; `torn()` says whether there was one.
 */
export class JournalReader {
  private tornTail = false;

  constructor(
    private readonly file: string,
    private readonly from = 0,
  ) {}

  torn(): boolean {
    return this.tornTail;
  }

  async *lines(): AsyncGenerator<RawLine> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
      let position = this.from;
      let carry = Buffer.alloc(0);
      let carryStart = position;
      for (;;) {
        const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
        const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        const buf = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
        let lineStart = 0;
        for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, lineStart)) {
          yield { text: buf.toString('utf8', lineStart, nl), start: carryStart + lineStart, end: carryStart + nl + 1 };
          lineStart = nl + 1;
        }
        // Copied: the chunk's memory is not kept alive by a short remainder.
        carry = Buffer.from(buf.subarray(lineStart));
        carryStart += lineStart;
      }
      this.tornTail = carry.length > 0;
    } finally {
      await handle.close();
    }
  }
}
