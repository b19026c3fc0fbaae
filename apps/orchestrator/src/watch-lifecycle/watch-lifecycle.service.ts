import { Inject, Injectable } from '@nestjs/common';
import { Database } from '@physwatch/db';
import type { EndedWatchState, Repositories } from '@physwatch/db';
import type { AuditTrail } from '../auth/audit-entry';
import { Logger, LOGGER } from '../config/logger';
import { DesiredStateBus } from '../desired-state/desired-state.bus';
import { MetricsService } from '../metrics/metrics.service';

/**
 * The one owner of how a watch ends (stopped, expired, exhausted), whoever asks: a person's
 * stop (watches, hunts), its expiry job (watches) and the leader's overdue sweep (scheduler),
 * max_hits reached (hits), a hunt stage left without hosts (hunts). It depends on none of them.
 */
@Injectable()
export class WatchLifecycleService {
  constructor(
    private readonly db: Database,
    private readonly bus: DesiredStateBus,
    private readonly metrics: MetricsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * The row gets its final state and ended_at, its assignments are removed, the hosts'
   * generations bumped and their streams told. Only an active watch ends, so whichever caller
   * comes first wins and the rest get false: the end happens once.
   */
  async end(id: string, state: EndedWatchState, audit?: AuditTrail): Promise<boolean> {
    const hosts = await this.db.transaction(async (tx) => {
      // A person's stop is audited with it; expiry and exhaustion are the system's own.
      if (audit) await audit.record(tx, id);
      return this.endIn(tx, id, state);
    });
    if (hosts === null) return false;
    this.metrics.watchesEnded.inc({ state });
    this.logger.info({ watchId: id, state, hosts: hosts.length }, 'watch ended');
    return true;
  }

  /**
   * end's change inside the caller's transaction (a hunt ends a stage watch that lost its
   * last host in the same transaction that moved the host); the hosts it was removed from,
   * or null when the watch had already ended.
   */
  async endIn(tx: Repositories, id: string, state: EndedWatchState): Promise<string[] | null> {
    // Same lock order as a scheduler pass (placement, then rows), so the two never deadlock.
    await tx.lockPlacement();
    if (!(await tx.watches.end(id, state))) return null;
    const hosts = await tx.assignments.markRemoved(id);
    await tx.hosts.bumpDesiredGeneration(hosts);
    if (hosts.length > 0) await this.bus.publish(tx, { kind: 'watch', watchId: id });
    return hosts;
  }

  /**
   * Ends, as expired, every active watch already past its expires_at. The watch's delayed
   * job (watches/watch-expiry.job.ts) is what normally ends it; the scheduler leader calls
   * this on every tick so a watch whose job Redis lost still ends, through the same end.
   */
  async endOverdue(now = new Date()): Promise<string[]> {
    const overdue = (await this.db.repos.watches.listActive()).filter((w) => w.expiresAt !== null && w.expiresAt.getTime() <= now.getTime());
    const ended: string[] = [];
    for (const watch of overdue) if (await this.end(watch.id, 'expired')) ended.push(watch.id);
    return ended;
  }
}
