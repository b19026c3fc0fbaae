import type { JobDefinition } from './job-definition';
import { watchExpiryJob } from '../watches/watch-expiry.job';

/** Every job type the orchestrator runs; JobsService checks each has exactly one handler. */
export const JOB_DEFINITIONS: ReadonlyArray<JobDefinition<never>> = [watchExpiryJob as JobDefinition<never>];
