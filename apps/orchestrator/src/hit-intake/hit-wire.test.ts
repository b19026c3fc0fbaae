import type { Hit__Output } from '@physwatch/proto';
import { describe, expect, it } from 'vitest';
import { fromWireHit } from './hit-wire';

const hit = (over: Partial<Hit__Output> = {}): Hit__Output => ({
  seq: '1', watch_id: '7', realtime_ns: '1764547200000000000', boottime_ns: '2', cpu: 0, paddr: '4096', offset: 0, width: 4,
  old_value: '0', new_value: '1', pid: 1, comm: 'swapper', ip: 'x+0x0/0x4', stack: '', action: 'ACTION_REPORT', module_seq: '0', last_old_boottime_ns: '0',
  writer: 'WRITER_UNSPECIFIED', writer_reason: '', smi_count: '-1', ...over,
});

describe('fromWireHit: who wrote and the SMIs', () => {
  it('stores the writer by name, a reason only when there is one, and the SMI count', () => {
    expect(fromWireHit(hit({ writer: 'WRITER_CPU', smi_count: '3', stack: 'a+0x0/0x1\nb+0x0/0x1' }))).toMatchObject({
      writer: 'cpu', writerReason: null, smiCount: '3', stack: 'a+0x0/0x1\nb+0x0/0x1',
    });
    expect(fromWireHit(hit({ writer: 'WRITER_NO_CPU_VIA_KERNEL_MAP', smi_count: '0' }))).toMatchObject({ writer: 'no_cpu_via_kernel_map', smiCount: '0' });
    expect(fromWireHit(hit({ writer: 'WRITER_UNKNOWN', writer_reason: 'mmio' }))).toMatchObject({ writer: 'unknown', writerReason: 'mmio', smiCount: null });
  });

  it('a hit that does not say who wrote stores null, and its SMI count as not known', () => {
    expect(fromWireHit(hit())).toMatchObject({ writer: null, writerReason: null, smiCount: null });
    // An agent older than the fields: proto3's defaults, UNSPECIFIED and 0, which is no count of 0 SMIs.
    expect(fromWireHit(hit({ smi_count: '0' }))).toMatchObject({ writer: null, smiCount: null });
  });
});
