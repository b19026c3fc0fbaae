import { Inject, Injectable } from '@nestjs/common';
import { parseWatchSpec, schedule, SchedWatch, WatchPlan, WatchSpec } from '@physwatch/core';
import type { ActiveAssignment, Repositories, SchedulableHost } from '@physwatch/db';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { DesiredStateBus } from '../desired-state/desired-state.bus';
import { placesAnywhere, toSchedHost, toSchedWatch } from './sched-watch';

export interface PassResult {
  /** Watches whose placements changed. */
  watches: string[];
  /** Hosts whose desired set changed (their generations were bumped). */
  hosts: string[];
}

type Pair = { watchId: string; hostId: string };

/** No stored watch has this id: the scheduler counts every real assignment against the preview. */
const PREVIEW_ID = '0';

/**
 * One scheduler pass inside the caller's transaction: read the fleet, compute the plans
 * (packages/core schedule), write the difference, bump the changed hosts' generations and
 * tell the replicas holding their streams. The transaction-level placement lock makes
 * passes from any replica (REST, Hello, the leader's tick) run one after another.
 */
@Injectable()
export class SchedulerPass {
  constructor(
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
    private readonly bus: DesiredStateBus,
  ) {}

  /** Recomputes `watchIds` (every active watch when omitted) over the whole fleet. */
  async run(tx: Repositories, watchIds?: readonly string[]): Promise<PassResult> {
    await tx.lockPlacement();
    const now = new Date();
    const watches = await this.loadWatches(tx, watchIds);
    const hosts = await tx.hosts.listSchedulable(this.config.hostOfflineAfterMs);
    const assignments = await tx.assignments.listActive();
    const plans = schedule({ watches, hosts: hosts.map(toSchedHost), assignments, now });
    return this.apply(tx, plans, assignments);
  }

  /** Plans for a read-only view (which hosts wait, and why); writes nothing. */
  async plan(tx: Repositories, watchId: string): Promise<{ plan: WatchPlan | null; hosts: SchedulableHost[]; assignments: ActiveAssignment[] }> {
    const watches = await this.loadWatches(tx, [watchId]);
    const hosts = await tx.hosts.listSchedulable(this.config.hostOfflineAfterMs);
    const assignments = await tx.assignments.listActive();
    const plans = schedule({ watches, hosts: hosts.map(toSchedHost), assignments, now: new Date() });
    return { plan: plans.get(watchId) ?? null, hosts, assignments };
  }

  /** Where a watch not yet stored would go now, against the fleet as it stands; writes nothing. */
  async preview(tx: Repositories, spec: WatchSpec): Promise<WatchPlan> {
    const watch = toSchedWatch(PREVIEW_ID, spec);
    const hosts = await tx.hosts.listSchedulable(this.config.hostOfflineAfterMs);
    const assignments = await tx.assignments.listActive();
    return schedule({ watches: [watch], hosts: hosts.map(toSchedHost), assignments, now: new Date() }).get(PREVIEW_ID)!;
  }

  /**
   * A host said Hello: place the watches that go everywhere at once on it alone, without
   * reading the fleet (thousands of agents reconnect together). Watches with a rollout
   * policy reach it on the leader's next pass.
   */
  async placeHost(tx: Repositories, host: SchedulableHost): Promise<string[]> {
    await tx.lockPlacement();
    const now = new Date();
    const watches = (await this.loadWatches(tx)).filter((w) => placesAnywhere(w, now));
    const assignments = await tx.assignments.listActiveForHost(host.id);
    const plans = schedule({ watches, hosts: [toSchedHost(host)], assignments, now });
    const add = [...plans.values()].filter((p) => p.hosts.includes(host.id) && !assignments.some((a) => a.watchId === p.watchId));
    await tx.assignments.applyPlan(add.map((p) => ({ watchId: p.watchId, hostId: host.id })), []);
    return [...plans.values()].filter((p) => p.hosts.includes(host.id)).map((p) => p.watchId);
  }

  private async loadWatches(tx: Repositories, ids?: readonly string[]): Promise<SchedWatch[]> {
    const wanted = ids ? new Set(ids) : null;
    const rows = (await tx.watches.listActive()).filter((w) => wanted === null || wanted.has(w.id));
    const specs = rows.map((row) => ({ id: row.id, spec: parseWatchSpec(row.spec, null) }));
    const hits = await tx.hits.countByHost(specs.filter((s) => s.spec.maxHitsPerHost !== null).map((s) => s.id));
    return specs.map((s) => toSchedWatch(s.id, s.spec, hits.get(s.id)));
  }

  private async apply(tx: Repositories, plans: Map<string, WatchPlan>, assignments: readonly ActiveAssignment[]): Promise<PassResult> {
    const current = new Map<string, Set<string>>();
    for (const a of assignments) {
      if (!current.has(a.watchId)) current.set(a.watchId, new Set());
      current.get(a.watchId)!.add(a.hostId);
    }
    const add: Pair[] = [];
    const remove: Pair[] = [];
    const changedWatches = new Set<string>();
    for (const plan of plans.values()) {
      const had = current.get(plan.watchId) ?? new Set<string>();
      const want = new Set(plan.hosts);
      for (const hostId of want) if (!had.has(hostId)) add.push({ watchId: plan.watchId, hostId });
      for (const hostId of had) if (!want.has(hostId)) remove.push({ watchId: plan.watchId, hostId });
    }
    for (const pair of [...add, ...remove]) changedWatches.add(pair.watchId);
    const hosts = await tx.assignments.applyPlan(add, remove);
    await tx.hosts.bumpDesiredGeneration(hosts);
    // One small event per watch: each replica looks up which of its own streams it concerns.
    for (const watchId of changedWatches) await this.bus.publish(tx, { kind: 'watch', watchId });
    return { watches: [...changedWatches], hosts };
  }
}
