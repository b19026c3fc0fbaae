import { Inject, Injectable } from '@nestjs/common';
import { HuntSpec, huntSpecToJson, parseHuntSpec, selectsHost } from '@physwatch/core';
import type { HuntDetailView, HuntView } from '@physwatch/core';
import { Database, HuntState } from '@physwatch/db';
import type { AuditTrail } from '../auth/audit-entry';
import { InvalidRequestError, NotFoundError } from '../common/errors';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import { WatchLifecycleService } from '../watch-lifecycle/watch-lifecycle.service';
import { HuntEngine } from './hunt-engine.service';
import { huntDetailJson, huntJson } from './hunt.view';

/** The hunt view counts a host's hits at its stage up to this, and takes the median of its newest VIEW_BRACKETS brackets. */
const VIEW_COUNT_CAP = 1_000_000;
const VIEW_BRACKETS = 5;

/** Which hosts a manual advance or hold names: some by id, or every host of a cohort (label values). */
export interface HostChoice {
  hostIds?: string[];
  cohort?: Record<string, string>;
}

/**
 * Hunts as people drive them (REST, CLI). Every change is audited in the transaction that
 * makes it and stored on the hunt's timeline with who did it; stage changes by hand go
 * through the same conditional transition as the engine's (reason "manual by <actor>").
 */
@Injectable()
export class HuntsService {
  constructor(
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly db: Database,
    private readonly engine: HuntEngine,
    private readonly lifecycle: WatchLifecycleService,
  ) {}

  /** Stores the hunt, puts every selected host at stage 0 and places the stage 0 watch, all in one transaction. */
  async create(spec: HuntSpec, actor: string, audit: AuditTrail): Promise<HuntDetailView> {
    const id = await this.db.transaction(async (tx) => {
      const row = await tx.hunts.create({ name: spec.name, spec: huntSpecToJson(spec), createdBy: actor });
      await audit.record(tx, row.id);
      await tx.hunts.addEvent({ huntId: row.id, kind: 'created', message: `created by ${actor} with ${spec.stages.length} stages`, actor });
      const fleet = await tx.hosts.listSchedulable(this.config.hostOfflineAfterMs);
      await tx.hunts.addHosts(row.id, fleet.filter((h) => selectsHost(spec.hosts, h)).map((h) => h.id));
      await this.engine.realise(tx, row.id, spec);
      return row.id;
    });
    this.logger.info({ huntId: id, stages: spec.stages.length }, 'hunt created');
    return this.get(id);
  }

  async list(state?: HuntState): Promise<HuntView[]> {
    const rows = await this.db.hunts.list(state);
    const out: HuntView[] = [];
    for (const row of rows) out.push(huntJson(row, await this.db.hunts.listHosts(row.id)));
    return out;
  }

  async get(id: string): Promise<HuntDetailView> {
    const row = await this.find(id);
    const spec = parseHuntSpec(row.spec);
    const [hosts, watches, timeline, stats, history] = await Promise.all([
      this.db.hunts.listHosts(id),
      this.db.hunts.stageWatches(id),
      this.db.hunts.timeline(id),
      this.db.hunts.hitStats(id, { countCap: VIEW_COUNT_CAP, brackets: VIEW_BRACKETS }),
      this.db.hunts.stageWatchHistory(id),
    ]);
    return huntDetailJson(row, spec, hosts, watches, timeline, stats, history);
  }

  async spec(id: string): Promise<HuntSpec> {
    return parseHuntSpec((await this.find(id)).spec);
  }

  private async find(id: string) {
    const row = /^[0-9]{1,18}$/.test(id) ? await this.db.hunts.get(id) : null;
    if (!row) throw new NotFoundError('hunt', id);
    return row;
  }

  /** Pause: no transition is made while paused; the watches stay where they are. Resume undoes it. */
  async setPaused(id: string, paused: boolean, actor: string, audit: AuditTrail): Promise<HuntDetailView> {
    await this.find(id);
    await this.db.transaction(async (tx) => {
      await audit.record(tx, id);
      const moved = paused ? await tx.hunts.setState(id, ['active'], 'paused') : await tx.hunts.setState(id, ['paused'], 'active');
      if (moved) await tx.hunts.addEvent({ huntId: id, kind: paused ? 'paused' : 'resumed', message: `${paused ? 'paused' : 'resumed'} by ${actor}`, actor });
    });
    return this.get(id);
  }

  /**
   * Hold hosts at their stage (or release them), or the whole hunt at a stage (null releases):
   * the engine moves no held host, and no host past a held hunt's stage.
   */
  async hold(id: string, body: { hosts: HostChoice | null; stage: number | null | undefined; release: boolean }, actor: string, audit: AuditTrail): Promise<HuntDetailView> {
    const spec = await this.spec(id);
    if (body.stage !== undefined && body.stage !== null && body.stage >= spec.stages.length) {
      throw new InvalidRequestError([{ field: 'stage', reason: `${body.stage} is not a stage of this hunt (0 to ${spec.stages.length - 1})` }]);
    }
    await this.db.transaction(async (tx) => {
      await audit.record(tx, id);
      if (body.hosts) {
        const ids = await this.chooseHosts(tx.hunts.listHosts.bind(tx.hunts), id, body.hosts);
        const changed = await tx.hunts.setHostsHeld(id, ids, !body.release);
        for (const hostId of changed) {
          await tx.hunts.addEvent({ huntId: id, kind: body.release ? 'released' : 'held', hostId, message: `${body.release ? 'released' : 'held at its stage'} by ${actor}`, actor });
        }
      } else if (body.stage !== undefined) {
        const stage = body.release ? null : body.stage;
        await tx.hunts.setHeldStage(id, stage);
        await tx.hunts.addEvent({ huntId: id, kind: stage === null ? 'released' : 'held', stage, message: stage === null ? `hunt released by ${actor}` : `hunt held at stage ${stage} by ${actor}`, actor });
      }
    });
    return this.get(id);
  }

  /** Moves the chosen hosts up one stage each, by hand; then realises the stages at once. */
  async advance(id: string, choice: HostChoice, actor: string, audit: AuditTrail): Promise<HuntDetailView> {
    const row = await this.find(id);
    if (row.state === 'stopped') throw new InvalidRequestError([{ field: '(hunt)', reason: 'the hunt is stopped' }]);
    const spec = parseHuntSpec(row.spec);
    await this.db.transaction(async (tx) => {
      await audit.record(tx, id);
      const hosts = await tx.hunts.listHosts(id);
      const ids = new Set(await this.chooseHosts(async () => hosts, id, choice));
      for (const h of hosts) {
        if (!ids.has(h.hostId) || h.stage >= spec.stages.length - 1) continue;
        await tx.hunts.transition(id, h.hostId, h.stage, `manual by ${actor}`, `manual by ${actor}`);
      }
      await this.engine.realise(tx, id, spec);
    });
    return this.get(id);
  }

  /** The stage a manual advance of `choice` reaches at most: what the role check looks at. */
  async highestStageAfterAdvance(id: string, choice: HostChoice): Promise<{ spec: HuntSpec; stage: number }> {
    const spec = await this.spec(id);
    const hosts = await this.db.hunts.listHosts(id);
    const ids = new Set(await this.chooseHosts(async () => hosts, id, choice));
    const stages = hosts.filter((h) => ids.has(h.hostId)).map((h) => Math.min(h.stage + 1, spec.stages.length - 1));
    return { spec, stage: Math.max(-1, ...stages) };
  }

  /** Stops the hunt and ends each of its watches the one way a watch ends (WatchLifecycleService). */
  async stop(id: string, actor: string, audit: AuditTrail): Promise<HuntDetailView> {
    await this.find(id);
    const stopped = await this.db.transaction(async (tx) => {
      // After any realise in flight (it holds this lock and re-reads the state under it).
      await tx.lockPlacement();
      await audit.record(tx, id);
      const moved = await tx.hunts.setState(id, ['active', 'paused'], 'stopped');
      if (moved) await tx.hunts.addEvent({ huntId: id, kind: 'stopped', message: `stopped by ${actor}`, actor });
      return moved;
    });
    // Also after a stop that found the hunt stopped: a crash between the two left watches behind.
    for (const w of await this.db.hunts.stageWatches(id)) await this.lifecycle.end(w.watchId, 'stopped');
    if (stopped) this.logger.info({ huntId: id }, 'hunt stopped');
    return this.get(id);
  }

  private async chooseHosts(list: (huntId: string) => Promise<Array<{ hostId: string; labels: Record<string, string> }>>, id: string, choice: HostChoice): Promise<string[]> {
    const hosts = await list(id);
    if (choice.hostIds) {
      const known = new Set(hosts.map((h) => h.hostId));
      const missing = choice.hostIds.findIndex((h) => !known.has(h));
      if (missing >= 0) throw new InvalidRequestError([{ field: `host_ids[${missing}]`, reason: `${choice.hostIds[missing]} is not a host of this hunt` }]);
      return choice.hostIds;
    }
    const cohort = choice.cohort ?? {};
    return hosts.filter((h) => Object.entries(cohort).every(([k, v]) => h.labels[k] === v)).map((h) => h.hostId);
  }
}
