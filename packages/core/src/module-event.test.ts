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
// Since the module says who wrote (issue 13): writer=, writer_why= when unknown, smi=, stack=.
const STACK = 'stack=pw_chain_writer_store+0x1a/0x40[pw_chain_writer],kernfs_fop_write_iter+0x11d/0x1c0,vfs_write+0x2b4/0x3e0,ksys_write.cold+0x6a/0xf0,0xffffffffc0a1b2c3';
const CPU_HIT = `${BRACKET_HIT.replace('ip=ksys_sync+0x0/0xa0 src=ftrace', 'ip=pw_chain_writer_store+0x1a/0x40 [pw_chain_writer] src=timer')} writer=cpu smi=2 ${STACK}`;
const NO_CPU_HIT = `${BRACKET_HIT} writer=no_cpu_via_kernel_map smi=0`;
const UNKNOWN_HIT = `${BRACKET_HIT} writer=unknown writer_why=no_slot smi=-`;
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
      writer: null,
      writerReason: null,
      smiCount: null,
      stack: [],
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
      writer: null,
      writerReason: null,
      smiCount: null,
      stack: [],
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

  it('reads who wrote: the writing CPU with its stack, the SMIs in the bracket', () => {
    expect(parseModuleEvent(CPU_HIT)).toMatchObject({
      seq: 44n,
      cpu: 1,
      pid: 3225,
      ip: 'pw_chain_writer_store+0x1a/0x40 [pw_chain_writer]',
      lastOldNs: 41214066770n,
      writer: 'cpu',
      writerReason: null,
      smiCount: 2n,
      stack: ['pw_chain_writer_store+0x1a/0x40[pw_chain_writer]', 'kernfs_fop_write_iter+0x11d/0x1c0', 'vfs_write+0x2b4/0x3e0', 'ksys_write.cold+0x6a/0xf0', '0xffffffffc0a1b2c3'],
    });
    expect(parseModuleEvent(`[   30.516742] physwatch: ${CPU_HIT}`)).toMatchObject({ writer: 'cpu', smiCount: 2n, stack: expect.arrayContaining(['vfs_write+0x2b4/0x3e0']) });
    expect(parseModuleEvent(`${CPU_HIT.replace(` ${STACK}`, '')}\n`)).toMatchObject({ writer: 'cpu', smiCount: 2n, stack: [] });
    expect(parseModuleEvent(CPU_HIT.replace('smi=2', 'smi=18446744073709551615'))).toMatchObject({ smiCount: 18446744073709551615n });
    const deepest = `stack=${Array.from({ length: 24 }, (_, i) => `f${i}+0x0/0x10`).join(',')}`;
    const deep = parseModuleEvent(CPU_HIT.replace(STACK, deepest));
    expect(deep?.kind === 'hit' ? deep.stack : null).toHaveLength(24);
  });

  it('reads a change no CPU made through the kernel map, with no SMI in the bracket', () => {
    expect(parseModuleEvent(NO_CPU_HIT)).toMatchObject({ seq: 44n, writer: 'no_cpu_via_kernel_map', writerReason: null, smiCount: 0n, stack: [] });
  });

  it('reads why the writer is not known, and an SMI count that is not', () => {
    expect(parseModuleEvent(UNKNOWN_HIT)).toMatchObject({ writer: 'unknown', writerReason: 'no_slot', smiCount: null, stack: [] });
    for (const why of ['region_too_wide', 'mmio', 'unsupported', 'off', 'ftrace', 'error_16', 'a_newer_reason_2']) {
      expect(parseModuleEvent(UNKNOWN_HIT.replace('writer_why=no_slot', `writer_why=${why}`))).toMatchObject({ writer: 'unknown', writerReason: why });
    }
    // action=stack: the interrupted context's stack, whoever wrote.
    expect(parseModuleEvent(`${UNKNOWN_HIT.replace('action=report', 'action=stack')} stack=native_safe_halt+0xb/0x10`)).toMatchObject({
      action: 'stack', writer: 'unknown', stack: ['native_safe_halt+0xb/0x10'],
    });
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
    ['writer without smi', `${BRACKET_HIT} writer=cpu`],
    ['smi without writer', `${BRACKET_HIT} smi=1`],
    ['writer without last_old_ns', `${DEVICE_HIT} writer=cpu smi=1`],
    ['writer after smi', `${BRACKET_HIT} smi=1 writer=cpu`],
    ['stack before smi', `${BRACKET_HIT} writer=cpu ${STACK} smi=1`],
    ['writer_why after smi', `${BRACKET_HIT} writer=unknown smi=1 writer_why=mmio`],
    ['a stack alone', `${BRACKET_HIT} ${STACK}`],
    ['a key after stack', `${CPU_HIT} smi=1`],
    ['a duplicated writer', `${BRACKET_HIT} writer=cpu writer=cpu smi=1`],
    ['an unknown writer', NO_CPU_HIT.replace('writer=no_cpu_via_kernel_map', 'writer=dma')],
    ['an upper-case writer', NO_CPU_HIT.replace('writer=no_cpu_via_kernel_map', 'writer=CPU')],
    ['an empty writer', NO_CPU_HIT.replace('writer=no_cpu_via_kernel_map', 'writer=')],
    ['writer=unknown without a reason', `${BRACKET_HIT} writer=unknown smi=-`],
    ['a reason for a writer that is known', `${BRACKET_HIT} writer=cpu writer_why=no_slot smi=1`],
    ['an empty reason', UNKNOWN_HIT.replace('writer_why=no_slot', 'writer_why=')],
    ['a reason of 33 characters', UNKNOWN_HIT.replace('writer_why=no_slot', `writer_why=${'r'.repeat(33)}`)],
    ['an upper-case reason', UNKNOWN_HIT.replace('writer_why=no_slot', 'writer_why=NO_SLOT')],
    ['a reason with a dash', UNKNOWN_HIT.replace('writer_why=no_slot', 'writer_why=no-slot')],
    ['error_ without an errno', UNKNOWN_HIT.replace('writer_why=no_slot', 'writer_why=error_')],
    ['a negative errno', UNKNOWN_HIT.replace('writer_why=no_slot', 'writer_why=error_-16')],
    ['errno 0', UNKNOWN_HIT.replace('writer_why=no_slot', 'writer_why=error_0')],
    ['a named errno', UNKNOWN_HIT.replace('writer_why=no_slot', 'writer_why=error_ebusy')],
    ['an empty smi', NO_CPU_HIT.replace('smi=0', 'smi=')],
    ['a hex smi', NO_CPU_HIT.replace('smi=0', 'smi=0x1')],
    ['a signed smi', NO_CPU_HIT.replace('smi=0', 'smi=-1')],
    ['smi past u64', NO_CPU_HIT.replace('smi=0', 'smi=18446744073709551616')],
    ['smi as a word', NO_CPU_HIT.replace('smi=0', 'smi=none')],
    ['an empty stack', `${NO_CPU_HIT} stack=`],
    ['a stack with an empty frame', CPU_HIT.replace(',vfs_write', ',,vfs_write')],
    ['a stack ending in a comma', `${CPU_HIT},`],
    ['a frame without its length', CPU_HIT.replace('vfs_write+0x2b4/0x3e0', 'vfs_write+0x2b4')],
    ['a frame in decimal', CPU_HIT.replace('vfs_write+0x2b4/0x3e0', 'vfs_write+692/992')],
    ['a module bracket that never closes', CPU_HIT.replace('[pw_chain_writer],', '[pw_chain_writer,')],
    ['a frame\'s module bracket with a space (the build id: the module drops it)', CPU_HIT.replace(STACK, STACK.replace('[pw_chain_writer]', '[pw_chain_writer 3c2a9f1b7d]'))],
    ['a bare address without 0x', CPU_HIT.replace('0xffffffffc0a1b2c3', 'ffffffffc0a1b2c3')],
    ['a frame of other characters', CPU_HIT.replace('vfs_write+0x2b4/0x3e0', '<script>+0x1/0x2')],
    ['25 frames', CPU_HIT.replace(STACK, `stack=${Array.from({ length: 25 }, (_, i) => `f${i}+0x0/0x10`).join(',')}`)],
    ['a line torn inside a frame', CPU_HIT.slice(0, CPU_HIT.indexOf('/0x3e0'))],
    ['a line torn inside writer', `${BRACKET_HIT} writer=cp`],
  ])('ignores %s', (_name, line) => {
    expect(parseModuleEvent(line)).toBeNull();
  });

  it('pulls the events out of a saved dmesg', () => {
    const dmesg = [
      '[    0.000000] Linux version 6.1.0',
      DMESG_HIT,
      '[   59.332203] physwatch: overflow seq=9 lost=4',
      DMESG_BRACKET_HIT,
      SEED_THERE_HIT,
      `[   60.100000] physwatch: ${CPU_HIT}`,
      `[   60.200000] physwatch: ${UNKNOWN_HIT}`,
      'Kernel panic - not syncing: physwatch: hit seq=1',
    ].join('\n');
    expect(parseModuleEvents(dmesg).map((e) => [e.kind, e.kind === 'hit' ? e.lastOldNs : null, e.kind === 'hit' ? e.writer : null])).toEqual([
      ['hit', null, null],
      ['overflow', null, null],
      ['hit', 40792502680n, null],
      ['hit', null, null],
      ['hit', 41214066770n, 'cpu'],
      ['hit', 41214066770n, 'unknown'],
    ]);
  });
});
