import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { kdumpCompressed, rhelDump } from '../test-support/dump-fixtures';
import { removeTempDirs, tempDir, testLog } from '../test-support/fixtures';
import { ackedFile, VmcoreReporter } from './vmcore-reporter';
import type { VmcoreReport } from './vmcore-report';

describe('vmcore reporter', () => {
  const reporters: VmcoreReporter[] = [];
  afterEach(async () => {
    for (const r of reporters.splice(0)) await r.stop();
    removeTempDirs();
  });

  function reporter(crashDir: string, stateDir: string, sent: VmcoreReport[]): VmcoreReporter {
    const r = new VmcoreReporter({
      crashDir,
      stateDir,
      bootId: 'boot-now',
      send: async (report) => {
        sent.push(report);
        return true;
      },
      connected: () => true,
      log: testLog,
      intervalMs: 100,
      settleMs: 20,
    });
    reporters.push(r);
    return r;
  }

  it('finds a dump that appears while connected on its periodic scan, and stops sending it once acked, also after a restart', async () => {
    const crashDir = tempDir();
    const stateDir = tempDir();
    const sent: VmcoreReport[] = [];
    reporter(crashDir, stateDir, sent).start();
    const dump = rhelDump(crashDir, '127.0.0.1-2026-11-26-12:23:22', kdumpCompressed({ dumpLevel: 1 }));
    await expect.poll(() => sent.length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    expect(sent.every((r) => r.path === dump.dump && r.dump_level === 1)).toBe(true);

    reporters[0].acknowledged({ path: dump.dump, vmcore_id: '3', rejected_reason: '' });
    expect(JSON.parse(fs.readFileSync(ackedFile(stateDir), 'utf8'))).toEqual([dump.dump]);
    // A second dump, never acked, shows the scans going on: every scan that found it came
    // after the ack, and none of them sent the acked one.
    const later = rhelDump(crashDir, '127.0.0.1-2026-11-26-13:00:00', kdumpCompressed({ dumpLevel: 1 }));
    const sendsOf = (list: VmcoreReport[], path: string) => list.filter((r) => r.path === path).length;
    await expect.poll(() => sendsOf(sent, later.dump), { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    expect(sendsOf(sent.slice(sent.findIndex((r) => r.path === later.dump)), dump.dump)).toBe(0);

    await reporters[0].stop();
    const again: VmcoreReport[] = [];
    reporter(crashDir, stateDir, again).streamOpened();
    // After a restart the stream opening sends what is unacked: the later dump, never the acked one.
    await expect.poll(() => sendsOf(again, later.dump), { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    expect(sendsOf(again, dump.dump)).toBe(0);
  });
});
