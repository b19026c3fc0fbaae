import type { Hit__Output } from '@physwatch/proto';
import { describe, expect, it } from 'vitest';
import { ackSeq, admitHits, screenHits } from './hit-admission';

const hit = (seq: string, over: Partial<Hit__Output> = {}): Hit__Output => ({
  seq, watch_id: '7', realtime_ns: '1764547200000000000', boottime_ns: '1', cpu: 0, paddr: '4096', offset: 0, width: 4,
  old_value: '0', new_value: '1', pid: 1, comm: 'swapper', ip: 'x+0x0/0x4', stack: '', action: 'ACTION_REPORT', module_seq: '0', last_old_boottime_ns: '0',
  writer: 'WRITER_UNSPECIFIED', writer_reason: '', smi_count: '-1', ...over,
});

describe('screenHits and admitHits', () => {
  it('refuses each bad hit alone, naming its field, and admits the others', () => {
    const batch = {
      boot_id: 'b1',
      hits: [hit('1'), hit('2', { comm: 'sh\u0000' }), hit('3', { watch_id: '8' }), hit('4', { cpu: 2 ** 31 }), hit('5')],
    };
    const screened = screenHits(batch);
    const { admitted, rejected } = admitHits('h-7', batch, screened, { bootAnnounced: true, placed: new Set(['7']) });
    expect(admitted.map((h) => h.seq)).toEqual(['1', '5']);
    expect(rejected).toEqual([
      { seq: '2', watchId: '7', kind: 'invalid', reason: 'hits[1].comm: contains a NUL byte' },
      { seq: '4', watchId: '7', kind: 'invalid', reason: 'hits[3].cpu: 2147483648 is out of range (0 to 2147483647)' },
      { seq: '3', watchId: '8', kind: 'not_placed', reason: 'hits[2].watch_id: watch 8 was never placed on host h-7' },
    ]);
  });

  it('refuses a hit whose old value was last seen after its new one, naming the field', () => {
    const batch = { boot_id: 'b1', hits: [hit('1', { boottime_ns: '500', last_old_boottime_ns: '499' }), hit('2', { boottime_ns: '500', last_old_boottime_ns: '501' })] };
    const { admitted, rejected } = admitHits('h-7', batch, screenHits(batch), { bootAnnounced: true, placed: new Set(['7']) });
    expect(admitted.map((h) => h.seq)).toEqual(['1']);
    expect(rejected).toEqual([
      { seq: '2', watchId: '7', kind: 'invalid', reason: 'hits[1].last_old_boottime_ns: 501 is after boottime_ns 500: the old value cannot be seen after the new one' },
    ]);
  });

  it('refuses every hit of a boot the host never announced, or of a boot id that cannot be one', () => {
    const batch = { boot_id: 'someone-elses', hits: [hit('1'), hit('2')] };
    const { admitted, rejected } = admitHits('h-7', batch, screenHits(batch), { bootAnnounced: false, placed: new Set(['7']) });
    expect(admitted).toEqual([]);
    expect(rejected.map((r) => [r.seq, r.kind, r.reason])).toEqual([
      ['1', 'unknown_boot', 'HitBatch.boot_id: boot "someone-elses" was never announced by host h-7'],
      ['2', 'unknown_boot', 'HitBatch.boot_id: boot "someone-elses" was never announced by host h-7'],
    ]);
    const empty = screenHits({ boot_id: '', hits: [hit('1')] });
    expect(empty.rejected).toEqual([{ seq: '1', watchId: '7', kind: 'invalid', reason: 'HitBatch.boot_id: is empty' }]);
  });
});

describe('ackSeq', () => {
  it('covers refused hits with a seq a seq can be, never a seq beyond bigint', () => {
    expect(ackSeq({ boot_id: 'b', hits: [hit('3'), hit('9'), hit('18446744073709551615'), hit('0')] })).toBe('9');
    expect(ackSeq({ boot_id: 'b', hits: [hit('9223372036854775808')] })).toBe('0');
  });
});
