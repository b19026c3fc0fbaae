import { describe, expect, it } from 'vitest';
import { AgentProtocolError } from '../common/errors';
import { checkHello, fromWireStates } from './agent-wire';

const hello = { host_id: 'h1', boot_id: 'b', hostname: '', kernel_release: '', arch: '', agent_version: '', labels: {}, capabilities: null, kdump: null };

describe('checkHello', () => {
  it('accepts a host id and boot id, and names what is wrong otherwise', () => {
    expect(checkHello(hello)).toBe(hello);
    expect(() => checkHello({ ...hello, host_id: '' })).toThrow(AgentProtocolError);
    expect(() => checkHello({ ...hello, host_id: 'has space' })).toThrow(/Hello.host_id "has space" is not a host id/);
    expect(() => checkHello({ ...hello, boot_id: '' })).toThrow(/Hello.boot_id is empty/);
    expect(() => checkHello(null)).toThrow(/Hello is empty/);
  });
});

describe('fromWireStates', () => {
  it('maps phases and memory kinds, keeps a resolved address, and skips states without a phase', () => {
    expect(
      fromWireStates([
        { watch_id: '1', phase: 'WATCH_PHASE_ARMED', resolved_paddr: '4096', memory_kind: 'MEMORY_KIND_MMIO', reason: '' },
        { watch_id: '2', phase: 'WATCH_PHASE_FAILED', resolved_paddr: '0', memory_kind: 'MEMORY_KIND_UNSPECIFIED', reason: 'symbol not found' },
        { watch_id: '3', phase: 'WATCH_PHASE_DISARMED', resolved_paddr: '0', memory_kind: 'MEMORY_KIND_RAM', reason: 'max_hits' },
        { watch_id: '4', phase: 'WATCH_PHASE_UNSPECIFIED', resolved_paddr: '0', memory_kind: 'MEMORY_KIND_RAM', reason: '' },
      ]),
    ).toEqual([
      { watchId: '1', phase: 'armed', resolvedPaddr: '4096', memoryKind: 'mmio', reason: '' },
      { watchId: '2', phase: 'failed', resolvedPaddr: null, memoryKind: null, reason: 'symbol not found' },
      { watchId: '3', phase: 'disarmed', resolvedPaddr: '0', memoryKind: 'ram', reason: 'max_hits' },
    ]);
  });
});
