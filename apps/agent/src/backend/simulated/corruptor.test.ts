import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLog, removeTempDirs, tempDir } from '../../test-support/fixtures';
import { Corruptor } from './corruptor';
import { openMemoryFile } from './memory-file';

describe('scripted corruptor', () => {
  afterEach(removeTempDirs);

  it('writes its values in turn, little-endian, `count` times, then stops', async () => {
    const file = path.join(tempDir(), 'mem');
    const memory = await openMemoryFile(file, 4096);
    // Each write is logged at debug level: the log is the record of what was written.
    const logged = captureLog('corruptor wrote memory');
    // Step 1 runs at the same period, 3 writes longer: when it is done, a 4th write of step 0 would have happened.
    const corruptor = new Corruptor(
      memory,
      [
        { afterMs: 0, paddr: 0x100n, width: 2, values: [0x1122n, 0x3344n], everyMs: 5, count: 3 },
        { afterMs: 0, paddr: 0x200n, width: 1, values: [0x1n], everyMs: 5, count: 6 },
      ],
      logged.log,
    );
    corruptor.start();
    await expect.poll(() => logged.lines.filter((l) => l.step === 1).length, { timeout: 5000 }).toBeGreaterThanOrEqual(6);
    corruptor.stop();
    await memory.close();
    expect(logged.lines.filter((l) => l.step === 0).map((l) => l.value)).toEqual(['0x1122', '0x3344', '0x1122']);
    const bytes = fs.readFileSync(file);
    expect([bytes.readUInt8(0x100), bytes.readUInt8(0x101)]).toEqual([0x22, 0x11]);
  });
});
