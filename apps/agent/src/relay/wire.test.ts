import { AGENT_LIMITS, hitProblems } from '@physwatch/core';
import { describe, expect, it } from 'vitest';
import type { BackendHit } from '../backend/watch-backend';
import { toWireHit, toWireState } from './wire';

const hit: BackendHit = {
  watchId: '7', realtimeNs: 1n, boottimeNs: 2n, cpu: 0, paddr: 4096n, offset: 0, width: 4, oldValue: 0n, newValue: 1n,
  pid: 1, comm: 'swapper/0', ip: 'memset+0x10/0x40', stack: [], action: 'stack', lastOldBoottimeNs: null,
  writer: null, writerReason: null, smiCount: null,
};

describe('toWireHit', () => {
  it('cuts text to what the orchestrator stores, so a real hit with a deep stack is stored, not refused', () => {
    const frames = Array.from({ length: 5000 }, (_, i) => `frame${i}+0x1/0x2`);
    const deep = toWireHit({ ...hit, stack: frames, comm: 'c'.repeat(100) });
    // The innermost frames, as many lines as the orchestrator takes.
    expect(deep.stack).toBe(frames.slice(0, AGENT_LIMITS.stackFrames).join('\n'));
    expect(deep.comm).toHaveLength(AGENT_LIMITS.commLength);
    expect(hitProblems({ ...deep, seq: '1' } as Parameters<typeof hitProblems>[0], 'hit')).toEqual([]);
    const wide = toWireHit({ ...hit, stack: ['f'.repeat(AGENT_LIMITS.stackLength), 'g+0x0/0x1'] });
    expect(wide.stack).toHaveLength(AGENT_LIMITS.stackLength);
    expect(hitProblems({ ...wide, seq: '1' } as Parameters<typeof hitProblems>[0], 'hit')).toEqual([]);
    expect(toWireHit(hit).stack).toBe('');
  });

  it('sends the writer, its reason, the SMI count (-1 when not known) and the stack one frame a line', () => {
    const cpu = toWireHit({ ...hit, writer: 'cpu', smiCount: 2n, stack: ['pw_chain_writer_store+0x1a/0x40[pw_chain_writer]', 'vfs_write+0x2b4/0x3e0'] });
    expect(cpu).toMatchObject({ writer: 'WRITER_CPU', writer_reason: '', smi_count: '2', stack: 'pw_chain_writer_store+0x1a/0x40[pw_chain_writer]\nvfs_write+0x2b4/0x3e0' });
    expect(toWireHit({ ...hit, writer: 'no_cpu_via_kernel_map', smiCount: 0n })).toMatchObject({ writer: 'WRITER_NO_CPU_VIA_KERNEL_MAP', smi_count: '0' });
    expect(toWireHit({ ...hit, writer: 'unknown', writerReason: 'no_slot' })).toMatchObject({ writer: 'WRITER_UNKNOWN', writer_reason: 'no_slot', smi_count: '-1' });
    expect(toWireHit(hit)).toMatchObject({ writer: 'WRITER_UNSPECIFIED', writer_reason: '', smi_count: '-1' });
    // The module counts in u64; the wire's int64 cannot hold more, and no CPU takes that many SMIs.
    expect(toWireHit({ ...hit, writer: 'cpu', smiCount: 18446744073709551615n }).smi_count).toBe('-1');
    for (const sent of [cpu, toWireHit({ ...hit, writer: 'unknown', writerReason: 'error_16' })]) {
      expect(hitProblems({ ...sent, seq: '1' } as Parameters<typeof hitProblems>[0], 'hit')).toEqual([]);
    }
  });

  it('sends the bracket\'s old end on boottime_ns\'s clock, 0 (proto3\'s not set) when not known', () => {
    expect(toWireHit({ ...hit, lastOldBoottimeNs: 1n })).toMatchObject({ boottime_ns: '2', last_old_boottime_ns: '1' });
    expect(toWireHit(hit).last_old_boottime_ns).toBe('0');
  });

  it('cuts a failure reason to its limit', () => {
    expect(toWireState('1', { phase: 'failed', reason: 'r'.repeat(5000) }).reason).toHaveLength(AGENT_LIMITS.reasonLength);
  });
});
