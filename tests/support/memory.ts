/** Corrupts simulated guest memory from outside the agent: one aligned positional write. */
import { closeSync, openSync, writeSync } from 'node:fs';

export function writeWord(memoryFile: string, paddr: number, width: 1 | 2 | 4 | 8, value: bigint): void {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64LE(value);
  const fd = openSync(memoryFile, 'r+');
  try {
    writeSync(fd, buf, 0, width, paddr);
  } finally {
    closeSync(fd);
  }
}
