import { Inject, Injectable } from '@nestjs/common';
import { Database, WatchesRepository } from '@physwatch/db';
import type { HitBatch__Output } from '@physwatch/proto';
import { AgentProtocolError } from '../common/errors';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import { KdumpJobsHandler } from '../kdump/kdump-jobs.handler';
import { MetricsService } from '../metrics/metrics.service';
import { WatchesService } from '../watches/watches.service';
import { fromWireHit, hitBatchProblem, maxSeq } from './hit-wire';

export interface IngestResult {
  /** What to ack: every hit of the boot up to here is stored. */
  upToSeq: string;
  inserted: number;
  duplicates: number;
}

@Injectable()
export class HitIngestService {
  constructor(
    private readonly db: Database,
    private readonly watches: WatchesRepository,
    private readonly kdump: KdumpJobsHandler,
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
    private readonly watchesService: WatchesService,
    private readonly metrics: MetricsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Stores a batch in one statement (exactly once per host, boot, seq) and, in the same
   * transaction, a kdump job for each new hit whose watch asks for one; resolves after commit.
   */
  async ingest(hostId: string, batch: HitBatch__Output): Promise<IngestResult> {
    const problem = hitBatchProblem(batch);
    if (problem) throw new AgentProtocolError(problem);
    const { result, kdumpJobs } = await this.db.transaction(async (tx) => {
      const result = await tx.hits.insertBatch(hostId, batch.boot_id, batch.hits.map(fromWireHit));
      const kdumpJobs = result.stored.length === 0 ? [] : await tx.kdumpJobs.createForHits(result.stored.map((s) => s.id), this.config.kdump.deferMaxMs);
      return { result, kdumpJobs };
    });
    // Postgres is the truth: a job whose enqueue is lost is re-enqueued by the sweep.
    for (const job of kdumpJobs) {
      this.logger.info({ hostId, bootId: batch.boot_id, kdumpJobId: job.id, hitId: job.hitId }, 'kdump job queued for a kdump_on_hit hit');
      this.kdump.continueJob({ hitId: job.hitId, state: 'queued' });
    }
    const upToSeq = maxSeq(batch);
    this.metrics.hitsReceived.inc(batch.hits.length);
    this.metrics.hitsStored.inc(result.inserted);
    this.metrics.hitsDuplicate.inc(result.duplicates);
    this.metrics.hitsUnknownWatch.inc(result.unknownWatch);
    const log = { hostId, bootId: batch.boot_id, seq: upToSeq, hits: batch.hits.length, inserted: result.inserted, duplicates: result.duplicates };
    if (result.unknownWatch > 0) this.logger.warn({ ...log, unknownWatch: result.unknownWatch }, 'hits for unknown watches dropped');
    this.logger.info({ ...log, watchIds: [...result.insertedByWatch.keys()] }, 'hit batch stored');
    // Per hit only at debug: at fleet rates one line per hit would dominate the log.
    if (this.logger.isLevelEnabled('debug')) {
      for (const hit of batch.hits) this.logger.debug({ hostId, bootId: batch.boot_id, seq: hit.seq, watchId: hit.watch_id }, 'hit received');
    }
    await this.exhaust([...result.insertedByWatch.keys()]);
    return { upToSeq, inserted: result.inserted, duplicates: result.duplicates };
  }

  /** Fleet-wide max_hits: a watch whose stored hits reached it ends as exhausted (live or recovered hits). */
  async exhaust(watchIds: string[]): Promise<void> {
    for (const watchId of await this.watches.reachedMaxHits(watchIds)) {
      await this.watchesService.end(watchId, 'exhausted');
    }
  }
}
