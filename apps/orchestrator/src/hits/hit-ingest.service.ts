import { Inject, Injectable } from '@nestjs/common';
import { AssignmentsRepository, Database, HostsRepository, WatchesRepository } from '@physwatch/db';
import type { HitBatch__Output, RejectedHit } from '@physwatch/proto';
import { OncePerKey } from '../common/once-per-key';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import { ackSeq, admitHits, Rejection, screenHits } from '../hit-intake/hit-admission';
import { fromWireHit } from '../hit-intake/hit-wire';
import { KdumpJobsHandler } from '../kdump/kdump-jobs.handler';
import { MetricsService } from '../metrics/metrics.service';
import { WatchLifecycleService } from '../watch-lifecycle/watch-lifecycle.service';

export interface IngestResult {
  /** What to ack: every hit of the boot up to here is stored. */
  upToSeq: string;
  inserted: number;
  duplicates: number;
  /** Hits that will never be stored, each with why; the agent drops them. */
  rejected: RejectedHit[];
}

@Injectable()
export class HitIngestService {
  private readonly rejectionLogged = new OncePerKey();

  constructor(
    private readonly db: Database,
    private readonly hosts: HostsRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly watches: WatchesRepository,
    private readonly kdump: KdumpJobsHandler,
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
    private readonly lifecycle: WatchLifecycleService,
    private readonly metrics: MetricsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Stores the batch's admitted hits in one statement (exactly once per host, boot, seq) and,
   * in the same transaction, a kdump job for each new hit whose watch asks for one; resolves
   * after commit. A refused hit is never stored and never starts a kdump job: it comes back
   * in `rejected`, is counted and logged once per host and watch.
   */
  async ingest(hostId: string, batch: HitBatch__Output): Promise<IngestResult> {
    const screened = screenHits(batch);
    const watchIds = [...new Set(screened.storable.map((s) => s.hit.watch_id))];
    const [announced, placed] = watchIds.length === 0
      ? [new Set<string>(), new Set<string>()]
      : await Promise.all([this.hosts.announcedBoots(hostId, [batch.boot_id]), this.assignments.everPlaced(hostId, watchIds)]);
    const { admitted, rejected } = admitHits(hostId, batch, screened, { bootAnnounced: announced.has(batch.boot_id), placed });
    // A boot id is at most 128 characters; a hostile one is not copied into every log line whole.
    const bootId = batch.boot_id.length > 128 ? `${batch.boot_id.slice(0, 128)}…` : batch.boot_id;
    this.reportRejected(hostId, bootId, rejected);
    const { result, kdumpJobs } = await this.db.transaction(async (tx) => {
      const result = await tx.hits.insertBatch(hostId, batch.boot_id, admitted.map(fromWireHit));
      const kdumpJobs = result.stored.length === 0 ? [] : await tx.kdumpJobs.createForHits(result.stored.map((s) => s.id), this.config.kdump.deferMaxMs);
      return { result, kdumpJobs };
    });
    // Postgres is the truth: a job whose enqueue is lost is re-enqueued by the sweep.
    for (const job of kdumpJobs) {
      this.logger.info({ hostId, bootId, kdumpJobId: job.id, hitId: job.hitId }, 'kdump job queued for a kdump_on_hit hit');
      this.kdump.continueJob({ hitId: job.hitId, state: 'queued' });
    }
    const upToSeq = ackSeq(batch);
    this.metrics.hitsReceived.inc(batch.hits.length);
    this.metrics.hitsStored.inc(result.inserted);
    const committedMs = Date.now();
    for (const { realtimeNs } of result.stored) this.metrics.hitStoreLatency.observe(Math.max(0, committedMs - Number(BigInt(realtimeNs) / 1_000_000n)) / 1000);
    this.metrics.hitsDuplicate.inc(result.duplicates);
    this.metrics.hitsUnknownWatch.inc(result.unknownWatch);
    const log = { hostId, bootId, seq: upToSeq, hits: batch.hits.length, inserted: result.inserted, duplicates: result.duplicates, rejected: rejected.length };
    if (result.unknownWatch > 0) this.logger.warn({ ...log, unknownWatch: result.unknownWatch }, 'hits for unknown watches dropped');
    this.logger.info({ ...log, watchIds: [...result.insertedByWatch.keys()] }, 'hit batch stored');
    // Per hit only at debug: at fleet rates one line per hit would dominate the log.
    if (this.logger.isLevelEnabled('debug')) {
      for (const hit of batch.hits) this.logger.debug({ hostId, bootId, seq: hit.seq, watchId: hit.watch_id }, 'hit received');
    }
    await this.exhaust([...result.insertedByWatch.keys()]);
    return { upToSeq, inserted: result.inserted, duplicates: result.duplicates, rejected: rejected.map(({ seq, reason }) => ({ seq, reason })) };
  }

  private reportRejected(hostId: string, bootId: string, rejected: readonly Rejection[]): void {
    for (const r of rejected) {
      this.metrics.agentRejected.inc({ message: 'hit', reason: r.kind });
      if (this.rejectionLogged.first(`${hostId}\u0000${r.watchId}\u0000${r.kind}`)) {
        this.logger.warn({ hostId, bootId, watchId: r.watchId, seq: r.seq, kind: r.kind, reason: r.reason }, 'hit rejected: never stored (logged once per host, watch and reason)');
      }
    }
  }

  /** Fleet-wide max_hits: a watch whose stored hits reached it ends as exhausted (live or recovered hits). */
  async exhaust(watchIds: string[]): Promise<void> {
    for (const watchId of await this.watches.reachedMaxHits(watchIds)) {
      await this.lifecycle.end(watchId, 'exhausted');
    }
  }
}
