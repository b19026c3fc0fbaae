/**
 * Crash dumps and their surroundings built byte by byte, for tests: a makedumpfile
 * kdump-compressed file (diskdump_mod.h layout, LP64 little-endian), an ELF core with a
 * VMCOREINFO note, and the kdump-tools / RHEL directory layouts. dump-header.test.ts also
 * reads the header of a real dump written by a crash kernel, so these offsets cannot drift.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface KdumpFixture {
  release?: string;
  /** struct timeval timestamp. */
  seconds?: bigint;
  micros?: bigint;
  dumpLevel?: number;
  headerVersion?: number;
  blockSize?: number;
}

export function kdumpCompressed(f: KdumpFixture = {}): Buffer {
  const blockSize = f.blockSize ?? 4096;
  const file = Buffer.alloc(blockSize * 3);
  file.write('KDUMP   ', 0, 'latin1');
  file.writeInt32LE(f.headerVersion ?? 6, 8);
  // new_utsname: sysname, nodename, release, version, machine, domainname; 65 bytes each from 12.
  ['Linux', 'guest', f.release ?? '6.1.0-27-amd64', '#1 SMP PREEMPT_DYNAMIC', 'x86_64', '(none)'].forEach((text, i) =>
    file.write(text, 12 + i * 65, 'latin1'),
  );
  // 12 + 390 = 402, padded to 408 for the 8-byte timeval.
  file.writeBigInt64LE(f.seconds ?? 0n, 408);
  file.writeBigInt64LE(f.micros ?? 0n, 416);
  file.writeUInt32LE(0, 424); // status
  file.writeInt32LE(blockSize, 428);
  file.writeInt32LE(1, 432); // sub_hdr_size
  file.writeUInt32LE(1, 436); // bitmap_blocks
  file.writeUInt32LE(0x40000, 440); // max_mapnr
  file.writeUInt32LE(1, 460); // nr_cpus at 460 (current_cpu 456)
  // kdump_sub_header, one block in: phys_base, then dump_level.
  file.writeBigUInt64LE(0x1000000n, blockSize);
  file.writeInt32LE(f.dumpLevel ?? 31, blockSize + 8);
  return file;
}

function note(name: string, type: number, desc: Buffer): Buffer {
  const pad = (n: number): number => (n + 3) & ~3;
  const nameBytes = Buffer.from(`${name}\0`, 'latin1');
  const out = Buffer.alloc(12 + pad(nameBytes.length) + pad(desc.length));
  out.writeUInt32LE(nameBytes.length, 0);
  out.writeUInt32LE(desc.length, 4);
  out.writeUInt32LE(type, 8);
  nameBytes.copy(out, 12);
  desc.copy(out, 12 + pad(nameBytes.length));
  return out;
}

/** ELF64 LE ET_CORE: PT_NOTE (a CORE prstatus note, then VMCOREINFO) and one PT_LOAD. */
export function elfVmcore(vmcoreinfo: string): Buffer {
  const notes = Buffer.concat([note('CORE', 1, Buffer.alloc(336)), note('VMCOREINFO', 0, Buffer.from(vmcoreinfo, 'latin1'))]);
  const phoff = 64;
  const phnum = 2;
  const notesAt = phoff + 56 * phnum;
  const loadAt = notesAt + notes.length;
  const file = Buffer.alloc(loadAt + 4096);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(file, 0);
  file.writeUInt16LE(4, 0x10); // ET_CORE
  file.writeUInt16LE(62, 0x12); // EM_X86_64
  file.writeUInt32LE(1, 0x14);
  file.writeBigUInt64LE(BigInt(phoff), 0x20);
  file.writeUInt16LE(64, 0x34);
  file.writeUInt16LE(56, 0x36);
  file.writeUInt16LE(phnum, 0x38);
  const ph = (i: number, type: number, offset: number, size: number): void => {
    const at = phoff + i * 56;
    file.writeUInt32LE(type, at);
    file.writeBigUInt64LE(BigInt(offset), at + 8);
    file.writeBigUInt64LE(BigInt(size), at + 32);
    file.writeBigUInt64LE(BigInt(size), at + 40);
  };
  ph(0, 4, notesAt, notes.length);
  ph(1, 1, loadAt, 4096);
  notes.copy(file, notesAt);
  return file;
}

/** `<crashDir>/<stamp>/{dump.<stamp>,dmesg.<stamp>}` as kdump-tools saves them. */
export function kdumpToolsDump(crashDir: string, stamp: string, dump: Buffer, dmesg?: string): { dump: string; dmesg: string } {
  const dir = path.join(crashDir, stamp);
  fs.mkdirSync(dir, { recursive: true });
  const files = { dump: path.join(dir, `dump.${stamp}`), dmesg: path.join(dir, `dmesg.${stamp}`) };
  fs.writeFileSync(files.dump, dump);
  if (dmesg !== undefined) fs.writeFileSync(files.dmesg, dmesg);
  return files;
}

/** `<crashDir>/<host>-<date>/{vmcore,vmcore-dmesg.txt}` as RHEL's kdump saves them. */
export function rhelDump(crashDir: string, dirName: string, dump: Buffer, dmesg?: string): { dump: string; dmesg: string } {
  const dir = path.join(crashDir, dirName);
  fs.mkdirSync(dir, { recursive: true });
  const files = { dump: path.join(dir, 'vmcore'), dmesg: path.join(dir, 'vmcore-dmesg.txt') };
  fs.writeFileSync(files.dump, dump);
  if (dmesg !== undefined) fs.writeFileSync(files.dmesg, dmesg);
  return files;
}
