import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';

/**
 * One job type: its name, the schema its payload must satisfy, and the options it is
 * always enqueued with (including a jobId derived from the payload, which makes enqueueing
 * idempotent). The handler is registered next to the definition, by the module that owns it.
 */
export interface JobDefinition<P> {
  readonly name: string;
  readonly payload: z.ZodType<P>;
  options(payload: P): JobsOptions;
}

/** What a handler may do with the run it is in, besides finishing or throwing. */
export interface JobContext {
  /** Runs before this one (failed attempts; waits through retryAt do not count). */
  readonly attemptsMade: number;
  /**
   * Ends this run and runs the same job (same id, same payload) again at `timestamp`
   * (ms since the epoch), without counting an attempt: for handlers that wait on the world.
   */
  retryAt(timestamp: number): Promise<never>;
}

export type JobHandler<P> = (payload: P, ctx: JobContext) => Promise<void>;

export function defineJob<P>(definition: JobDefinition<P>): JobDefinition<P> {
  return Object.freeze(definition);
}
