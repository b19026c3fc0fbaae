import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../test-support/fixtures';
import { bootsFile, crashedBoot, readBoots, recordBoot } from './boot-history';

describe('boot history', () => {
  afterEach(removeTempDirs);

  it('records each boot once, with when it was first seen, and keeps the last 32', () => {
    const dir = tempDir();
    recordBoot(dir, 'b1', 1000);
    recordBoot(dir, 'b1', 5000);
    recordBoot(dir, 'b2', 6000);
    expect(readBoots(dir)).toEqual([
      { bootId: 'b1', firstSeenMs: 1000 },
      { bootId: 'b2', firstSeenMs: 6000 },
    ]);
    for (let i = 3; i <= 40; i++) recordBoot(dir, `b${i}`, i * 1000);
    const boots = readBoots(dir);
    expect(boots).toHaveLength(32);
    expect(boots[0].bootId).toBe('b9');
    expect(boots[31].bootId).toBe('b40');
    expect(fs.existsSync(`${bootsFile(dir)}.tmp`)).toBe(false);
  });

  it('treats a damaged file as no history rather than failing the agent', () => {
    const dir = tempDir();
    fs.writeFileSync(bootsFile(dir), '[{"bootId": "b1", "firstSe');
    expect(recordBoot(dir, 'b2', 10)).toEqual([{ bootId: 'b2', firstSeenMs: 10 }]);
  });

  it('attributes a crash to the latest boot that started before it, never the current one', () => {
    const boots = [
      { bootId: 'b1', firstSeenMs: 1000 },
      { bootId: 'b2', firstSeenMs: 2000 },
      { bootId: 'b3', firstSeenMs: 3000 },
    ];
    expect(crashedBoot(boots, 2500, 'b3')).toBe('b2');
    expect(crashedBoot(boots, 3500, 'b3')).toBe('b2');
    expect(crashedBoot(boots, 3500, 'b4')).toBe('b3');
    expect(crashedBoot(boots, 500, 'b3')).toBe('');
  });
});
