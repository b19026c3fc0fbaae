import type { KdumpState } from '@physwatch/db';
import { z } from 'zod';
import { defineJob, JobDefinition } from '../jobs/job-definition';

const payload = z.object({ hit_id: z.string().regex(/^[1-9][0-9]*$/) });
export type KdumpJobPayload = z.infer<typeof payload>;

/** Each kdump job type has one job per hit; its id is derived from the hit (BullMQ ids take no ':'). */
function kdumpJob(name: string): JobDefinition<KdumpJobPayload> {
  return defineJob({
    name,
    payload,
    options: ({ hit_id }) => ({
      jobId: `${name}-${hit_id}`,
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      // Postgres holds the outcome; the sweep re-adds a job whose row is not final, and an
      // add is ignored only while a job with that id exists.
      removeOnComplete: true,
      removeOnFail: true,
    }),
  });
}

/** Checks readiness and the crash budget, then sends the CrashRequest and waits for the reply. */
export const triggerKdumpJob = kdumpJob('trigger-kdump');
/** Waits for the host to come back with a new boot id. */
export const awaitRebootJob = kdumpJob('await-reboot');
/** Waits for the agent's VmcoreReport of the crashed boot and links it to the hit. */
export const collectVmcoreJob = kdumpJob('collect-vmcore');

export const KDUMP_JOBS = [triggerKdumpJob, awaitRebootJob, collectVmcoreJob] as const;

/** The job that moves a row on from `state`; null for a final state. */
export function jobForState(state: KdumpState): JobDefinition<KdumpJobPayload> | null {
  switch (state) {
    case 'queued':
    case 'deferred':
    case 'triggering':
      return triggerKdumpJob;
    case 'awaiting_reboot':
      return awaitRebootJob;
    case 'collecting':
      return collectVmcoreJob;
    default:
      return null;
  }
}
