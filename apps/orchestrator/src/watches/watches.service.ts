import { Inject, Injectable } from '@nestjs/common';
import { destructiveKind, isDestructive, WatchSpec, watchSpecToJson } from '@physwatch/core';
import type { WatchDetailView, WatchHostsView, WatchPreviewView, WatchView } from '@physwatch/core';
import { AssignmentsRepository, Database, WatchesRepository, WatchRow, WatchState } from '@physwatch/db';
import type { AuditTrail } from '../auth/audit-entry';
import { NotFoundError } from '../common/errors';
import { Logger, LOGGER } from '../config/logger';
import { JobsService } from '../jobs/jobs.service';
import { SchedulerPass } from '../scheduler/scheduler-pass';
import { WatchLifecycleService } from '../watch-lifecycle/watch-lifecycle.service';
import { PlacementService } from './placement.service';
import { watchHostsJson } from './watch-hosts.view';
import { expiryDelayMs, watchExpiryJob } from './watch-expiry.job';
import { watchDetailJson, watchJson } from './watch.view';

@Injectable()
export class WatchesService {
  constructor(
    private readonly db: Database,
    private readonly watches: WatchesRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly placement: PlacementService,
    private readonly pass: SchedulerPass,
    private readonly lifecycle: WatchLifecycleService,
    private readonly jobs: JobsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Stores a parsed spec, places it on matching known hosts, tells their streams; audited in the same transaction. */
  async create(spec: WatchSpec, audit: AuditTrail): Promise<WatchView> {
    const { row, hosts } = await this.db.transaction(async (tx) => {
      const row = await tx.watches.create({ name: spec.name, spec: watchSpecToJson(spec), expiresAt: spec.expiresAt, maxHits: spec.maxHits });
      await audit.record(tx, row.id);
      const hosts = await this.placement.placeWatch(tx, row.id);
      return { row, hosts };
    });
    this.logger.info({ watchId: row.id, hosts: hosts.length, name: row.name }, 'watch created');
    if (row.expiresAt) this.jobs.enqueueDetached(watchExpiryJob, { watchId: row.id }, { delayMs: expiryDelayMs(row.expiresAt) });
    return this.summary(row.id);
  }

  /** Where the watch would be placed if created now; nothing is stored. */
  async preview(spec: WatchSpec): Promise<WatchPreviewView> {
    const plan = await this.pass.preview(this.db.repos, spec);
    return {
      dry_run: true,
      spec: watchSpecToJson(spec),
      placed: plan.hosts,
      waiting: plan.waiting.map((w) => ({ host_id: w.hostId, reason: w.reason, message: w.message })),
    };
  }

  /** The watch with its per-host assignments. */
  async get(id: string): Promise<WatchDetailView> {
    const row = await this.find(id);
    const assignments = await this.assignments.listForWatch(id);
    const counts = await this.assignments.countsByWatch([id]);
    return watchDetailJson(row, counts.get(id)!, assignments);
  }

  private async find(id: string): Promise<WatchRow> {
    const row = /^[0-9]{1,18}$/.test(id) ? await this.watches.get(id) : null;
    if (!row) throw new NotFoundError('watch', id);
    return row;
  }

  private async summary(id: string): Promise<WatchView> {
    const row = await this.find(id);
    const counts = await this.assignments.countsByWatch([id]);
    return watchJson(row, counts.get(id)!);
  }

  async list(state?: WatchState): Promise<WatchView[]> {
    const rows = await this.watches.list(state);
    const counts = await this.assignments.countsByWatch(rows.map((r) => r.id));
    return rows.map((row) => watchJson(row, counts.get(row.id)!));
  }

  /** Hosts grouped armed / failed / pending (with the scheduler's reason) / offline. */
  async hosts(id: string): Promise<WatchHostsView> {
    const row = await this.find(id);
    const assignments = await this.assignments.listForWatch(id);
    if (row.state !== 'active') return watchHostsJson(id, assignments, null, []);
    const { plan, hosts } = await this.pass.plan(this.db.repos, id);
    return watchHostsJson(id, assignments, plan, hosts);
  }

  /**
   * Pausing holds the rollout where it is (placed hosts keep the watch); resuming lets it
   * expand again at once. Either on an ended watch returns it unchanged.
   */
  async setPaused(id: string, paused: boolean, audit: AuditTrail): Promise<WatchView> {
    await this.find(id);
    const changed = await this.db.transaction(async (tx) => {
      await audit.record(tx, id);
      if (!(await tx.watches.setPaused(id, paused))) return null;
      return this.pass.run(tx, [id]);
    });
    this.logger.info({ watchId: id, paused, hosts: changed?.hosts.length ?? 0 }, paused ? 'watch rollout paused' : 'watch rollout resumed');
    return this.summary(id);
  }

  /** Stopping an ended watch returns it unchanged. */
  async stop(id: string, audit: AuditTrail): Promise<WatchView> {
    await this.find(id);
    await this.lifecycle.end(id, 'stopped', audit);
    return this.summary(id);
  }

  /** "panic", "hang" or "kdump_on_hit" for a watch that can take a host down; null otherwise. */
  async destructiveKindOf(id: string): Promise<string | null> {
    const spec = (await this.find(id)).spec as { action?: string; kdump_on_hit?: boolean };
    const fields = { action: spec.action ?? 'report', kdumpOnHit: spec.kdump_on_hit === true };
    return isDestructive(fields) ? destructiveKind(fields) : null;
  }
}
