import { describe, expect, it } from 'vitest';
import { recoverHits } from './recovered-hits';

// Captured from the real module under QEMU (packages/core/src/module-event.test.ts and the
// kernel chain's guest log): two orchestrator watches, a seed-parameter watch, and noise.
const CAPTURED_DMESG = [
  '[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org)',
  '[   32.057682] physwatch: hit seq=1 id=1 realtime_ns=1795695924997578860 boottime_ns=32038470447 cpu=1 paddr=0x20000100 offset=0x0 width=4 old=0x0 new=0xdeadbeef pid=0 comm=swapper/1 ip=native_safe_halt+0xb/0x10 src=timer action=report',
  '[   52.684968] physwatch: hit seq=39 id=40 realtime_ns=1795687782739564950 boottime_ns=52646884674 cpu=0 paddr=0x20000040 offset=0x0 width=4 old=0x0 new=0x99 pid=3049 comm=sync ip=ksys_sync+0x0/0xa0 src=ftrace action=panic',
  'physwatch: hit seq=1 id=18446744073709551614 realtime_ns=1795685933405822180 boottime_ns=8548211100 cpu=1 paddr=0x3310000 offset=0x0 width=1 old=0x0 new=0x33 pid=0 comm=swapper/1 ip=native_safe_halt+0xb/0x10 src=timer action=panic',
  '[   59.332203] physwatch: overflow seq=9 lost=4',
  '[   10.303553] physwatch: add id=1 sym=no_such_symbol_either+0x0: symbol not found (-2)',
  '[   52.685100] Kernel panic - not syncing: physwatch: hit seq=39 id=40 paddr=0x20000040 old=0x0 new=0x99',
  '',
].join('\n');

describe('hits recovered from a crashed kernel\'s dmesg', () => {
  it('are exactly the orchestrator watches\' hit lines, seq 0, module_seq from the line', () => {
    expect(recoverHits(CAPTURED_DMESG)).toEqual([
      {
        seq: '0',
        module_seq: '1',
        watch_id: '1',
        realtime_ns: '1795695924997578860',
        boottime_ns: '32038470447',
        cpu: 1,
        paddr: String(0x20000100),
        offset: 0,
        width: 4,
        old_value: '0',
        new_value: String(0xdeadbeef),
        pid: 0,
        comm: 'swapper/1',
        ip: 'native_safe_halt+0xb/0x10',
        stack: '',
        action: 'ACTION_REPORT',
        // A line of a module older than last_old_ns=: no bracket known, proto3's 0.
        last_old_boottime_ns: '0',
        // Nor who wrote, nor the SMIs.
        writer: 'WRITER_UNSPECIFIED',
        writer_reason: '',
        smi_count: '-1',
      },
      {
        seq: '0',
        module_seq: '39',
        watch_id: '40',
        realtime_ns: '1795687782739564950',
        boottime_ns: '52646884674',
        cpu: 0,
        paddr: String(0x20000040),
        offset: 0,
        width: 4,
        old_value: '0',
        new_value: String(0x99),
        pid: 3049,
        comm: 'sync',
        ip: 'ksys_sync+0x0/0xa0',
        stack: '',
        action: 'ACTION_PANIC',
        last_old_boottime_ns: '0',
        writer: 'WRITER_UNSPECIFIED',
        writer_reason: '',
        smi_count: '-1',
      },
    ]);
  });

  it('carry the bracket of a line that has last_old_ns=', () => {
    const line =
      '[   41.120001] physwatch: hit seq=7 id=12 realtime_ns=1795695933997578860 boottime_ns=41038470447 cpu=0 paddr=0x20000100 offset=0x0 width=4 old=0x0 new=0x33 pid=0 comm=swapper/0 ip=native_safe_halt+0xb/0x10 src=timer action=panic last_old_ns=41008670447';
    expect(recoverHits(`${line}\n`)).toEqual([
      expect.objectContaining({ seq: '0', module_seq: '7', watch_id: '12', boottime_ns: '41038470447', last_old_boottime_ns: '41008670447', action: 'ACTION_PANIC' }),
    ]);
  });

  it('carry who wrote, the SMIs and the writer\'s stack of a line that has them', () => {
    const line =
      '[   41.120001] physwatch: hit seq=8 id=12 realtime_ns=1795695933997578860 boottime_ns=41038470447 cpu=1 paddr=0x20000100 offset=0x0 width=4 old=0x0 new=0x33 pid=3225 comm=sh ip=pw_chain_writer_store+0x1a/0x40 [pw_chain_writer] src=timer action=panic last_old_ns=41008670447 writer=cpu smi=1 stack=pw_chain_writer_store+0x1a/0x40[pw_chain_writer],vfs_write+0x2b4/0x3e0';
    const unknown =
      '[   41.220001] physwatch: hit seq=9 id=13 realtime_ns=1795695934097578860 boottime_ns=41138470447 cpu=0 paddr=0xfea00080 offset=0x0 width=4 old=0x0 new=0x33 pid=0 comm=swapper/0 ip=native_safe_halt+0xb/0x10 src=timer action=panic last_old_ns=41108670447 writer=unknown writer_why=mmio smi=-';
    expect(recoverHits(`${line}\n${unknown}\n`)).toEqual([
      expect.objectContaining({
        module_seq: '8', pid: 3225, ip: 'pw_chain_writer_store+0x1a/0x40 [pw_chain_writer]', writer: 'WRITER_CPU', writer_reason: '', smi_count: '1',
        stack: 'pw_chain_writer_store+0x1a/0x40[pw_chain_writer]\nvfs_write+0x2b4/0x3e0',
      }),
      expect.objectContaining({ module_seq: '9', writer: 'WRITER_UNKNOWN', writer_reason: 'mmio', smi_count: '-1', stack: '' }),
    ]);
  });

  it('are none in a dmesg without module hits', () => {
    expect(recoverHits('[    4.178935] Kernel panic - not syncing: sysrq triggered crash\n')).toEqual([]);
  });
});
