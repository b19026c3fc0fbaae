/**
 * What a dump file says about itself: makedumpfile's kdump-compressed header
 * (diskdump_mod.h: `disk_dump_header`, then `kdump_sub_header` one block in), or an ELF
 * core's VMCOREINFO note. Little-endian 64-bit only (x86_64, arm64); anything else is
 * reported as it is, with what could not be read left empty.
 */
import * as fs from 'node:fs';

export type DumpFormat = 'kdump-compressed' | 'elf' | 'unknown';

export interface DumpHeader {
  format: DumpFormat;
  /** makedumpfile -d; -1 when the file does not record it. */
  dumpLevel: number;
  kernelRelease: string;
  /** From the file itself; null when it does not say (the caller falls back to mtime). */
  crashTimeMs: number | null;
}

/** disk_dump_header offsets on LP64: utsname is 6 × 65 bytes, then timeval aligns to 8. */
export const KDUMP = {
  signature: 'KDUMP   ',
  headerVersion: 8,
  utsname: 12,
  utsField: 65,
  timestamp: 408,
  blockSize: 428,
  /** In kdump_sub_header, after phys_base (unsigned long). */
  subDumpLevel: 8,
} as const;

const UTS_RELEASE = 2;
const PT_NOTE = 4;
/** Bounds what a damaged header can make us read. */
const MAX_BLOCK_SIZE = 1 << 20;
const MAX_NOTES = 16 << 20;

const UNKNOWN: DumpHeader = { format: 'unknown', dumpLevel: -1, kernelRelease: '', crashTimeMs: null };

async function readAt(fd: fs.promises.FileHandle, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await fd.read(buffer, 0, length, offset);
  return buffer.subarray(0, bytesRead);
}

const cString = (bytes: Buffer): string => {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end < 0 ? bytes.length : end).toString('latin1');
};

async function kdumpHeader(fd: fs.promises.FileHandle): Promise<DumpHeader> {
  const head = await readAt(fd, 0, KDUMP.blockSize + 4);
  if (head.length < KDUMP.blockSize + 4) return { ...UNKNOWN, format: 'kdump-compressed' };
  const release = cString(head.subarray(KDUMP.utsname + UTS_RELEASE * KDUMP.utsField, KDUMP.utsname + (UTS_RELEASE + 1) * KDUMP.utsField));
  const seconds = head.readBigInt64LE(KDUMP.timestamp);
  const micros = head.readBigInt64LE(KDUMP.timestamp + 8);
  // makedumpfile takes the timestamp from the kernel's CRASHTIME; a writer that has none leaves 0.
  const crashTimeMs = seconds > 0n ? Number(seconds * 1000n + micros / 1000n) : null;
  const blockSize = head.readInt32LE(KDUMP.blockSize);
  let dumpLevel = -1;
  // dump_level exists from header_version 1 on.
  if (head.readInt32LE(KDUMP.headerVersion) >= 1 && blockSize > 0 && blockSize <= MAX_BLOCK_SIZE) {
    const sub = await readAt(fd, blockSize + KDUMP.subDumpLevel, 4);
    if (sub.length === 4) dumpLevel = sub.readInt32LE(0);
  }
  return { format: 'kdump-compressed', dumpLevel, kernelRelease: release, crashTimeMs };
}

/** The VMCOREINFO note's text (`KEY=value` lines) from ELF64 LE program headers, or null. */
async function vmcoreinfo(fd: fs.promises.FileHandle): Promise<string | null> {
  const eh = await readAt(fd, 0, 64);
  // EI_CLASS 2 = 64-bit, EI_DATA 1 = little-endian.
  if (eh.length < 64 || eh[4] !== 2 || eh[5] !== 1) return null;
  const phoff = Number(eh.readBigUInt64LE(0x20));
  const phentsize = eh.readUInt16LE(0x36);
  const phnum = eh.readUInt16LE(0x38);
  if (phentsize < 56) return null;
  const table = await readAt(fd, phoff, phentsize * phnum);
  for (let i = 0; (i + 1) * phentsize <= table.length; i++) {
    const ph = table.subarray(i * phentsize);
    if (ph.readUInt32LE(0) !== PT_NOTE) continue;
    const size = Number(ph.readBigUInt64LE(32));
    const notes = await readAt(fd, Number(ph.readBigUInt64LE(8)), Math.min(size, MAX_NOTES));
    const text = findNote(notes, 'VMCOREINFO');
    if (text !== null) return text;
  }
  return null;
}

const align4 = (n: number): number => (n + 3) & ~3;

function findNote(notes: Buffer, wanted: string): string | null {
  let at = 0;
  while (at + 12 <= notes.length) {
    const namesz = notes.readUInt32LE(at);
    const descsz = notes.readUInt32LE(at + 4);
    const nameAt = at + 12;
    const descAt = nameAt + align4(namesz);
    if (descAt + descsz > notes.length) return null;
    if (cString(notes.subarray(nameAt, nameAt + namesz)) === wanted) return notes.subarray(descAt, descAt + descsz).toString('latin1');
    at = descAt + align4(descsz);
  }
  return null;
}

function elfHeader(info: string | null): DumpHeader {
  const field = (key: string): string | undefined => info?.split('\n').find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1).trim();
  const crashTime = Number(field('CRASHTIME'));
  return {
    format: 'elf',
    dumpLevel: -1,
    kernelRelease: field('OSRELEASE') ?? '',
    crashTimeMs: Number.isSafeInteger(crashTime) && crashTime > 0 ? crashTime * 1000 : null,
  };
}

export async function readDumpHeader(file: string): Promise<DumpHeader> {
  const fd = await fs.promises.open(file, 'r');
  try {
    const magic = await readAt(fd, 0, 8);
    if (magic.toString('latin1') === KDUMP.signature) return await kdumpHeader(fd);
    if (magic.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return elfHeader(await vmcoreinfo(fd));
    return UNKNOWN;
  } finally {
    await fd.close();
  }
}
