import { AGENT_LIMITS, hitProblems } from '@physwatch/core';
import { describe, expect, it } from 'vitest';
import type { BackendHit } from '../backend/watch-backend';
import { toWireHit, toWireState } from './wire';

const hit: BackendHit = {
  watchId: '7', realtimeNs: 1n, boottimeNs: 2n, cpu: 0, paddr: 4096n, offset: 0, width: 4, oldValue: 0n, newValue: 1n,
  pid: 1, comm: 'swapper/0', ip: 'memset+0x10/0x40', stack: '', action: 'stack', lastOldBoottimeNs: null,
};

describe('toWireHit', () => {
  it('cuts text to what the orchestrator stores, so a real hit with a deep stack is stored, not refused', () => {
    const deep = toWireHit({ ...hit, stack: 'frame+0x1/0x2\n'.repeat(5000), comm: 'c'.repeat(100) });
    expect(deep.stack).toHaveLength(AGENT_LIMITS.stackLength);
    expect(deep.comm).toHaveLength(AGENT_LIMITS.commLength);
    expect(hitProblems({ ...deep, seq: '1' } as Parameters<typeof hitProblems>[0], 'hit')).toEqual([]);
    expect(toWireHit(hit).stack).toBe('');
  });

  it('sends the bracket\'s old end on boottime_ns\'s clock, 0 (proto3\'s not set) when not known', () => {
    expect(toWireHit({ ...hit, lastOldBoottimeNs: 1n })).toMatchObject({ boottime_ns: '2', last_old_boottime_ns: '1' });
    expect(toWireHit(hit).last_old_boottime_ns).toBe('0');
  });

  it('cuts a failure reason to its limit', () => {
    expect(toWireState('1', { phase: 'failed', reason: 'r'.repeat(5000) }).reason).toHaveLength(AGENT_LIMITS.reasonLength);
  });
});
