import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { elfVmcore, kdumpCompressed } from '../test-support/dump-fixtures';
import { removeTempDirs, tempDir } from '../test-support/fixtures';
import { readDumpHeader } from './dump-header';

function write(bytes: Buffer, name = 'dump'): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, bytes);
  return file;
}

const REAL_HEADER_GZ =
  'H4sIAAAAAAACA/N2CfUNUFBQYGNgYPDJzCutYKAAaOTl56VqUmCAmZ6hnoGuqZluYm6KmQkZBigbKgQD/RMQ5OrqGxAS7xLp5+jr' +
  '6azgkpqUmZinADLe0NJI10hBw8jAyEzX0FDX0AzVvRUWZvFk2Uy1MICAXSoc2ch8JhAhAKF5gPjBfyYMPUwMo2AUjIJRMApGwSgY' +
  'BaNgFIyCUTAKRgF+IA8NAgDzRk+xEBAAAA==';

describe('dump headers', () => {
  afterEach(removeTempDirs);

  it('reads release, crash time and dump level from a kdump-compressed header', async () => {
    const file = write(kdumpCompressed({ release: '6.1.0-27-amd64', seconds: 1795687782n, micros: 739564n, dumpLevel: 31 }));
    expect(await readDumpHeader(file)).toEqual({ format: 'kdump-compressed', dumpLevel: 31, kernelRelease: '6.1.0-27-amd64', crashTimeMs: 1795687782739 });
  });

  it('finds the sub header one block in, whatever the block size', async () => {
    const file = write(kdumpCompressed({ blockSize: 16384, dumpLevel: 17 }));
    expect(await readDumpHeader(file)).toMatchObject({ dumpLevel: 17, crashTimeMs: null });
  });

  it('reads OSRELEASE and CRASHTIME from an ELF core\'s VMCOREINFO note, with no dump level', async () => {
    const file = write(elfVmcore('OSRELEASE=6.8.0-45-generic\nPAGESIZE=4096\nSYMBOL(init_uts_ns)=ffffffff82a13a00\nCRASHTIME=1795687782\n'));
    expect(await readDumpHeader(file)).toEqual({ format: 'elf', dumpLevel: -1, kernelRelease: '6.8.0-45-generic', crashTimeMs: 1795687782000 });
  });

  it('calls anything else unknown', async () => {
    expect(await readDumpHeader(write(Buffer.from('not a dump at all')))).toEqual({ format: 'unknown', dumpLevel: -1, kernelRelease: '', crashTimeMs: null });
    expect(await readDumpHeader(write(Buffer.alloc(0)))).toMatchObject({ format: 'unknown' });
  });

  it('reads the header of a dump the crash kernel wrote (QEMU lab, makedumpfile -l -d 31)', async () => {
    // The first 4112 bytes (header block + kdump_sub_header) of a real dump.202611261223,
    // gzip'd: our reading of the struct checked against what makedumpfile writes.
    const real = gunzipSync(Buffer.from(REAL_HEADER_GZ, 'base64'));
    expect(real).toHaveLength(4112);
    expect(await readDumpHeader(write(real, 'dump.202611261223'))).toEqual({
      format: 'kdump-compressed',
      dumpLevel: 31,
      kernelRelease: '6.1.0-56-amd64',
      crashTimeMs: Date.UTC(2026, 10, 26, 12, 23, 22),
    });
  });
});
