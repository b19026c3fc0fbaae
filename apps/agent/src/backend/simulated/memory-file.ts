/**
 * Simulated physical memory: a file where file offset = physical address, the way QEMU's
 * memory-backend-file shares guest RAM. Words are little-endian (x86, arm64).
 */
import * as fs from 'node:fs';
import type { Width } from '@physwatch/core';

/** Opens the memory file, creating it sparse (or growing it) to `size` bytes. */
export async function openMemoryFile(file: string, size: number): Promise<fs.promises.FileHandle> {
  const handle = await fs.promises.open(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  try {
    const { size: current } = await handle.stat();
    // Truncating up leaves a hole: 64 MiB of "memory" costs no disk until written.
    if (current < size) await handle.truncate(size);
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}

export function readWord(buf: Buffer, offset: number, width: Width): bigint {
  switch (width) {
    case 1:
      return BigInt(buf.readUInt8(offset));
    case 2:
      return BigInt(buf.readUInt16LE(offset));
    case 4:
      return BigInt(buf.readUInt32LE(offset));
    case 8:
      return buf.readBigUInt64LE(offset);
  }
}

export function encodeWord(value: bigint, width: Width): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64LE(BigInt.asUintN(64, value));
  return buf.subarray(0, width);
}

/**
 * One aligned positional write of one word, as a device or a stray DMA would do it.
 * Exported so tests and the demo corrupt memory exactly the way the corruptor does.
 */
export async function writeWordAt(handle: fs.promises.FileHandle, paddr: bigint, width: Width, value: bigint): Promise<void> {
  if (paddr % BigInt(width) !== 0n) throw new RangeError(`paddr 0x${paddr.toString(16)} is not aligned to width ${width}`);
  const buf = encodeWord(value, width);
  const { bytesWritten } = await handle.write(buf, 0, width, Number(paddr));
  if (bytesWritten !== width) throw new Error(`short write at 0x${paddr.toString(16)}: ${bytesWritten} of ${width} bytes`);
}

/** Opens, writes one word, closes: corrupt memory from outside a running agent. */
export async function corruptMemoryFile(file: string, paddr: bigint, width: Width, value: bigint): Promise<void> {
  const handle = await fs.promises.open(file, fs.constants.O_RDWR);
  try {
    await writeWordAt(handle, paddr, width, value);
  } finally {
    await handle.close();
  }
}
