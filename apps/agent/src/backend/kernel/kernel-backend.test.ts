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
  'id=7 state=armed target=paddr=0x20000000 paddr=0x20000000 kind=ram len=1 width=1 cond=equals value=0x33 mask=0xff interval_us=1000 action=report mode=timer cache=coherent polls=12 hits=0 suppressed=0 poll_ns_avg=800 cost_ns=640 share_ppm=0 missed=31 paced=29 cap_ppm=50000 last=0x0 err=none';

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

  it('writes mode=, funcs=, bar= and rate= as the module grammar has them; no interval_us for mode ftrace', () => {
    expect(addCommand(armSpec({ watchId: '10', mode: 'ftrace', funcs: ['memset', 'clear_page_erms'], intervalUs: 0, rate: 50 }))).toBe(
      'add id=10 paddr=0x1000 len=1 width=1 cond=any_change action=report max_hits=0 rate=50 mode=ftrace funcs=memset,clear_page_erms\n',
    );
    expect(addCommand(armSpec({ watchId: '11', mode: 'both', funcs: ['memset'], intervalUs: 30_000 }))).toBe(
      'add id=11 paddr=0x1000 len=1 width=1 cond=any_change interval_us=30000 action=report max_hits=0 mode=both funcs=memset\n',
    );
    expect(addCommand(armSpec({ watchId: '12', target: { kind: 'pci_bar', device: '0000:00:04.0', bar: 2, offset: 0x20n }, width: 4, len: 4, mask: 0xffff_ffffn }))).toBe(
      'add id=12 bar=0000:00:04.0/2+0x20 len=4 width=4 cond=any_change interval_us=1000 action=report max_hits=0\n',
    );
    expect(addCommand(armSpec({ watchId: '13', target: { kind: 'pci_bar', device: '0000:00:04.0', bar: 0, offset: 0n } }))).toMatch(/ bar=0000:00:04\.0\/0 /);
  });

  it('reads phys_bits from the header (0 when absent), and mode, bar=, poll_ns_avg, missed= and paced= from each watch', () => {
    expect(parseProcStatus(`${HEADER}\n`).physBits).toBe(0);
    expect(parseProcStatus(`${HEADER} phys_bits=40\n`).physBits).toBe(40);
    expect(parseProcStatus(`${HEADER} phys_bits=40 later_field=1\n`).physBits).toBe(40);
    expect(parseProcStatus(`${HEADER} phys_bits=999\n`).physBits).toBe(0);
    const bar = LINE7.replace('id=7', 'id=9').replace('target=paddr=0x20000000', 'target=bar=0000:00:04.0/2+0x20').replace('kind=ram', 'kind=mmio')
      .replace('mode=timer', 'mode=ftrace').replace('interval_us=1000', 'interval_us=0');
    const status = parseProcStatus(`${HEADER} phys_bits=40\n${LINE7}\n${bar}\n`);
    expect(status.watches[0]).toMatchObject({ polling: { nsAvg: 800n, missed: 31n, paced: 29n }, spec: { mode: 'timer' } });
    expect(status.watches[1]).toMatchObject({
      id: '9',
      memoryKind: 'mmio',
      spec: { target: { kind: 'pci_bar', device: '0000:00:04.0', bar: 2, offset: 0x20n }, mode: 'ftrace', intervalUs: 0 },
    });
    // A line from a module before mode=, poll_ns_avg= and paced=: a timer watch, polling not known.
    const old = parseProcStatus(`${HEADER}\n${LINE7.replace(' mode=timer', '').replace(' poll_ns_avg=800', '').replace(' missed=31 paced=29 cap_ppm=50000', '')}\n`);
    expect(old.watches[0]).toMatchObject({ polling: { nsAvg: 0n, missed: 0n, paced: 0n }, spec: { mode: 'timer' } });
  });

  it('writes sentinel= and pattern= for a sentinel target, and no len= (the module refuses it: the pages are the region)', () => {
    expect(addCommand(armSpec({ watchId: '14', target: { kind: 'sentinel', pages: 4, pattern: 0x5a5a5a5an }, width: 4, len: 4 * 4096, mask: 0xffff_ffffn }))).toBe(
      'add id=14 sentinel=4 pattern=0x5a5a5a5a width=4 cond=any_change interval_us=1000 action=report max_hits=0\n',
    );
    expect(addCommand(armSpec({ watchId: '15', target: { kind: 'sentinel', pages: 1, pattern: 0n }, width: 8, len: 4096, condition: 'changes_from', value: 0n }))).toBe(
      'add id=15 sentinel=1 pattern=0x0 width=8 cond=changes_from value=0x0 interval_us=1000 action=report max_hits=0\n',
    );
  });

  it('after a restart, finds a sentinel watch as armed (target=sentinel=N) and does not take it for another', async () => {
    const line = LINE7.replace('id=7', 'id=14').replace('target=paddr=0x20000000 paddr=0x20000000', 'target=sentinel=4 paddr=0x3f2a000').replace('len=1 width=1', 'len=16384 width=4')
      .replace('cond=equals value=0x33 mask=0xff', 'cond=any_change value=0x0 mask=0xffffffff').replace('last=0x0', 'last=0x5a5a5a5a');
    const config = fakeModule(`${HEADER}\n${line}\n`);
    const spec = armSpec({ watchId: '14', target: { kind: 'sentinel', pages: 4, pattern: 0x5a5a5a5an }, width: 4, len: 16384, mask: 0xffff_ffffn });
    const first = await KernelBackend.open(config, testLog);
    expect(await first.arm(spec)).toMatchObject({ phase: 'armed', resolvedPaddr: 0x3f2a000n, memoryKind: 'ram' });
    expect(fs.readFileSync(config.device, 'utf8')).toBe(addCommand(spec));
    await first.close();

    const second = await KernelBackend.open(config, testLog);
    expect(second.armed().map((w) => w.spec)).toEqual([spec]);
    await second.close();
    // Without the state file the pattern is read from the first word (last=), which is the fill.
    fs.rmSync(config.watchFile);
    const third = await KernelBackend.open(config, testLog);
    expect(third.armed().map((w) => w.spec)).toEqual([{ ...spec, maxHits: null }]);
    await third.close();
    // A different page count is a different watch: the reconciler re-adds it.
    fs.writeFileSync(config.status, `${HEADER}\n${line.replace('sentinel=4', 'sentinel=2')}\n`);
    const fourth = await KernelBackend.open(config, testLog);
    expect(fourth.armed().map((w) => w.spec.target)).toEqual([{ kind: 'sentinel', pages: 2, pattern: 0x5a5a5a5an }]);
    await fourth.close();
  });

  it('advertises every mode, pci_bar targets and the module\'s phys_bits; refuses a paddr beyond them before writing', async () => {
    const config = fakeModule(`${HEADER} phys_bits=40\n${LINE7}\n`);
    const backend = await KernelBackend.open(config, testLog);
    expect(backend.capabilities).toMatchObject({ modes: ['timer', 'ftrace', 'both'], targetKinds: ['paddr', 'symbol', 'pci_bar', 'sentinel'], physAddrBits: 40 });
    expect(await backend.arm(armSpec({ watchId: '20', target: { kind: 'paddr', paddr: 0x100_0000_0000n }, width: 8, len: 8, mask: (1n << 64n) - 1n }))).toEqual({
      phase: 'failed',
      reason: "paddr 0x10000000000 is beyond this host's 40 physical address bits (phys_bits in /proc/physwatch)",
    });
    expect(await backend.arm(armSpec({ watchId: '21', target: { kind: 'paddr', paddr: 0xff_ffff_f000n }, width: 8, len: 4096 + 8, mask: (1n << 64n) - 1n }))).toMatchObject({
      reason: "paddr 0xfffffff000 + len 4104 is beyond this host's 40 physical address bits (phys_bits in /proc/physwatch)",
    });
    expect(fs.readFileSync(config.device, 'utf8')).toBe('');
    // Within the width it goes to the module; the stand-in lists watch 7 only.
    expect(await backend.arm(armSpec({ watchId: '7', target: { kind: 'paddr', paddr: 0x20000000n }, condition: 'equals', value: 0x33n }))).toEqual({ phase: 'armed', resolvedPaddr: 0x20000000n, memoryKind: 'ram', polling: { nsAvg: 800n, missed: 31n, paced: 29n } });
    await backend.close();
  });

  it('with a module that does not state phys_bits, leaves the bound to the module and advertises 0', async () => {
    const backend = await KernelBackend.open(fakeModule(`${HEADER}\n`), testLog);
    expect(backend.capabilities.physAddrBits).toBe(0);
    await backend.close();
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
    expect(await first.arm(spec)).toEqual({ phase: 'armed', resolvedPaddr: 0x20000000n, memoryKind: 'ram', polling: { nsAvg: 800n, missed: 31n, paced: 29n } });
    expect(fs.readFileSync(config.device, 'utf8')).toBe(addCommand(spec));
    await first.close();

    const second = await KernelBackend.open(config, testLog);
    expect(second.armed()).toEqual([{ spec, resolvedPaddr: 0x20000000n, memoryKind: 'ram', polling: { nsAvg: 800n, missed: 31n, paced: 29n } }]);
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
        hit: { watchId: '7', realtimeNs: 1795687264230127510n, boottimeNs: 9559043869n, cpu: 1, paddr: 0x20000000n, offset: 0, width: 1, oldValue: 0n, newValue: 0x33n, pid: 93, comm: 'sh', ip: '_raw_spin_unlock_irqrestore+0x19/0x40', stack: [], action: 'report', moduleSeq: 2n, lastOldBoottimeNs: null, writer: null, writerReason: null, smiCount: null },
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
