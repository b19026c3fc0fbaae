import { z } from 'zod';
import { defineJob } from '../jobs/job-definition';

/** Ends a watch as `expired` at its expires_at. One job per watch: the jobId is the watch's. */
export const watchExpiryJob = defineJob({
  name: 'watch-expiry',
  payload: z.object({ watchId: z.string().regex(/^[0-9]+$/) }),
  options: ({ watchId }) => ({
    jobId: `watch-expiry-${watchId}`,
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: true,
    removeOnFail: 1000,
  }),
});

export function expiryDelayMs(expiresAt: Date, now = Date.now()): number {
  return Math.max(0, expiresAt.getTime() - now);
}
