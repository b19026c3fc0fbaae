import type { Database, EndedWatchState, Repositories } from '@physwatch/db';
import type { AuditTrail } from '../auth/audit-entry';
import type { Logger } from '../config/logger';
import type { DesiredStateBus } from '../desired-state/desired-state.bus';
import type { MetricsService } from '../metrics/metrics.service';

/** What ending a watch touches; WatchesService and the scheduler leader both hold these. */
export interface WatchEnding {
  db: Database;
  bus: DesiredStateBus;
  metrics: MetricsService;
  logger: Logger;
}

/**
 * The one way a watch ends (stopped, expired, exhausted): the row gets its final state and
 * ended_at, its assignments are removed, the hosts' generations bumped and their streams
 * told. Only an active watch ends, so whichever caller comes first wins and the rest get
 * false: the end happens once.
 */
export async function endWatch(deps: WatchEnding, id: string, state: EndedWatchState, audit?: AuditTrail): Promise<boolean> {
  const hosts = await deps.db.transaction(async (tx) => {
    // A person's stop is audited with it; expiry and exhaustion are the system's own.
    if (audit) await audit.record(tx, id);
    return endWatchIn(tx, deps.bus, id, state);
  });
  if (hosts === null) return false;
  deps.metrics.watchesEnded.inc({ state });
  deps.logger.info({ watchId: id, state, hosts: hosts.length }, 'watch ended');
  return true;
}

/**
 * endWatch's change inside the caller's transaction (a hunt ends a stage watch that lost
 * its last host in the same transaction that moved the host); the hosts it was removed from,
 * or null when the watch had already ended.
 */
export async function endWatchIn(tx: Repositories, bus: DesiredStateBus, id: string, state: EndedWatchState): Promise<string[] | null> {
  // Same lock order as a scheduler pass (placement, then rows), so the two never deadlock.
  await tx.lockPlacement();
  if (!(await tx.watches.end(id, state))) return null;
  const hosts = await tx.assignments.markRemoved(id);
  await tx.hosts.bumpDesiredGeneration(hosts);
  if (hosts.length > 0) await bus.publish(tx, { kind: 'watch', watchId: id });
  return hosts;
}

/**
 * Ends, as expired, every active watch already past its expires_at. The watch's delayed
 * job (watch-expiry.job.ts) is what normally ends it; the scheduler leader calls this on
 * every tick so a watch whose job Redis lost still ends, through the same endWatch.
 */
export async function endOverdueWatches(deps: WatchEnding, now = new Date()): Promise<string[]> {
  const overdue = (await deps.db.repos.watches.listActive()).filter((w) => w.expiresAt !== null && w.expiresAt.getTime() <= now.getTime());
  const ended: string[] = [];
  for (const watch of overdue) if (await endWatch(deps, watch.id, 'expired')) ended.push(watch.id);
  return ended;
}
