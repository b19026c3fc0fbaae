import { describe, expect, it } from 'vitest';
import { parseModuleEvent, parseModuleEvents } from './module-event';

// Lines copied from the real module's output under QEMU (packages/watch-module/build/*.log).
const DEVICE_HIT =
  'hit seq=2 id=10 realtime_ns=1795687264230127510 boottime_ns=9559043869 cpu=0 paddr=0x20402000 offset=0x0 width=8 old=0x186a1 new=0x186a2 pid=93 comm=sh ip=_raw_spin_unlock_irqrestore+0x19/0x40 src=timer action=report';
const DMESG_HIT =
  '[   52.684968] physwatch: hit seq=39 id=40 realtime_ns=1795687782739564950 boottime_ns=52646884674 cpu=0 paddr=0x20000040 offset=0x0 width=4 old=0x0 new=0x99 pid=3049 comm=sync ip=ksys_sync+0x0/0xa0 src=ftrace action=report';
const SEED_HIT =
  'physwatch: hit seq=1 id=18446744073709551614 realtime_ns=1795685933405822180 boottime_ns=8548211100 cpu=1 paddr=0x3310000 offset=0x0 width=1 old=0x0 new=0x33 pid=0 comm=swapper/1 ip=native_safe_halt+0xb/0x10 src=timer action=panic';

describe('parseModuleEvent', () => {
  it('reads a hit as /dev/physwatch gives it', () => {
    expect(parseModuleEvent(DEVICE_HIT)).toEqual({
      kind: 'hit',
      seq: 2n,
      id: 10n,
      realtimeNs: 1795687264230127510n,
      boottimeNs: 9559043869n,
      cpu: 0,
      paddr: 0x20402000n,
      offset: 0,
      width: 8,
      oldValue: 0x186a1n,
      newValue: 0x186a2n,
      pid: 93,
      comm: 'sh',
      ip: '_raw_spin_unlock_irqrestore+0x19/0x40',
      src: 'timer',
      action: 'report',
    });
  });

  it('reads the kernel-log forms (dmesg timestamp, pr_fmt prefix) of a vmcore or /dev/kmsg', () => {
    expect(parseModuleEvent(DMESG_HIT)).toMatchObject({ kind: 'hit', seq: 39n, id: 40n, src: 'ftrace', ip: 'ksys_sync+0x0/0xa0', width: 4, newValue: 0x99n });
    expect(parseModuleEvent(SEED_HIT)).toMatchObject({ id: 18446744073709551614n, comm: 'swapper/1', action: 'panic', newValue: 0x33n });
  });

  it('reads overflow and suppressed lines', () => {
    expect(parseModuleEvent('[   59.332203] physwatch: overflow seq=9 lost=4')).toEqual({ kind: 'overflow', seq: 9n, lost: 4n });
    expect(parseModuleEvent('suppressed seq=32 id=7 count=2\n')).toEqual({ kind: 'suppressed', seq: 32n, id: 7n, count: 2n });
  });

  it('a user-space ip prints as hex and is kept as text', () => {
    const line = DEVICE_HIT.replace('ip=_raw_spin_unlock_irqrestore+0x19/0x40', 'ip=0x52a5c4');
    expect(parseModuleEvent(line)).toMatchObject({ ip: '0x52a5c4' });
  });

  it.each([
    ['a command error', 'physwatch: bad command: key=frob: unknown command (add, del, clear)'],
    ['an arm failure', '[   10.303553] physwatch: add id=1 sym=no_such_symbol_either+0x0: symbol not found (-2)'],
    ['the hang notice', 'physwatch: hang: hit seq=1 id=3'],
    ['a torn line', DEVICE_HIT.slice(0, 120)],
    ['a missing key', DEVICE_HIT.replace(' cpu=0', '')],
    ['keys out of order', DEVICE_HIT.replace('cpu=0 paddr=0x20402000', 'paddr=0x20402000 cpu=0')],
    ['a bad width', DEVICE_HIT.replace('width=8', 'width=3')],
    ['a bad action', DEVICE_HIT.replace('action=report', 'action=explode')],
    ['a non-number', 'overflow seq=9 lost=many'],
    ['another module', '[    1.0] other: hit seq=1'],
  ])('ignores %s', (_name, line) => {
    expect(parseModuleEvent(line)).toBeNull();
  });

  it('pulls the events out of a saved dmesg', () => {
    const dmesg = ['[    0.000000] Linux version 6.1.0', DMESG_HIT, '[   59.332203] physwatch: overflow seq=9 lost=4', 'Kernel panic - not syncing: physwatch: hit seq=1'].join('\n');
    expect(parseModuleEvents(dmesg).map((e) => e.kind)).toEqual(['hit', 'overflow']);
  });
});
