/**
 * One armed simulated watch: re-reads its bytes every interval and reports each word that
 * changed in a way the condition calls a hit, like the module's timer callback does.
 *
 * A hit's bracket: the previous read saw the old value and this read saw the new one, so the
 * write happened after the previous read began and before this one ended. A read is not
 * instant (it is a file read), so the old side is stamped when its read began and the new
 * side when its read ended: (lastOldBoottimeNs, boottimeNs] holds the write whatever the
 * moment inside each read the word was actually copied.
 */
import type * as fs from 'node:fs';
import { ArmSpec, isHit } from '@physwatch/core';
import type { BackendHit } from '../watch-backend';
import { readWord } from './memory-file';

export interface HitContext {
  pid: number;
  comm: string;
  /** Wall clock = this + monotonic ns; computed once so the two clocks cannot drift apart. */
  realtimeOffsetNs: bigint;
}

export interface PollerEvents {
  hit(hit: BackendHit): void;
  /** max_hits reached: the poller has already stopped itself. */
  exhausted(reason: string): void;
  error(err: Error): void;
}

/** The boottime clock of hits (monotonic ns); the simulated backend's is the process's. */
export type BoottimeClock = () => bigint;

const processClock: BoottimeClock = () => process.hrtime.bigint();

export class WordPoller {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private hits = 0;
  private snapshot: Buffer;
  /** When the read that produced `snapshot` began. */
  private snapshotNs = 0n;

  constructor(
    readonly spec: ArmSpec,
    readonly paddr: bigint,
    private readonly memory: fs.promises.FileHandle,
    private readonly intervalMs: number,
    private readonly context: HitContext,
    private readonly events: PollerEvents,
    private readonly clock: BoottimeClock = processClock,
  ) {
    this.snapshot = Buffer.alloc(spec.len);
  }

  /** Takes the baseline, then starts polling: a write after this resolves is seen. */
  async start(): Promise<void> {
    this.snapshotNs = this.clock();
    this.snapshot = await this.read();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    // setTimeout after each read (not setInterval) so a slow read never overlaps the next.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.poll().then(
        () => this.schedule(),
        (err: Error) => {
          if (!this.stopped) this.events.error(err);
          this.schedule();
        },
      );
    }, this.intervalMs);
  }

  private async read(): Promise<Buffer> {
    const buf = Buffer.alloc(this.spec.len);
    const { bytesRead } = await this.memory.read(buf, 0, this.spec.len, Number(this.paddr));
    if (bytesRead !== this.spec.len) throw new Error(`short read at ${this.paddr}: ${bytesRead} of ${this.spec.len} bytes`);
    return buf;
  }

  private async poll(): Promise<void> {
    const startedNs = this.clock();
    const current = await this.read();
    const boottimeNs = this.clock();
    if (this.stopped) return;
    const before = this.snapshot;
    // Every word of `before` held its old value when that read began.
    const lastOldBoottimeNs = this.snapshotNs;
    this.snapshot = current;
    this.snapshotNs = startedNs;
    if (before.equals(current)) return;
    const { width } = this.spec;
    for (let offset = 0; offset < this.spec.len; offset += width) {
      const oldValue = readWord(before, offset, width);
      const newValue = readWord(current, offset, width);
      if (!isHit(this.spec, oldValue, newValue)) continue;
      this.hits++;
      this.events.hit({
        watchId: this.spec.watchId,
        realtimeNs: this.context.realtimeOffsetNs + boottimeNs,
        boottimeNs,
        cpu: 0,
        paddr: this.paddr + BigInt(offset),
        offset,
        width,
        oldValue,
        newValue,
        pid: this.context.pid,
        comm: this.context.comm,
        ip: 'simulated',
        stack: [],
        action: this.spec.action,
        lastOldBoottimeNs,
        // A file read cannot tell who wrote, nor count SMIs.
        writer: null,
        writerReason: null,
        smiCount: null,
      });
      if (this.spec.maxHits !== null && this.hits >= this.spec.maxHits) {
        this.stop();
        this.events.exhausted(`max_hits ${this.spec.maxHits} reached`);
        return;
      }
    }
  }
}
