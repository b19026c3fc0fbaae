/**
 * The scripted corruptor: plays the config's `corruption` steps against the memory file,
 * standing in for the faulty device. It writes the file and nothing else, so every hit
 * still has to come from a watch noticing the change.
 */
import type * as fs from 'node:fs';
import { toHex } from '@physwatch/core';
import type { Logger } from 'pino';
import type { CorruptionStep } from '../../config/schema';
import { writeWordAt } from './memory-file';

export class Corruptor {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly memory: fs.promises.FileHandle,
    private readonly steps: readonly CorruptionStep[],
    private readonly log: Logger,
  ) {}

  start(): void {
    this.steps.forEach((step, index) => this.schedule(step, index, 0, step.afterMs));
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(step: CorruptionStep, index: number, done: number, delayMs: number): void {
    if (this.stopped || (step.count > 0 && done >= step.count)) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const value = step.values[done % step.values.length];
      writeWordAt(this.memory, step.paddr, step.width, value).then(
        () => this.log.debug({ step: index, paddr: toHex(step.paddr), value: toHex(value) }, 'corruptor wrote memory'),
        (err: Error) => {
          // A write racing stop() hits a closed file; that is shutdown, not a failure.
          if (!this.stopped) this.log.error({ step: index, err }, 'corruptor write failed');
        },
      );
      this.schedule(step, index, done + 1, step.everyMs);
    }, delayMs);
    this.timers.add(timer);
  }
}
