/**
 * Boundary double: /dev/physwatch and /proc/physwatch are plain files in a temp dir here
 * (the real module cannot load in a unit test). What is tested is the agent's side:
 * the exact command lines written, the read-back of /proc after a restart, and event
 * lines turned into hits. The real module is exercised by tests/kernel-chain.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KernelBackendConfig } from '../../config/schema';
import { armSpec, removeTempDirs, tempDir, testLog } from '../../test-support/fixtures';
import type { BackendEvent } from '../watch-backend';
import { KernelBackend } from './kernel-backend';
import { addCommand } from './module-command';
import { parseProcStatus } from './proc-status';

afterEach(removeTempDirs);

// As the module prints them today (budget and cache fields included): the parser takes
// the keys it knows and tolerates the rest.
const HEADER = 'physwatch seq=4 lost=0 watches=1 timer=active budget_ppm=50000 used_ppm=12';
const LINE7 =
  'id=7 state=armed target=paddr=0x20000000 paddr=0x20000000 kind=ram len=1 width=1 cond=equals value=0x33 mask=0xff interval_us=1000 action=report mode=timer cache=coherent polls=12 hits=0 suppressed=0 poll_ns_avg=800 cost_ns=640 share_ppm=0 missed=0 last=0x0 err=none';

function fakeModule(procText: string): KernelBackendConfig {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'dev'), '');
  fs.writeFileSync(path.join(dir, 'proc'), procText);
  // /sys/module/physwatch as a loaded module shows it (MODULE_VERSION and the build's srcversion).
  fs.mkdirSync(path.join(dir, 'sys'));
  fs.writeFileSync(path.join(dir, 'sys', 'version'), '0.1.0\n');
  fs.writeFileSync(path.join(dir, 'sys', 'srcversion'), '5E1F3A0C2B9D8E7F6A5B4C3\n');
  return {
    kind: 'kernel',
    load: 'none',
    device: path.join(dir, 'dev'),
    status: path.join(dir, 'proc'),
    kmsg: path.join(dir, 'kmsg'),
    sysModuleDir: path.join(dir, 'sys'),
    readIntervalMs: 5,
    watchFile: path.join(dir, 'watches.json'),
  };
}

describe('kernel backend (against files standing in for the module)', () => {
  it('writes the exact add line of the module language', () => {
    expect(addCommand(armSpec({ watchId: '7', target: { kind: 'paddr', paddr: 0x20000000n }, width: 1, condition: 'equals', value: 0x33n, intervalUs: 1000 }))).toBe(
      'add id=7 paddr=0x20000000 len=1 width=1 cond=equals value=0x33 interval_us=1000 action=report max_hits=0\n',
    );
    expect(addCommand(armSpec({ watchId: '8', target: { kind: 'symbol', name: 'empty_zero_page', offset: 0x8n }, width: 8, condition: 'mask_equals', value: 0x10n, mask: 0xf0n, maxHits: 3 }))).toMatch(
      /^add id=8 sym=empty_zero_page\+0x8 len=8 width=8 cond=mask_equals value=0x10 mask=0xf0 interval_us=\d+ action=report max_hits=3\n$/,
    );
    expect(addCommand(armSpec({ watchId: '9', condition: 'any_change' }))).not.toMatch(/value=|mask=/);
  });

  it('parses /proc/physwatch, including an err text with spaces', () => {
    const status = parseProcStatus(`${HEADER}\n${LINE7}\n${LINE7.replace('id=7', 'id=8').replace('state=armed', 'state=disarmed').replace('err=none', 'err=disarmed: max_hits reached')}\n`);
    expect(status.seq).toBe(4n);
    expect(status.watches.map((w) => [w.id, w.state, w.err])).toEqual([
      ['7', 'armed', null],
      ['8', 'disarmed', 'disarmed: max_hits reached'],
    ]);
    expect(status.watches[0]).toMatchObject({ resolvedPaddr: 0x20000000n, memoryKind: 'ram', spec: { target: { kind: 'paddr', paddr: 0x20000000n }, condition: 'equals', value: 0x33n, intervalUs: 1000 } });
  });

  it('after a restart, reports what the module holds with the spec it was armed with (max_hits from the state file)', async () => {
    const config = fakeModule(`${HEADER}\n${LINE7}\n`);
    const spec = armSpec({ watchId: '7', target: { kind: 'paddr', paddr: 0x20000000n }, width: 1, condition: 'equals', value: 0x33n, intervalUs: 1000, maxHits: 5 });
    const first = await KernelBackend.open(config, testLog);
    expect(await first.arm(spec)).toEqual({ phase: 'armed', resolvedPaddr: 0x20000000n, memoryKind: 'ram' });
    expect(fs.readFileSync(config.device, 'utf8')).toBe(addCommand(spec));
    await first.close();

    const second = await KernelBackend.open(config, testLog);
    expect(second.armed()).toEqual([{ spec, resolvedPaddr: 0x20000000n, memoryKind: 'ram' }]);
    expect(second.statusLabels()).toEqual({ 'physwatch.module': 'loaded', 'physwatch.module.version': '0.1.0', 'physwatch.module.srcversion': '5E1F3A0C2B9D8E7F6A5B4C3' });
    await second.close();
  });

  it('turns event lines into hits and ignores the seed parameters\' reserved ids', async () => {
    const config = fakeModule(`${HEADER}\n`);
    fs.writeFileSync(
      config.device,
      [
        'hit seq=1 id=18446744073709551614 realtime_ns=1 boottime_ns=2 cpu=1 paddr=0x3310000 offset=0x0 width=1 old=0x0 new=0x33 pid=0 comm=swapper/1 ip=native_safe_halt+0xb/0x10 src=timer action=report',
        'hit seq=2 id=7 realtime_ns=1795687264230127510 boottime_ns=9559043869 cpu=1 paddr=0x20000000 offset=0x0 width=1 old=0x0 new=0x33 pid=93 comm=sh ip=_raw_spin_unlock_irqrestore+0x19/0x40 src=timer action=report',
        'overflow seq=3 lost=4',
        '',
      ].join('\n'),
    );
    const backend = await KernelBackend.open(config, testLog);
    const events: BackendEvent[] = [];
    backend.onEvent((e) => events.push(e));
    // The overflow line is the last one: once it is counted, the lines before it were read.
    await expect.poll(() => backend.lost, { timeout: 5000 }).toBe(4n);
    await backend.close();
    expect(events).toEqual([
      {
        kind: 'hit',
        hit: { watchId: '7', realtimeNs: 1795687264230127510n, boottimeNs: 9559043869n, cpu: 1, paddr: 0x20000000n, offset: 0, width: 1, oldValue: 0n, newValue: 0x33n, pid: 93, comm: 'sh', ip: '_raw_spin_unlock_irqrestore+0x19/0x40', stack: '', action: 'report', moduleSeq: 2n },
      },
    ]);
    expect(backend.lost).toBe(4n);
  });

  it('with no module, the agent keeps running and each watch fails with the reason', async () => {
    const config = { ...fakeModule(''), status: '/nonexistent/physwatch' };
    const backend = await KernelBackend.open(config, testLog);
    expect(backend.statusLabels()).toEqual({ 'physwatch.module': 'unavailable', 'physwatch.module.problem': 'not-loaded' });
    expect(await backend.arm(armSpec({ watchId: '1' }))).toEqual({
      phase: 'failed',
      reason: 'physwatch module unavailable: module not loaded (/nonexistent/physwatch absent) and backend.load is "none"',
    });
    await backend.close();
  });
});
