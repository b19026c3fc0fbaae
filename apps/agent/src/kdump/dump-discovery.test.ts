import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kdumpCompressed, kdumpToolsDump, rhelDump } from '../test-support/dump-fixtures';
import { removeTempDirs, tempDir } from '../test-support/fixtures';
import { findDumps, settledDumps } from './dump-discovery';

describe('dump discovery', () => {
  afterEach(removeTempDirs);

  it('finds both layouts with their saved dmesg, and nothing else', () => {
    const crashDir = tempDir();
    const debian = kdumpToolsDump(crashDir, '202611261223', kdumpCompressed(), 'dmesg\n');
    const rhel = rhelDump(crashDir, '127.0.0.1-2026-11-26-12:23:22', kdumpCompressed());
    // In progress or unrelated: kdump-tools' temporary name, a stamp dir without its dump, a stray file.
    fs.writeFileSync(path.join(crashDir, '202611261223', 'dump-incomplete'), 'x');
    fs.mkdirSync(path.join(crashDir, '202611261300'));
    fs.writeFileSync(path.join(crashDir, 'kexec_cmd'), 'x');
    fs.writeFileSync(path.join(crashDir, 'linux-image-6.1.0-27-amd64-202611261223.crash'), 'x');

    expect(findDumps(crashDir)).toEqual([
      { path: rhel.dump, layout: 'rhel', dmesgPath: null },
      { path: debian.dump, layout: 'kdump-tools', dmesgPath: debian.dmesg },
    ]);
    expect(findDumps(path.join(crashDir, 'missing'))).toEqual([]);
  });

  it('leaves out a dump that grows while it is looked at', async () => {
    const crashDir = tempDir();
    const growing = kdumpToolsDump(crashDir, '202611261223', kdumpCompressed());
    const done = rhelDump(crashDir, '127.0.0.1-2026-11-26-12:00:00', kdumpCompressed());
    const dumps = findDumps(crashDir);
    // settledDumps takes its first look before it returns: this growth is inside its window.
    const looking = settledDumps(dumps, 300);
    fs.appendFileSync(growing.dump, Buffer.alloc(4096));
    expect((await looking).map((d) => d.path)).toEqual([done.dump]);
    expect((await settledDumps(dumps, 50)).map((d) => d.path)).toEqual([done.dump, growing.dump]);
  });
});
