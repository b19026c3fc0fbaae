import type { ControlMessage, DesiredState, RejectedHit } from '@physwatch/proto';

/** Messages that are sent once each, in order: never replaced by a newer one. */
export type OneOffMessage = Pick<ControlMessage, 'crash_request'> | Pick<ControlMessage, 'vmcore_ack'> | Pick<ControlMessage, 'certificate'>;

/** The writable half of an agent stream, as far as the writer needs it. */
export interface ControlSink {
  write(message: ControlMessage): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export interface ControlWriterHooks {
  /** write() returned false: nothing more is written until 'drain'. */
  onDrainWait(): void;
  onDrained(): void;
  /** A pending message was replaced by a newer one before it could be written. */
  onCoalesced(kind: 'desired_state' | 'hit_ack'): void;
}

/**
 * Writes control messages with backpressure and bounded memory. While the stream waits for
 * 'drain', at most one DesiredState (the newest: the set is level-triggered, so an older
 * one is worthless) and one HitAck per boot (the highest seq covers the lower ones) wait
 * here. However fast changes arrive, a slow agent costs a constant amount of memory.
 * CrashRequests and VmcoreAcks are rare and each one matters: they wait in order, uncoalesced.
 */
export class ControlWriter {
  private desired: DesiredState | null = null;
  private readonly acks = new Map<string, { seq: bigint; rejected: RejectedHit[] }>();
  private readonly oneOffs: OneOffMessage[] = [];
  private waiting = false;
  private closed = false;

  constructor(
    private readonly sink: ControlSink,
    private readonly hooks: ControlWriterHooks,
  ) {}

  get blocked(): boolean {
    return this.waiting;
  }

  get pending(): number {
    return (this.desired ? 1 : 0) + this.acks.size + this.oneOffs.length;
  }

  sendDesired(state: DesiredState): void {
    if (this.closed) return;
    if (this.desired) this.hooks.onCoalesced('desired_state');
    this.desired = state;
    this.flush();
  }

  /** Rejected hits are never coalesced away: a waiting ack carries every one named since it was queued. */
  sendAck(bootId: string, upToSeq: string, rejected: readonly RejectedHit[] = []): void {
    if (this.closed) return;
    const seq = BigInt(upToSeq);
    const queued = this.acks.get(bootId);
    if (queued !== undefined) this.hooks.onCoalesced('hit_ack');
    this.acks.set(bootId, {
      seq: queued !== undefined && queued.seq > seq ? queued.seq : seq,
      rejected: queued ? [...queued.rejected, ...rejected] : [...rejected],
    });
    this.flush();
  }

  sendOnce(message: OneOffMessage): void {
    if (this.closed) return;
    this.oneOffs.push(message);
    this.flush();
  }

  close(): void {
    this.closed = true;
    this.desired = null;
    this.acks.clear();
    this.oneOffs.length = 0;
  }

  private next(): ControlMessage | null {
    if (this.desired) {
      const desired = this.desired;
      this.desired = null;
      return { desired_state: desired };
    }
    for (const [bootId, { seq, rejected }] of this.acks) {
      this.acks.delete(bootId);
      return { hit_ack: { boot_id: bootId, up_to_seq: seq.toString(), rejected } };
    }
    return this.oneOffs.shift() ?? null;
  }

  private flush(): void {
    while (!this.waiting && !this.closed) {
      const message = this.next();
      if (!message) return;
      if (!this.sink.write(message)) {
        this.waiting = true;
        this.hooks.onDrainWait();
        this.sink.once('drain', () => {
          this.waiting = false;
          this.hooks.onDrained();
          this.flush();
        });
      }
    }
  }
}
