import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { armSpec, removeTempDirs, tempDir } from '../../test-support/fixtures';
import type { BackendHit } from '../watch-backend';
import { encodeWord, openMemoryFile } from './memory-file';
import { WordPoller } from './word-poller';

const PADDR = 0x100n;

/**
 * A clock that ticks 1000 ns per reading and writes the word (synchronously, from outside the
 * poller, through its own fd) at the reading `writeAt`: the poller takes a reading as each
 * read begins, and one as each poll's read ends, so the test knows which read saw the write.
 */
function steppingClock(file: string, writeAt: number, value: bigint, width: 4 | 8 = 4) {
  const readings: bigint[] = [];
  const clock = (): bigint => {
    readings.push(BigInt(readings.length + 1) * 1000n);
    if (readings.length === writeAt) {
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, encodeWord(value, width), 0, width, Number(PADDR));
      fs.closeSync(fd);
    }
    return readings[readings.length - 1];
  };
  return { clock, readings };
}

/** Polls every 1 ms until `count` hits arrived. */
async function pollUntil(file: string, clock: () => bigint, count = 1): Promise<BackendHit[]> {
  const memory = await openMemoryFile(file, 4096);
  const spec = armSpec({ watchId: '3', target: { kind: 'paddr', paddr: PADDR }, width: 4, len: 8, mask: 0xffffffffn });
  const hits: BackendHit[] = [];
  let poller: WordPoller | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const events = {
        hit: (hit: BackendHit) => {
          if (hits.push(hit) === count) resolve();
        },
        exhausted: () => undefined,
        error: reject,
      };
      poller = new WordPoller(spec, PADDR, memory, 1, { pid: 1, comm: 'test', realtimeOffsetNs: 0n }, events, clock);
      poller.start().catch(reject);
    });
  } finally {
    poller?.stop();
    await memory.close();
  }
  return hits;
}

afterEach(removeTempDirs);

describe('WordPoller bracket', () => {
  it('is (the start of the last read that saw the old value, the end of the read that saw the new one]', async () => {
    const file = path.join(tempDir(), 'memory');
    // Readings: the baseline read begins at 1, polls read 2-3 and 4-5, and the word is written
    // at 6, as the third poll's read begins: that read sees it, the one begun at 4 did not.
    const { clock, readings } = steppingClock(file, 6, 0x33n);
    const [hit] = await pollUntil(file, clock);
    expect(readings.slice(0, 7)).toEqual([1000n, 2000n, 3000n, 4000n, 5000n, 6000n, 7000n]);
    expect(hit).toMatchObject({ watchId: '3', paddr: PADDR, oldValue: 0n, newValue: 0x33n, lastOldBoottimeNs: 4000n, boottimeNs: 7000n });
    expect(hit.realtimeNs).toBe(7000n);
    // A file read cannot tell who wrote: not said (WRITER_UNSPECIFIED), SMIs not known, no stack.
    expect(hit).toMatchObject({ writer: null, writerReason: null, smiCount: null, stack: [] });
  });

  it('counts from the baseline read when the very first poll sees the change', async () => {
    const file = path.join(tempDir(), 'memory');
    // Written as the first poll's read begins (reading 2): only the baseline saw the old value.
    const { clock } = steppingClock(file, 2, 0x44n);
    const [hit] = await pollUntil(file, clock);
    expect(hit).toMatchObject({ lastOldBoottimeNs: 1000n, boottimeNs: 3000n, newValue: 0x44n });
  });

  it('gives every word changed between the same two reads the same bracket', async () => {
    const file = path.join(tempDir(), 'memory');
    // Written after the read begun at 4 ended (reading 5): the read 6-7 sees both words.
    const { clock } = steppingClock(file, 5, 0x0000000200000001n, 8);
    const hits = await pollUntil(file, clock, 2);
    expect(hits.map((h) => [h.offset, h.lastOldBoottimeNs, h.boottimeNs])).toEqual([
      [0, 4000n, 7000n],
      [4, 4000n, 7000n],
    ]);
  });
});
