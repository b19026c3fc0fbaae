import { EventEmitter } from 'node:events';
import type { ControlMessage } from '@physwatch/proto';
import { describe, expect, it } from 'vitest';
import { ControlWriter } from './control-writer';

/** A sink that accepts `capacity` messages, then reports backpressure until drained. */
class FakeSink extends EventEmitter {
  readonly written: ControlMessage[] = [];
  constructor(private capacity: number) {
    super();
  }
  write(message: ControlMessage): boolean {
    this.written.push(message);
    return this.written.length < this.capacity;
  }
  drain(more: number): void {
    this.capacity = this.written.length + more;
    this.emit('drain');
  }
}

function setup(capacity: number) {
  const sink = new FakeSink(capacity);
  const events = { drainWaits: 0, drained: 0, coalesced: [] as string[] };
  const writer = new ControlWriter(sink, {
    onDrainWait: () => events.drainWaits++,
    onDrained: () => events.drained++,
    onCoalesced: (kind) => events.coalesced.push(kind),
  });
  return { sink, writer, events };
}

const desired = (generation: number) => ({ generation: String(generation), watches: [] });

describe('ControlWriter', () => {
  it('writes straight through while the sink accepts', () => {
    const { sink, writer, events } = setup(100);
    writer.sendDesired(desired(1));
    writer.sendAck('b1', '5');
    expect(sink.written).toEqual([{ desired_state: desired(1) }, { hit_ack: { boot_id: 'b1', up_to_seq: '5', rejected: [] } }]);
    expect(events.drainWaits).toBe(0);
  });

  it('stops at write() === false, keeps only the newest desired state and the highest ack per boot, and resumes on drain', () => {
    const { sink, writer, events } = setup(1);
    writer.sendDesired(desired(1));
    expect(writer.blocked).toBe(true);
    for (let g = 2; g <= 1000; g++) writer.sendDesired(desired(g));
    for (let seq = 1; seq <= 1000; seq++) writer.sendAck('b1', String(seq), seq % 500 === 0 ? [{ seq: String(seq), reason: `r${seq}` }] : []);
    writer.sendAck('b2', '7');
    writer.sendAck('b1', '3');
    expect(sink.written).toHaveLength(1);
    expect(writer.pending).toBe(3);
    expect(events.drainWaits).toBe(1);

    sink.drain(10);
    expect(sink.written.slice(1)).toEqual([
      { desired_state: desired(1000) },
      // The highest seq covers the lower ones, but every rejected hit is still named.
      { hit_ack: { boot_id: 'b1', up_to_seq: '1000', rejected: [{ seq: '500', reason: 'r500' }, { seq: '1000', reason: 'r1000' }] } },
      { hit_ack: { boot_id: 'b2', up_to_seq: '7', rejected: [] } },
    ]);
    expect(events.drained).toBe(1);
    expect(events.coalesced.filter((k) => k === 'desired_state')).toHaveLength(998);
    expect(writer.pending).toBe(0);
  });

  it('drops what is pending when closed', () => {
    const { sink, writer } = setup(1);
    writer.sendDesired(desired(1));
    writer.sendDesired(desired(2));
    writer.close();
    sink.drain(10);
    writer.sendAck('b', '1');
    expect(sink.written).toEqual([{ desired_state: desired(1) }]);
  });
});
