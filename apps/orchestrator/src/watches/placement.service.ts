import { Injectable } from '@nestjs/common';
import type { Repositories } from '@physwatch/db';
import { SchedulerPass } from '../scheduler/scheduler-pass';

export interface ArrivingHost {
  id: string;
  /** Reported and operator labels merged, the operator's winning (HostsRepository.upsertConnected). */
  labels: Record<string, string>;
  capabilities: Record<string, unknown>;
}

function maxWatches(capabilities: Record<string, unknown>): number | null {
  const raw = Number(capabilities.max_watches ?? capabilities.maxWatches ?? 0);
  return Number.isInteger(raw) && raw > 0 ? raw : null;
}

/**
 * The two ways placement happens inside the caller's transaction, both through the
 * scheduler (packages/core schedule): a new watch meets the fleet; a host arrives and
 * meets the active watches. Both take the placement lock, so a watch created while a
 * host says Hello reaches it either way.
 */
@Injectable()
export class PlacementService {
  constructor(private readonly pass: SchedulerPass) {}

  /** Returns the hosts the watch was placed on now (a canary first, when it has one). */
  async placeWatch(tx: Repositories, watchId: string): Promise<string[]> {
    return (await this.pass.run(tx, [watchId])).hosts;
  }

  /** After a host's labels changed: one pass over every active watch (adds and removes). Returns the watches whose hosts changed. */
  async replan(tx: Repositories): Promise<string[]> {
    return (await this.pass.run(tx)).watches;
  }

  /** Returns the ids of the watches the host should run. Its generation is bumped regardless: it just (re)connected. */
  async placeHost(tx: Repositories, host: ArrivingHost): Promise<string[]> {
    const placed = await this.pass.placeHost(tx, { id: host.id, labels: host.labels, maxWatches: maxWatches(host.capabilities), online: true, capabilities: host.capabilities });
    await tx.hosts.bumpDesiredGeneration([host.id]);
    return placed;
  }
}
