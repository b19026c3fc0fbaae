import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { decideHunt, HuntSpec, parseHuntSpec, parseInterval, parseWatchSpec, selectsHost, StageHits, stageWatchJson, watchSpecToJson } from '@physwatch/core';
import { Database } from '@physwatch/db';
import type { HuntRow, Repositories } from '@physwatch/db';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import { MetricsService } from '../metrics/metrics.service';
import { SchedulerLeaderService } from '../scheduler/scheduler-leader.service';
import { SchedulerPass } from '../scheduler/scheduler-pass';
import { WatchLifecycleService } from '../watch-lifecycle/watch-lifecycle.service';

/** What a pass reads per host and stage: hits up to the largest after_hits, brackets twice the widest window. */
function statsNeeded(spec: HuntSpec): { countCap: number; brackets: number } {
  return {
    countCap: Math.max(1, ...spec.stages.map((s) => s.advance?.afterHits ?? 0)),
    brackets: Math.max(1, ...spec.stages.map((s) => 2 * (s.advance?.bracketStalled?.window ?? 0))),
  };
}

export interface HuntPassResult {
  transitions: number;
  watchesChanged: number;
}

/**
 * Drives every live hunt, on the scheduler leader after each pass. Level-triggered: each
 * pass reads the hunt, where each host stands and the stored hits, decides with the pure
 * decideHunt, and makes each transition with one conditional statement (HuntsRepository
 * .transition), so a pass run twice, by two replicas, or again after a kill -9 halfway,
 * makes each transition once and skips none. Then it realises the stages as watches: each
 * stage that has hosts is one ordinary watch on the explicit id set of the hosts standing at
 * it, edited here and placed by the one scheduler (SchedulerPass) in the same transaction.
 */
@Injectable()
export class HuntEngine implements OnApplicationBootstrap {
  constructor(
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly db: Database,
    private readonly pass: SchedulerPass,
    private readonly lifecycle: WatchLifecycleService,
    private readonly metrics: MetricsService,
    private readonly leader: SchedulerLeaderService,
  ) {}

  onApplicationBootstrap(): void {
    this.leader.addLeaderTask('hunts', async () => {
      await this.runAll();
    });
  }

  async runAll(): Promise<HuntPassResult> {
    const total: HuntPassResult = { transitions: 0, watchesChanged: 0 };
    for (const hunt of await this.db.hunts.listLive()) {
      // One hunt that cannot be driven (a stage watch the scheduler refuses) must not stall the others.
      const r = await this.runOne(hunt).catch((err: Error) => {
        this.logger.warn({ huntId: hunt.id, err: err.message }, 'hunt pass failed; retrying next tick');
        return { transitions: 0, watchesChanged: 0 };
      });
      total.transitions += r.transitions;
      total.watchesChanged += r.watchesChanged;
    }
    return total;
  }

  /** One hunt's pass: join newly selected hosts, decide, transition, realise the stages. */
  async runOne(hunt: HuntRow): Promise<HuntPassResult> {
    const spec = parseHuntSpec(hunt.spec);
    const fleet = await this.db.hosts.listSchedulable(this.config.hostOfflineAfterMs);
    await this.db.hunts.addHosts(hunt.id, fleet.filter((h) => selectsHost(spec.hosts, h)).map((h) => h.id));
    let transitions = 0;
    if (hunt.state === 'active') {
      const otherPpm = new Map<string, number>();
      for (const c of await this.db.hunts.otherWatchCosts(hunt.id)) {
        const interval = parseInterval(c.interval);
        if (interval.ok) otherPpm.set(c.hostId, (otherPpm.get(c.hostId) ?? 0) + (c.pollNsAvg * 1000) / interval.us);
      }
      const hosts = (await this.db.hunts.listHosts(hunt.id)).map((h) => ({ ...h, otherPpm: otherPpm.get(h.hostId) ?? 0 }));
      const hits = new Map<string, Map<number, StageHits>>();
      for (const s of await this.db.hunts.hitStats(hunt.id, statsNeeded(spec))) {
        if (!hits.has(s.hostId)) hits.set(s.hostId, new Map());
        hits.get(s.hostId)!.set(s.stage, { count: s.count, brackets: s.brackets });
      }
      const decision = decideHunt({ spec, state: hunt.state, heldStage: hunt.heldStage, hosts, hits });
      for (const t of decision.transitions) {
        if (await this.db.hunts.transition(hunt.id, t.hostId, t.from, t.reason, 'engine')) {
          transitions++;
          this.logger.info({ huntId: hunt.id, hostId: t.hostId, from: t.from, to: t.to, reason: t.reason }, 'hunt transition');
        }
      }
      for (const hold of decision.budgetHolds) {
        await this.db.hunts.addEvent({ huntId: hunt.id, kind: 'budget_held', hostId: hold.hostId, stage: hold.stage, message: hold.message, actor: 'engine' });
      }
    }
    const watchesChanged = await this.db.transaction((tx) => this.realise(tx, hunt.id, spec));
    return { transitions, watchesChanged };
  }

  /**
   * Makes each stage's watch hold exactly the hosts standing at that stage: creates the
   * watch when a stage gets its first host, edits its id set, ends it (the one way a watch
   * ends) when its last host left, then runs the scheduler over the changed watches. Under
   * the placement lock, so it reads where hosts stand after any transition that committed.
   * Returns how many watches changed.
   */
  async realise(tx: Repositories, huntId: string, spec: HuntSpec): Promise<number> {
    await tx.lockPlacement();
    const hunt = await tx.hunts.get(huntId);
    if (!hunt || hunt.state === 'stopped') return 0;
    const want = new Map<number, string[]>();
    for (const h of await tx.hunts.listHosts(huntId)) {
      if (!want.has(h.stage)) want.set(h.stage, []);
      want.get(h.stage)!.push(h.hostId);
    }
    const current = new Map((await tx.hunts.stageWatches(huntId)).map((w) => [w.stage, w]));
    const changed: string[] = [];
    let ended = 0;
    for (let stage = 0; stage < spec.stages.length; stage++) {
      const ids = (want.get(stage) ?? []).sort();
      const watch = current.get(stage);
      if (ids.length === 0) {
        if (watch && (await this.lifecycle.endIn(tx, watch.watchId, 'stopped')) !== null) {
          ended++;
          this.metrics.watchesEnded.inc({ state: 'stopped' });
        }
        continue;
      }
      if (watch && sameIds(watch.hostIds, ids)) continue;
      // The one validator: the stage's watch is exactly what POST /watches would accept.
      const json = watchSpecToJson(parseWatchSpec(stageWatchJson(spec, stage, ids, huntId), null));
      if (watch) {
        await tx.hunts.setStageWatchSpec(watch.watchId, json);
        changed.push(watch.watchId);
      } else {
        const row = await tx.watches.create({ name: json.name ?? null, spec: json, expiresAt: null, maxHits: null });
        await tx.hunts.tagWatch(row.id, huntId, stage);
        changed.push(row.id);
      }
    }
    if (changed.length > 0) await this.pass.run(tx, changed);
    return changed.length + ended;
  }
}

function sameIds(a: readonly string[], sortedB: readonly string[]): boolean {
  if (a.length !== sortedB.length) return false;
  const sortedA = [...a].sort();
  return sortedA.every((id, i) => id === sortedB[i]);
}
