import { describe, expect, it } from 'vitest';
import { parseModuleEvent, parseModuleEvents } from './module-event';

// Lines copied from the real module's output under QEMU (packages/watch-module/build/*.log).
const DEVICE_HIT =
  'hit seq=2 id=10 realtime_ns=1795687264230127510 boottime_ns=9559043869 cpu=0 paddr=0x20402000 offset=0x0 width=8 old=0x186a1 new=0x186a2 pid=93 comm=sh ip=_raw_spin_unlock_irqrestore+0x19/0x40 src=timer action=report';
const DMESG_HIT =
  '[   52.684968] physwatch: hit seq=39 id=40 realtime_ns=1795687782739564950 boottime_ns=52646884674 cpu=0 paddr=0x20000040 offset=0x0 width=4 old=0x0 new=0x99 pid=3049 comm=sync ip=ksys_sync+0x0/0xa0 src=ftrace action=report';
// Since the module records the bracket: last_old_ns= at the end (6.1 under QEMU, main suite).
const BRACKET_HIT =
  'hit seq=44 id=71 realtime_ns=1796128380854724770 boottime_ns=41234468790 cpu=1 paddr=0x20000058 offset=0x0 width=4 old=0x1 new=0x2 pid=3225 comm=sync ip=ksys_sync+0x0/0xa0 src=ftrace action=report last_old_ns=41214066770';
const DMESG_BRACKET_HIT =
  '[   40.750007] physwatch: hit seq=41 id=70 realtime_ns=1796128380413781390 boottime_ns=40793525910 cpu=1 paddr=0x20000050 offset=0x0 width=8 old=0x0 new=0x1 pid=0 comm=swapper/1 ip=native_safe_halt+0xb/0x10 src=timer action=report last_old_ns=40792502680';
// The seed's MMIO watch loaded with its value already there: no check saw the old value.
const SEED_THERE_HIT =
  '[   49.685825] physwatch: hit seq=1 id=18446744073709551615 realtime_ns=1796128389347574230 boottime_ns=49727261920 cpu=1 paddr=0xfea00080 offset=0x0 width=4 old=0xdeadbeee new=0xdeadbeef pid=3735 comm=insmod ip=0x40f180 src=timer action=stack last_old_ns=0';
const OLD_BRACKET = 'last_old_ns=41214066770';
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
      lastOldNs: null,
    });
  });

  it('reads the bracket of a module that records it', () => {
    expect(parseModuleEvent(BRACKET_HIT)).toEqual({
      kind: 'hit',
      seq: 44n,
      id: 71n,
      realtimeNs: 1796128380854724770n,
      boottimeNs: 41234468790n,
      cpu: 1,
      paddr: 0x20000058n,
      offset: 0,
      width: 4,
      oldValue: 1n,
      newValue: 2n,
      pid: 3225,
      comm: 'sync',
      ip: 'ksys_sync+0x0/0xa0',
      src: 'ftrace',
      action: 'report',
      lastOldNs: 41214066770n,
    });
    expect(parseModuleEvent(DMESG_BRACKET_HIT)).toMatchObject({ seq: 41n, src: 'timer', boottimeNs: 40793525910n, lastOldNs: 40792502680n });
    expect(parseModuleEvent(`physwatch: ${BRACKET_HIT}\n`)).toMatchObject({ seq: 44n, lastOldNs: 41214066770n });
    // The widest bracket the clocks allow, (boottime, boottime], is still the module's.
    expect(parseModuleEvent(BRACKET_HIT.replace(OLD_BRACKET, 'last_old_ns=41234468790'))).toMatchObject({ lastOldNs: 41234468790n });
  });

  it('last_old_ns=0 (no check saw the old value: a seed value already there) is not known', () => {
    expect(parseModuleEvent(SEED_THERE_HIT)).toMatchObject({ id: 18446744073709551615n, oldValue: 0xdeadbeeen, action: 'stack', lastOldNs: null });
  });

  it("an older module's line (no last_old_ns, as in an old vmcore's dmesg) has no bracket", () => {
    expect(parseModuleEvent(DMESG_HIT)).toMatchObject({ seq: 39n, lastOldNs: null });
    expect(parseModuleEvent(SEED_HIT)).toMatchObject({ action: 'panic', lastOldNs: null });
  });

  it('reads overflow and suppressed lines', () => {
    expect(parseModuleEvent('[   59.332203] physwatch: overflow seq=9 lost=4')).toEqual({ kind: 'overflow', seq: 9n, lost: 4n });
    expect(parseModuleEvent('suppressed seq=32 id=7 count=2\n')).toEqual({ kind: 'suppressed', seq: 32n, id: 7n, count: 2n });
  });

  it('a user-space ip prints as hex and is kept as text', () => {
    const line = DEVICE_HIT.replace('ip=_raw_spin_unlock_irqrestore+0x19/0x40', 'ip=0x52a5c4');
    expect(parseModuleEvent(line)).toMatchObject({ ip: '0x52a5c4' });
  });

  it('an ip inside a loadable module keeps its [module] suffix (with a build id too), in every form of the line', () => {
    const inModule = DEVICE_HIT.replace('ip=_raw_spin_unlock_irqrestore+0x19/0x40', 'ip=pw_chain_writer_store+0x0/0x20 [pw_chain_writer]');
    expect(parseModuleEvent(inModule)).toMatchObject({ kind: 'hit', ip: 'pw_chain_writer_store+0x0/0x20 [pw_chain_writer]', src: 'timer' });
    expect(parseModuleEvent(`[   30.516742] physwatch: ${inModule}`)).toMatchObject({ ip: 'pw_chain_writer_store+0x0/0x20 [pw_chain_writer]' });
    const withBuildId = DEVICE_HIT.replace('ip=_raw_spin_unlock_irqrestore+0x19/0x40', 'ip=e1000_clean+0x4c/0x2a0 [e1000 3c2a9f1b7d]');
    expect(parseModuleEvent(withBuildId)).toMatchObject({ ip: 'e1000_clean+0x4c/0x2a0 [e1000 3c2a9f1b7d]' });
    // A bracket that never closes is not the module's suffix: not a line of the module.
    expect(parseModuleEvent(DEVICE_HIT.replace('ip=_raw_spin_unlock_irqrestore+0x19/0x40', 'ip=f+0x0/0x1 [a b c'))).toBeNull();
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
    ['an empty last_old_ns', BRACKET_HIT.replace(OLD_BRACKET, 'last_old_ns=')],
    ['a non-numeric last_old_ns', BRACKET_HIT.replace(OLD_BRACKET, 'last_old_ns=soon')],
    ['a hex last_old_ns (the module prints decimal)', BRACKET_HIT.replace(OLD_BRACKET, 'last_old_ns=0x10')],
    ['a signed last_old_ns', BRACKET_HIT.replace(OLD_BRACKET, 'last_old_ns=-5')],
    ['a last_old_ns past u64', BRACKET_HIT.replace(OLD_BRACKET, 'last_old_ns=18446744073709551616')],
    ['a duplicated last_old_ns', `${BRACKET_HIT} ${OLD_BRACKET}`],
    ['last_old_ns before action', BRACKET_HIT.replace(` action=report ${OLD_BRACKET}`, ` ${OLD_BRACKET} action=report`)],
    ['a key after last_old_ns', `${BRACKET_HIT} src=timer`],
    ['a bracket that closes before it opens', BRACKET_HIT.replace(OLD_BRACKET, 'last_old_ns=41234468791')],
    ['a line torn inside last_old_ns', BRACKET_HIT.slice(0, BRACKET_HIT.length - 'ns=41214066770'.length)],
    ['last_old_ns without its =', BRACKET_HIT.replace(OLD_BRACKET, 'last_old_ns')],
    ['a bracketed line missing a key', BRACKET_HIT.replace(' pid=3225', '')],
  ])('ignores %s', (_name, line) => {
    expect(parseModuleEvent(line)).toBeNull();
  });

  it('pulls the events out of a saved dmesg', () => {
    const dmesg = ['[    0.000000] Linux version 6.1.0', DMESG_HIT, '[   59.332203] physwatch: overflow seq=9 lost=4', DMESG_BRACKET_HIT, SEED_THERE_HIT, 'Kernel panic - not syncing: physwatch: hit seq=1'].join('\n');
    expect(parseModuleEvents(dmesg).map((e) => [e.kind, e.kind === 'hit' ? e.lastOldNs : null])).toEqual([['hit', null], ['overflow', null], ['hit', 40792502680n], ['hit', null]]);
  });
});
