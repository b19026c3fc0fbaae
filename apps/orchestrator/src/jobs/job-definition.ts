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

export type JobHandler<P> = (payload: P) => Promise<void>;

export function defineJob<P>(definition: JobDefinition<P>): JobDefinition<P> {
  return Object.freeze(definition);
}
