import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Database, LeaderLock } from '@physwatch/db';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import { KdumpJobsHandler } from '../kdump/kdump-jobs.handler';
import { WatchLifecycleService } from '../watch-lifecycle/watch-lifecycle.service';
import { SchedulerPass } from './scheduler-pass';

const KDUMP_SWEEP_MS = 2000;

/**
 * The periodic half of scheduling, run by one replica at a time: the one holding the
 * session-level advisory lock (LeaderLock). Every tick, each replica that is not leader
 * tries to take the lock (so a dead leader is replaced within a tick of Postgres closing
 * its session); the leader recomputes every active watch, which is what moves rollouts
 * on as time passes: canary soak ends, start times arrive, hosts go offline, watches with
 * a rollout policy reach hosts that arrived since. Before the pass it ends any watch past
 * its expires_at through WatchLifecycleService (the watch's delayed job normally got there first; this
 * covers a job Redis lost). The leader also sweeps kdump jobs: each row not in a final
 * state gets its job re-enqueued (same id: a no-op while it exists).
 */
@Injectable()
export class SchedulerLeaderService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly lock: LeaderLock;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private wasLeader = false;
  private lastSweep = 0;
  private readonly leaderTasks: Array<{ name: string; run: () => Promise<void> }> = [];

  constructor(
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly db: Database,
    private readonly pass: SchedulerPass,
    private readonly kdump: KdumpJobsHandler,
    private readonly lifecycle: WatchLifecycleService,
  ) {
    this.lock = new LeaderLock(config.databaseUrl, config.databaseSchema);
  }

  /**
   * Work that must run on one replica at a time, after each pass, in the leader's tick (the
   * hunt engine registers itself here: HuntsModule depends on the scheduler, not the reverse).
   */
  addLeaderTask(name: string, run: () => Promise<void>): void {
    this.leaderTasks.push({ name, run });
  }

  get isLeader(): boolean {
    return this.lock.isHeld;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.config.schedulerTickMs);
    this.tick();
  }

  /** Runs one tick unless the previous one is still going (a slow pass never piles up). */
  tick(): Promise<void> {
    if (!this.running) this.running = this.once().finally(() => (this.running = null));
    return this.running;
  }

  private async once(): Promise<void> {
    try {
      const leader = await this.lock.tryAcquire();
      if (leader !== this.wasLeader) this.logger.info({ leader }, leader ? 'scheduler leadership taken' : 'scheduler leadership lost');
      this.wasLeader = leader;
      if (!leader) return;
      await this.lifecycle.endOverdue();
      const result = await this.db.transaction((tx) => this.pass.run(tx));
      if (result.hosts.length > 0) this.logger.info({ watches: result.watches, hosts: result.hosts.length }, 'scheduler pass changed placements');
      for (const task of this.leaderTasks) await task.run().catch((err: Error) => this.logger.warn({ task: task.name, err: err.message }, 'leader task failed; retrying next tick'));
      await this.sweepKdump();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'scheduler tick failed; retrying next tick');
    }
  }

  /** At most every KDUMP_SWEEP_MS: one indexed query, and one Redis lookup per unfinished job. */
  private async sweepKdump(): Promise<void> {
    if (Date.now() - this.lastSweep < KDUMP_SWEEP_MS) return;
    this.lastSweep = Date.now();
    await this.kdump.sweep();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.lock.release();
  }
}
