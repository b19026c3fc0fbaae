import { describe, expect, it } from 'vitest';
import {
  AGENT_LIMITS,
  crashReplyProblems,
  describeProblems,
  heartbeatProblems,
  helloProblems,
  hitProblems,
  labelsProblems,
  Problems,
  vmcoreReportProblems,
  watchStatesProblems,
  WireHit,
} from './agent-limits';

const hello = {
  host_id: 'h1',
  boot_id: '6f1d6a3e-1b7e-4d1a-9a53-7c1c2f0e9b10',
  hostname: 'h1.example',
  kernel_release: '6.1.0',
  arch: 'x86_64',
  agent_version: '0.1.0',
  labels: { rack: 'r12' },
  capabilities: { backend: 'simulated', max_watches: 64, min_interval_us: '1000', max_region_len: 4096 },
  kdump: { policy_source: '/etc/physwatch/agent.json' },
};

const hit: WireHit = {
  seq: '1',
  watch_id: '7',
  realtime_ns: '1764547200000000000',
  boottime_ns: '5000',
  cpu: 3,
  paddr: '4096',
  offset: 0,
  width: 8,
  old_value: '0',
  new_value: '18446744073709551615',
  pid: 42,
  comm: 'kworker/0:1',
  ip: 'memset+0x10/0x40',
  stack: '',
  action: 'ACTION_REPORT',
  module_seq: '0',
  last_old_boottime_ns: '0',
  writer: 'WRITER_UNSPECIFIED',
  writer_reason: '',
  smi_count: '-1',
};

const fields = (problems: Problems) => problems.map((p) => p.field);

describe('helloProblems', () => {
  it('accepts a real Hello', () => {
    expect(helloProblems(hello)).toEqual([]);
  });

  it('names each bad field at its boundary', () => {
    expect(helloProblems({ ...hello, host_id: 'a'.repeat(128) })).toEqual([]);
    expect(describeProblems(helloProblems({ ...hello, host_id: 'a'.repeat(129) }))).toBe('Hello.host_id: is 129 characters, more than 128');
    expect(describeProblems(helloProblems({ ...hello, host_id: 'has space' }))).toMatch(/^Hello.host_id: "has space" is not a host id/);
    expect(describeProblems(helloProblems({ ...hello, host_id: '' }))).toBe('Hello.host_id: is empty');
    expect(helloProblems({ ...hello, boot_id: 'b'.repeat(128) })).toEqual([]);
    expect(describeProblems(helloProblems({ ...hello, boot_id: 'b'.repeat(129) }))).toBe('Hello.boot_id: is 129 characters, more than 128');
    expect(describeProblems(helloProblems({ ...hello, boot_id: 'b\u0000' }))).toBe('Hello.boot_id: contains a NUL byte');
    expect(describeProblems(helloProblems({ ...hello, boot_id: 'b\tc' }))).toMatch(/Hello.boot_id: "b\\tc" is not a boot id/);
    expect(helloProblems({ ...hello, hostname: 'x'.repeat(255) })).toEqual([]);
    expect(fields(helloProblems({ ...hello, hostname: 'x'.repeat(256) }))).toEqual(['Hello.hostname']);
    expect(fields(helloProblems({ ...hello, kernel_release: '6.1\u0000' }))).toEqual(['Hello.kernel_release']);
    expect(fields(helloProblems({ ...hello, capabilities: { ...hello.capabilities, max_watches: 2 ** 31 } }))).toEqual(['Hello.capabilities.max_watches']);
    expect(helloProblems({ ...hello, capabilities: { ...hello.capabilities, max_watches: 2 ** 31 - 1 } })).toEqual([]);
    expect(fields(helloProblems({ ...hello, spooled_boot_ids: ['ok', ''] }))).toEqual(['Hello.spooled_boot_ids[1]']);
  });

  it('lists every bad field at once, and keeps the description short whatever was sent', () => {
    expect(fields(helloProblems({ ...hello, host_id: '', boot_id: '', arch: 'a'.repeat(65) }))).toEqual(['Hello.host_id', 'Hello.boot_id', 'Hello.arch']);
    const bad = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`-k${i}`, 'v']));
    const text = describeProblems(helloProblems({ ...hello, labels: bad }));
    expect(text.split('; ')).toHaveLength(21);
    expect(text).toMatch(/; and 10 more$/);
    expect(helloProblems({ ...hello, labels: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`-k${i}`, 'v'])) })).toEqual([
      { field: 'Hello.labels', reason: '10000 labels, more than 256' },
    ]);
  });
});

describe('labelsProblems', () => {
  const check = (labels: Record<string, string>) => {
    const out: Problems = [];
    labelsProblems(out, 'labels', labels);
    return out;
  };

  it('limits the count, key and value sizes and their characters', () => {
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    expect(check(many(AGENT_LIMITS.labels))).toEqual([]);
    expect(describeProblems(check(many(AGENT_LIMITS.labels + 1)))).toBe('labels: 257 labels, more than 256');
    expect(check({ ['k'.repeat(128)]: 'v' })).toEqual([]);
    expect(check({ ['k'.repeat(129)]: 'v' })[0].reason).toBe('key is 129 characters, more than 128');
    expect(check({ k: 'v'.repeat(256) })).toEqual([]);
    expect(check({ k: 'v'.repeat(257) })[0].reason).toBe('value is 257 characters, more than 256');
    expect(check({ 'bad key': 'v' })[0]).toEqual({ field: 'labels["bad key"]', reason: 'not a label key (letters, digits, "._/-", alphanumeric at both ends)' });
    expect(check({ k: 'a\u0000b' })).toHaveLength(1);
    expect(check({ k: 'a=b' })).toHaveLength(1);
  });
});

describe('hitProblems', () => {
  it('accepts every value at the edge of its column', () => {
    expect(hitProblems(hit, 'hits[0]')).toEqual([]);
    expect(hitProblems({ ...hit, seq: '9223372036854775807', cpu: 2 ** 31 - 1, pid: -(2 ** 31), realtime_ns: '-9223372036854775808' }, 'h')).toEqual([]);
  });

  it('names each value beyond its column', () => {
    expect(describeProblems(hitProblems({ ...hit, old_value: '18446744073709551616' }, 'hits[3]'))).toBe('hits[3].old_value: 18446744073709551616 is beyond u64');
    expect(describeProblems(hitProblems({ ...hit, seq: '9223372036854775808' }, 'hits[0]'))).toBe(
      'hits[0].seq: 9223372036854775808 is out of range for a positive bigint (1 to 9223372036854775807)',
    );
    expect(fields(hitProblems({ ...hit, seq: '0' }, 'h'))).toEqual(['h.seq']);
    expect(fields(hitProblems({ ...hit, watch_id: '0' }, 'h'))).toEqual(['h.watch_id']);
    expect(describeProblems(hitProblems({ ...hit, cpu: 2 ** 31 }, 'h'))).toBe('h.cpu: 2147483648 is out of range (0 to 2147483647)');
    expect(fields(hitProblems({ ...hit, offset: -1 }, 'h'))).toEqual(['h.offset']);
    expect(describeProblems(hitProblems({ ...hit, width: 3 }, 'h'))).toBe('h.width: 3 is not a width (1, 2, 4 or 8)');
    expect(fields(hitProblems({ ...hit, paddr: 'x' }, 'h'))).toEqual(['h.paddr']);
  });

  it('names NUL bytes and oversize strings', () => {
    expect(describeProblems(hitProblems({ ...hit, comm: 'sh\u0000' }, 'hits[1]'))).toBe('hits[1].comm: contains a NUL byte');
    expect(hitProblems({ ...hit, comm: 'c'.repeat(AGENT_LIMITS.commLength) }, 'h')).toEqual([]);
    expect(fields(hitProblems({ ...hit, comm: 'c'.repeat(AGENT_LIMITS.commLength + 1) }, 'h'))).toEqual(['h.comm']);
    expect(hitProblems({ ...hit, stack: 's'.repeat(AGENT_LIMITS.stackLength) }, 'h')).toEqual([]);
    expect(describeProblems(hitProblems({ ...hit, stack: 's'.repeat(AGENT_LIMITS.stackLength + 1) }, 'h'))).toBe('h.stack: is 32769 characters, more than 32768');
  });

  it('a bracket: last_old_boottime_ns at or before boottime_ns, 0 for not known', () => {
    expect(hitProblems({ ...hit, last_old_boottime_ns: '4000' }, 'h')).toEqual([]);
    expect(hitProblems({ ...hit, last_old_boottime_ns: '5000' }, 'h')).toEqual([]);
    expect(describeProblems(hitProblems({ ...hit, last_old_boottime_ns: '5001' }, 'hits[2]'))).toBe(
      'hits[2].last_old_boottime_ns: 5001 is after boottime_ns 5000: the old value cannot be seen after the new one',
    );
    expect(fields(hitProblems({ ...hit, last_old_boottime_ns: '9223372036854775808', boottime_ns: '18446744073709551615' }, 'h'))).toEqual(['h.last_old_boottime_ns']);
    expect(fields(hitProblems({ ...hit, last_old_boottime_ns: '1', boottime_ns: '18446744073709551615' }, 'h'))).toEqual(['h.last_old_boottime_ns']);
    expect(fields(hitProblems({ ...hit, last_old_boottime_ns: '-1' }, 'h'))).toEqual(['h.last_old_boottime_ns']);
    expect(hitProblems({ ...hit, last_old_boottime_ns: '0', boottime_ns: '18446744073709551615' }, 'h')).toEqual([]);
  });

  it('a stack of at most 64 lines', () => {
    const frames = (n: number) => Array.from({ length: n }, (_, i) => `f${i}+0x0/0x10`).join('\n');
    expect(hitProblems({ ...hit, writer: 'WRITER_CPU', stack: frames(AGENT_LIMITS.stackFrames) }, 'h')).toEqual([]);
    expect(describeProblems(hitProblems({ ...hit, stack: frames(AGENT_LIMITS.stackFrames + 1) }, 'hits[4]'))).toBe('hits[4].stack: 65 lines, more than 64');
    // Too long is said once, not as too many lines too.
    expect(describeProblems(hitProblems({ ...hit, stack: 'frame\n'.repeat(6000) }, 'h'))).toBe('h.stack: is 36000 characters, more than 32768');
  });

  it('a writer the proto names, a reason of one token for WRITER_UNKNOWN only, an SMI count or -1', () => {
    for (const writer of ['WRITER_UNSPECIFIED', 'WRITER_CPU', 'WRITER_NO_CPU_VIA_KERNEL_MAP']) expect(hitProblems({ ...hit, writer, smi_count: '3' }, 'h')).toEqual([]);
    for (const reason of ['no_slot', 'error_16', 'x'.repeat(32), '']) expect(hitProblems({ ...hit, writer: 'WRITER_UNKNOWN', writer_reason: reason }, 'h')).toEqual([]);
    expect(hitProblems({ ...hit, smi_count: '9223372036854775807' }, 'h')).toEqual([]);
    expect(describeProblems(hitProblems({ ...hit, writer: 'WRITER_DMA' }, 'hits[1]'))).toBe(
      'hits[1].writer: "WRITER_DMA" is not a writer (WRITER_UNSPECIFIED, WRITER_CPU, WRITER_NO_CPU_VIA_KERNEL_MAP, WRITER_UNKNOWN)',
    );
    // A number the proto does not name, as proto-loader gives it; and no prototype key is a writer.
    expect(fields(hitProblems({ ...hit, writer: 7 }, 'h'))).toEqual(['h.writer']);
    expect(fields(hitProblems({ ...hit, writer: 'constructor' }, 'h'))).toEqual(['h.writer']);
    expect(describeProblems(hitProblems({ ...hit, writer: 'WRITER_UNKNOWN', writer_reason: 'no slot; drop table' }, 'hits[2]'))).toBe(
      'hits[2].writer_reason: "no slot; drop table" is not a reason (one token of 1-32 a-z 0-9 _; error_ with a positive errno)',
    );
    for (const reason of ['x'.repeat(33), 'NO_SLOT', 'error_', 'error_0', 'error_-5', 'mmio\u0000']) {
      expect(fields(hitProblems({ ...hit, writer: 'WRITER_UNKNOWN', writer_reason: reason }, 'h'))).toEqual(['h.writer_reason']);
    }
    expect(describeProblems(hitProblems({ ...hit, writer: 'WRITER_CPU', writer_reason: 'no_slot' }, 'h'))).toBe('h.writer_reason: a reason is only for WRITER_UNKNOWN, not WRITER_CPU');
    expect(describeProblems(hitProblems({ ...hit, smi_count: '-2' }, 'h'))).toBe('h.smi_count: -2 is out of range for a count or -1 (-1 to 9223372036854775807)');
    expect(fields(hitProblems({ ...hit, smi_count: '9223372036854775808' }, 'h'))).toEqual(['h.smi_count']);
    expect(fields(hitProblems({ ...hit, smi_count: 'many' }, 'h'))).toEqual(['h.smi_count']);
  });

  it('a recovered hit has no seq but must have a module seq', () => {
    expect(hitProblems({ ...hit, seq: '0', module_seq: '9' }, 'r', { recovered: true })).toEqual([]);
    expect(fields(hitProblems({ ...hit, seq: '0', module_seq: '0' }, 'r', { recovered: true }))).toEqual(['r.module_seq']);
  });
});

describe('the other messages', () => {
  it('Heartbeat: a generation fits bigint', () => {
    expect(heartbeatProblems({ sent_at_unix_ms: '1', applied_generation: '9223372036854775807' })).toEqual([]);
    expect(fields(heartbeatProblems({ sent_at_unix_ms: '1', applied_generation: '9223372036854775808' }))).toEqual(['Heartbeat.applied_generation']);
  });

  it('WatchStates: ids, addresses and reasons', () => {
    const state = { watch_id: '1', resolved_paddr: '0', reason: '' };
    expect(watchStatesProblems({ generation: '2', states: [state] })).toEqual([]);
    expect(fields(watchStatesProblems({ generation: '2', states: [state, { ...state, watch_id: '0', reason: 'r'.repeat(1025) }] }))).toEqual([
      'WatchStates.states[1].watch_id',
      'WatchStates.states[1].reason',
    ]);
  });

  it('WatchStates: poll_ns_avg fits assignments.poll_ns_avg (bigint)', () => {
    const state = { watch_id: '1', resolved_paddr: '0', reason: '', poll_ns_avg: '9223372036854775807' };
    expect(watchStatesProblems({ generation: '2', states: [state] })).toEqual([]);
    expect(watchStatesProblems({ generation: '2', states: [{ ...state, poll_ns_avg: '9223372036854775808' }] })).toEqual([
      { field: 'WatchStates.states[0].poll_ns_avg', reason: expect.stringMatching(/out of range|beyond/) },
    ]);
  });

  it('Hello capabilities: modes and target kinds are short lists of enum names; phys_addr_bits is 0..64', () => {
    const caps = { ...hello.capabilities, modes: ['WATCH_MODE_TIMER', 'WATCH_MODE_FTRACE'], target_kinds: ['TARGET_KIND_PADDR', 'TARGET_KIND_PCI_BAR'], phys_addr_bits: 46 };
    expect(helloProblems({ ...hello, capabilities: caps })).toEqual([]);
    expect(helloProblems({ ...hello, capabilities: { ...caps, modes: ['WATCH_MODE_FROM_THE_FUTURE'], phys_addr_bits: 64 } })).toEqual([]);
    expect(fields(helloProblems({ ...hello, capabilities: { ...caps, phys_addr_bits: 65 } }))).toEqual(['Hello.capabilities.phys_addr_bits']);
    expect(fields(helloProblems({ ...hello, capabilities: { ...caps, modes: ['timer mode'] } }))).toEqual(['Hello.capabilities.modes[0]']);
    expect(fields(helloProblems({ ...hello, capabilities: { ...caps, target_kinds: Array.from({ length: 17 }, () => 'TARGET_KIND_PADDR') } }))).toEqual(['Hello.capabilities.target_kinds']);
  });

  it('CrashReply: a request id is required and bounded', () => {
    expect(crashReplyProblems({ request_id: 'kdump-1', reason: '' })).toEqual([]);
    expect(fields(crashReplyProblems({ request_id: '', reason: 'x\u0000' }))).toEqual(['CrashReply.request_id', 'CrashReply.reason']);
  });

  it('VmcoreReport: path, hash, size and times', () => {
    const report = {
      path: '/var/crash/202611261200/dump.202611261200', layout: 'kdump-tools', format: 'kdump-compressed', size_bytes: '4096', sha256: 'ab'.repeat(32),
      dump_level: -1, crash_time_unix_ms: '1764158400000', kernel_release: '6.1.0', dmesg_path: '', dmesg_excerpt: '', crashed_boot_id: '',
      crash_request_id: '', recovered_hits: [],
    };
    expect(vmcoreReportProblems(report)).toEqual([]);
    expect(fields(vmcoreReportProblems({ ...report, path: 'relative', sha256: 'AB', size_bytes: '-1', crash_time_unix_ms: '8640000000000001' }))).toEqual([
      'VmcoreReport.path',
      'VmcoreReport.size_bytes',
      'VmcoreReport.sha256',
      'VmcoreReport.crash_time_unix_ms',
    ]);
    expect(fields(vmcoreReportProblems({ ...report, dmesg_excerpt: 'd'.repeat(AGENT_LIMITS.dmesgExcerptLength + 1) }))).toEqual(['VmcoreReport.dmesg_excerpt']);
  });
});
