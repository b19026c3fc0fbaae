import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DelayedError, Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import Redis from 'ioredis';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import { JobContext, JobDefinition, JobHandler } from './job-definition';

const QUEUE = 'jobs';

/** Injection token: every job definition the app runs. */
export const JOB_DEFINITIONS = Symbol('JobDefinitions');

/**
 * The BullMQ queue and worker of this replica. Keys are prefixed with the database schema,
 * so each deployment (and each test run) has queues of its own.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnApplicationShutdown {
  /** BullMQ's blocking commands need maxRetriesPerRequest: null. */
  private readonly connection: Redis;
  /** Health checks must fail fast when Redis is away, not queue forever. */
  private readonly probe: Redis;
  private readonly queue: Queue;
  private readonly handlers = new Map<string, { definition: JobDefinition<unknown>; handler: JobHandler<unknown> }>();
  private worker: Worker | null = null;
  readonly prefix: string;

  constructor(
    @Inject(CONFIG) config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(JOB_DEFINITIONS) private readonly definitions: ReadonlyArray<JobDefinition<never>>,
  ) {
    this.prefix = `physwatch:${config.databaseSchema}`;
    this.connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
    this.probe = new Redis(config.redisUrl, { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
    this.connection.on('error', (err) => this.logger.warn({ err: err.message }, 'redis connection error'));
    this.probe.on('error', () => undefined);
    this.queue = new Queue(QUEUE, { connection: this.connection, prefix: this.prefix });
    this.queue.on('error', (err) => this.logger.warn({ err: err.message }, 'job queue error'));
  }

  register<P>(definition: JobDefinition<P>, handler: JobHandler<P>): void {
    if (this.handlers.has(definition.name)) throw new Error(`job ${definition.name} has two handlers`);
    this.handlers.set(definition.name, { definition: definition as JobDefinition<unknown>, handler: handler as JobHandler<unknown> });
  }

  async enqueue<P>(definition: JobDefinition<P>, payload: P, extra: { delayMs?: number } = {}): Promise<void> {
    const checked = definition.payload.parse(payload);
    await this.queue.add(definition.name, checked, { ...definition.options(checked), delay: Math.max(0, extra.delayMs ?? 0) });
  }

  /**
   * Adds the job unless one with its id exists (waiting, delayed, active); true when it was
   * missing. For sweeps that restore jobs Redis lost: the add itself stays idempotent.
   */
  async ensure<P>(definition: JobDefinition<P>, payload: P): Promise<boolean> {
    const checked = definition.payload.parse(payload);
    const jobId = definition.options(checked).jobId;
    if (jobId && (await this.queue.getJob(jobId))) return false;
    await this.enqueue(definition, checked);
    return true;
  }

  /**
   * For callers whose truth is already in Postgres: with Redis away the add waits in the
   * client's offline queue and runs when Redis is back, and the caller does not wait for it.
   */
  enqueueDetached<P>(definition: JobDefinition<P>, payload: P, extra: { delayMs?: number } = {}): void {
    this.enqueue(definition, payload, extra).catch((err: Error) =>
      this.logger.error({ job: definition.name, payload, err: err.message }, 'could not enqueue job'),
    );
  }

  /** Every known job has exactly one handler before the worker takes jobs. */
  onApplicationBootstrap(): void {
    const missing = this.definitions.filter((d) => !this.handlers.has(d.name)).map((d) => d.name);
    const unknown = [...this.handlers.keys()].filter((name) => !this.definitions.some((d) => d.name === name));
    if (missing.length > 0 || unknown.length > 0) {
      throw new Error(`job handlers do not match definitions: missing ${missing.join(', ') || 'none'}; unknown ${unknown.join(', ') || 'none'}`);
    }
    this.worker = new Worker(
      QUEUE,
      async (job, token) => {
        const entry = this.handlers.get(job.name);
        if (!entry) throw new UnrecoverableError(`no handler for job ${job.name}`);
        const payload = entry.definition.payload.safeParse(job.data);
        if (!payload.success) throw new UnrecoverableError(`job ${job.name} has a bad payload: ${payload.error.message}`);
        await entry.handler(payload.data, jobContext(job, token));
      },
      { connection: this.connection, prefix: this.prefix, concurrency: 4 },
    );
    this.worker.on('failed', (job, err) => this.logger.error({ job: job?.name, jobId: job?.id, err: err.message }, 'job failed'));
    this.worker.on('error', (err) => this.logger.warn({ err: err.message }, 'job worker error'));
  }

  async ping(): Promise<void> {
    if (this.probe.status === 'wait' || this.probe.status === 'end') await this.probe.connect();
    await this.probe.ping();
  }

  /** With Redis away, a graceful close would wait for it forever: then just disconnect. */
  async onApplicationShutdown(): Promise<void> {
    const reachable = this.connection.status === 'ready';
    await this.worker?.close(!reachable);
    await this.queue.close();
    for (const client of [this.connection, this.probe]) {
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    }
  }
}

function jobContext(job: Job, token: string | undefined): JobContext {
  return {
    attemptsMade: job.attemptsMade,
    async retryAt(timestamp: number): Promise<never> {
      await job.moveToDelayed(timestamp, token);
      // Tells the worker the job was moved on purpose: neither completed nor failed.
      throw new DelayedError();
    },
  };
}
