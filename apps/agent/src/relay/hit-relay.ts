/**
 * Hits from the backend to the orchestrator: batch (batch.maxHits / batch.maxDelayMs),
 * number and fsync in the spool, then send whatever this stream has not carried yet.
 * The spool is the only source of what to send, so a reconnect re-sends exactly the
 * unacked hits, from any boot, in order. When the backlog outgrows the spool's memory cap
 * the rest waits on disk, is read back as acks make room, and the log says so ("behind").
 */
import type { AgentMessage, HitAck__Output } from '@physwatch/proto';
import type { Logger } from 'pino';
import type { BackendHit } from '../backend/watch-backend';
import { CoalescedRun } from '../coalesced-run';
import type { Spool } from '../spool/spool';
import { toWireHit } from './wire';

export interface HitSender {
  readonly connected: boolean;
  send(message: AgentMessage): Promise<boolean>;
}

export interface BatchConfig {
  maxHits: number;
  maxDelayMs: number;
}

export class HitRelay {
  private buffer: BackendHit[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private flushSoon: NodeJS.Immediate | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Highest seq per boot written to the current stream; cleared when a new stream opens. */
  private sentUpTo = new Map<string, bigint>();
  private readonly sending = new CoalescedRun(() => this.sendUnsent());
  /** When the backlog first outgrew the spool's memory; unset while it fits. */
  private behindSince: number | undefined;

  constructor(
    private readonly spool: Spool,
    private readonly sender: HitSender,
    private readonly batch: BatchConfig,
    private readonly log: Logger,
  ) {}

  add(hit: BackendHit): void {
    this.buffer.push(hit);
    if (this.buffer.length >= this.batch.maxHits) {
      // Flush on the next turn, not now: a burst (a region scribbled over) then costs one
      // append and one fsync instead of one per maxHits.
      if (!this.flushSoon) {
        this.flushSoon = setImmediate(() => void this.flush());
      }
    } else {
      this.flushTimer ??= setTimeout(() => void this.flush(), this.batch.maxDelayMs);
    }
  }

  /** A new stream knows nothing we sent on the old one: start over from the spool. */
  streamOpened(): void {
    this.sentUpTo = new Map();
    void this.sending.run();
  }

  /**
   * The orchestrator stored every hit of the boot up to `up_to_seq` except those it names as
   * rejected (a watch not placed here, a boot it never heard of, a field it cannot store):
   * those will never be stored, so they leave the spool with this ack (which covers their
   * seqs) and one line each, instead of being re-sent forever.
   */
  acked(ack: HitAck__Output): void {
    for (const rejected of ack.rejected) {
      const hit = /^[0-9]+$/.test(rejected.seq) ? this.spool.find(ack.boot_id, BigInt(rejected.seq)) : undefined;
      this.log.warn(
        { bootId: ack.boot_id, seq: rejected.seq, watchId: hit?.watch_id, reason: rejected.reason },
        'hit rejected by the orchestrator; dropped from the spool, never re-sent',
      );
    }
    const upTo = BigInt(ack.up_to_seq);
    const dropped = this.spool.ack(ack.boot_id, upTo);
    this.log.info({ bootId: ack.boot_id, seq: ack.up_to_seq, dropped, unacked: this.spool.unackedCount() }, 'hits acked');
    this.noteBacklog();
    // The ack made room in memory: hits waiting on disk can follow.
    void this.sending.run();
  }

  /**
   * Makes every buffered hit durable; resolves then, and starts sending without waiting
   * for it: a stalled stream must never stop hits from reaching the disk.
   */
  flush(): Promise<void> {
    this.cancelTimers();
    // The buffer is taken when the previous write is done, not now: while the disk is busy
    // hits gather into one append (one fsync), instead of a queue of small ones.
    this.flushing = this.flushing.then(() => {
      const hits = this.buffer;
      this.buffer = [];
      return this.persist(hits);
    });
    return this.flushing;
  }

  /** Resolves when everything buffered is on disk and the send loop has stopped. */
  async idle(): Promise<void> {
    await this.flushing;
    await this.sending.idle();
  }

  stop(): void {
    this.cancelTimers();
  }

  private cancelTimers(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    clearImmediate(this.flushSoon);
    this.flushSoon = undefined;
  }

  private async persist(hits: BackendHit[]): Promise<void> {
    if (hits.length > 0) {
      try {
        const spooled = await this.spool.append(hits.map(toWireHit));
        for (const hit of spooled) {
          this.log.info(
            { watchId: hit.watch_id, bootId: this.spool.bootId, seq: hit.seq, paddr: hit.paddr, old: hit.old_value, new: hit.new_value },
            'hit spooled',
          );
        }
      } catch (err) {
        // Nothing is sent that is not on disk; these hits are lost and the log must say so.
        this.log.error({ err, lost: hits.length }, 'spool append failed');
        return;
      }
      this.noteBacklog();
    }
    void this.sending.run();
  }

  /** One line when the backlog outgrows the spool's memory cap, one when it fits again. */
  private noteBacklog(): void {
    const backlog = this.spool.backlog();
    const cap = { capHits: this.spool.memory.hits, capBytes: this.spool.memory.bytes };
    if (backlog.onDisk > 0 && this.behindSince === undefined) {
      this.behindSince = Date.now();
      this.log.warn({ ...backlog, ...cap }, 'behind: unacked hits exceed the spool memory cap; the rest wait on disk only');
    } else if (backlog.onDisk === 0 && this.behindSince !== undefined) {
      this.log.info({ ...backlog, ...cap, behindMs: Date.now() - this.behindSince }, 'caught up: every unacked hit fits in memory again');
      this.behindSince = undefined;
    }
  }

  private async sendUnsent(): Promise<void> {
    while (this.sender.connected) {
      const batch = this.spool.unsent(this.sentUpTo, this.batch.maxHits);
      if (!batch) {
        const { loaded, lost } = await this.spool.readBack();
        if (lost > 0) this.log.error({ lost }, 'spool lines of unacked hits were damaged on disk; those hits are lost');
        if (loaded === 0) return;
        this.noteBacklog();
        continue;
      }
      const sentUpTo = this.sentUpTo;
      const ok = await this.sender.send({ hit_batch: { boot_id: batch.bootId, hits: batch.hits } });
      if (!ok || sentUpTo !== this.sentUpTo) return;
      const last = batch.hits[batch.hits.length - 1].seq as string;
      sentUpTo.set(batch.bootId, BigInt(last));
      this.log.debug({ bootId: batch.bootId, count: batch.hits.length, seq: last }, 'hit batch sent');
    }
  }
}
