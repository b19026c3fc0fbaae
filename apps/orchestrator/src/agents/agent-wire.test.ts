import { describe, expect, it } from 'vitest';
import { AgentProtocolError } from '../common/errors';
import { checkHeartbeat, checkHello, fromWireStates, storableStates } from './agent-wire';

const hello = {
  host_id: 'h1', boot_id: 'b', hostname: '', kernel_release: '', arch: '', agent_version: '', labels: {}, capabilities: null, kdump: null, spooled_boot_ids: [],
};

describe('checkHello', () => {
  it('accepts a host id and boot id, and names every bad field otherwise (packages/core agent-limits)', () => {
    expect(checkHello(hello)).toBe(hello);
    expect(() => checkHello({ ...hello, host_id: '' })).toThrow(AgentProtocolError);
    expect(() => checkHello({ ...hello, host_id: 'has space' })).toThrow(/Hello.host_id: "has space" is not a host id/);
    expect(() => checkHello({ ...hello, boot_id: '' })).toThrow(/Hello.boot_id: is empty/);
    expect(() => checkHello({ ...hello, hostname: 'h\u0000', labels: { rack: 'v'.repeat(300) } })).toThrow(
      'Hello.hostname: contains a NUL byte; Hello.labels["rack"]: value is 300 characters, more than 256',
    );
    expect(() => checkHello(null)).toThrow(/Hello is empty/);
  });
});

describe('checkHeartbeat and storableStates', () => {
  it('refuse a generation beyond bigint, and drop only the bad states', () => {
    expect(() => checkHeartbeat({ sent_at_unix_ms: '1', applied_generation: '18446744073709551615', unacked_hits: '0', module_lost_events: '0', module_suppressed_hits: '0' })).toThrow(
      /Heartbeat.applied_generation: 18446744073709551615 is out of range/,
    );
    const good = { watch_id: '1', phase: 'WATCH_PHASE_ARMED' as const, resolved_paddr: '0', memory_kind: 'MEMORY_KIND_RAM' as const, reason: '', poll_ns_avg: '0', polls_missed: '0', polls_paced: '0' };
    const split = storableStates({ generation: '3', states: [good, { ...good, watch_id: '2', reason: 'x\u0000' }] });
    expect(split.states).toEqual([good]);
    expect(split.problems).toEqual([{ field: 'WatchStates.states[1].reason', reason: 'contains a NUL byte' }]);
    expect(() => storableStates({ generation: '-1', states: [good] })).toThrow(/WatchStates.generation/);
  });
});

describe('fromWireStates', () => {
  it('maps phases and memory kinds, keeps a resolved address, and skips states without a phase', () => {
    expect(
      fromWireStates([
        { watch_id: '1', phase: 'WATCH_PHASE_ARMED', resolved_paddr: '4096', memory_kind: 'MEMORY_KIND_MMIO', reason: '', poll_ns_avg: '800', polls_missed: '0', polls_paced: '0' },
        { watch_id: '2', phase: 'WATCH_PHASE_FAILED', resolved_paddr: '0', memory_kind: 'MEMORY_KIND_UNSPECIFIED', reason: 'symbol not found', poll_ns_avg: '0', polls_missed: '0', polls_paced: '0' },
        { watch_id: '3', phase: 'WATCH_PHASE_DISARMED', resolved_paddr: '0', memory_kind: 'MEMORY_KIND_RAM', reason: 'max_hits', poll_ns_avg: '0', polls_missed: '0', polls_paced: '0' },
        { watch_id: '4', phase: 'WATCH_PHASE_UNSPECIFIED', resolved_paddr: '0', memory_kind: 'MEMORY_KIND_RAM', reason: '', poll_ns_avg: '0', polls_missed: '0', polls_paced: '0' },
      ]),
    ).toEqual([
      { watchId: '1', phase: 'armed', resolvedPaddr: '4096', memoryKind: 'mmio', reason: '', pollNsAvg: '800' },
      { watchId: '2', phase: 'failed', resolvedPaddr: null, memoryKind: null, reason: 'symbol not found', pollNsAvg: null },
      { watchId: '3', phase: 'disarmed', resolvedPaddr: '0', memoryKind: 'ram', reason: 'max_hits', pollNsAvg: null },
    ]);
  });
});
