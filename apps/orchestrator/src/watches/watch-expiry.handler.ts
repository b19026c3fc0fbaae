import { Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { WatchesRepository } from '@physwatch/db';
import { JobsService } from '../jobs/jobs.service';
import { WatchLifecycleService } from '../watch-lifecycle/watch-lifecycle.service';
import { expiryDelayMs, watchExpiryJob } from './watch-expiry.job';

@Injectable()
export class WatchExpiryHandler implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobsService,
    private readonly lifecycle: WatchLifecycleService,
    private readonly watches: WatchesRepository,
  ) {}

  onModuleInit(): void {
    // Idempotent: ending a watch that already ended changes nothing.
    this.jobs.register(watchExpiryJob, async ({ watchId }) => {
      await this.lifecycle.end(watchId, 'expired');
    });
  }

  /** Re-enqueue at start, in case Redis lost jobs; the jobId makes duplicates harmless. */
  async onApplicationBootstrap(): Promise<void> {
    for (const watch of await this.watches.listActive()) {
      if (watch.expiresAt) this.jobs.enqueueDetached(watchExpiryJob, { watchId: watch.id }, { delayMs: expiryDelayMs(watch.expiresAt) });
    }
  }
}
