/**
 * The three kdump job handlers. Postgres holds each job's state; a handler reads the row,
 * does the one step that state allows, and either finishes, hands over to the next job, or
 * runs itself again a little later (ctx.retryAt) while it waits on the host. Every step is
 * a conditional UPDATE from the states it expects, so a handler run twice (a retry, the
 * sweep, a second replica) changes nothing the second time.
 */
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { crashReplyProblems, describeProblems } from '@physwatch/core';
import { Database, KdumpJobRow, kdumpJobId, KdumpState } from '@physwatch/db';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import { DesiredStateBus } from '../desired-state/desired-state.bus';
import type { JobContext, JobDefinition } from '../jobs/job-definition';
import { JobsService } from '../jobs/jobs.service';
import { MetricsService } from '../metrics/metrics.service';
import { BUDGET_WINDOW_MS, checkBudget } from './kdump-budget';
import { readinessProblem } from './kdump-readiness';
import { awaitRebootJob, collectVmcoreJob, jobForState, KdumpJobPayload, triggerKdumpJob } from './kdump.jobs';

/** How often a job that waits on the host looks again. */
const POLL_MS = 1000;
/** CrashRequests sent for one job before it fails for want of a reply. */
const MAX_CRASH_REQUESTS = 3;
const WAITING: readonly KdumpState[] = ['queued', 'deferred'];

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

@Injectable()
export class KdumpJobsHandler implements OnModuleInit {
  constructor(
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly db: Database,
    private readonly jobs: JobsService,
    private readonly bus: DesiredStateBus,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.jobs.register(triggerKdumpJob, (payload, ctx) => this.step(triggerKdumpJob, payload, (job) => this.trigger(job, ctx)));
    this.jobs.register(awaitRebootJob, (payload, ctx) => this.step(awaitRebootJob, payload, (job) => this.awaitReboot(job, ctx)));
    this.jobs.register(collectVmcoreJob, (payload, ctx) => this.step(collectVmcoreJob, payload, (job) => this.collect(job, ctx)));
  }

  /** Enqueues the job that moves `row` on from its state (nothing for a final state). */
  continueJob(row: Pick<KdumpJobRow, 'hitId' | 'state'>): void {
    const next = jobForState(row.state);
    if (next) this.jobs.enqueueDetached(next, { hit_id: row.hitId });
  }

  /**
   * The scheduler leader's sweep: the job for every row not in a final state, under the same
   * job ids (an add is ignored while that job exists). Covers a Redis that lost its data and
   * an orchestrator killed between a state change and the next job's enqueue.
   */
  async sweep(): Promise<string[]> {
    const restored: string[] = [];
    for (const row of await this.db.kdumpJobs.listUnfinished()) {
      const next = jobForState(row.state);
      if (next && (await this.jobs.ensure(next, { hit_id: row.hitId }))) restored.push(row.id);
    }
    if (restored.length > 0) this.logger.info({ kdumpJobIds: restored }, 'kdump sweep: re-enqueued jobs missing from Redis');
    return restored;
  }

  /** The agent's answer to a CrashRequest, on the replica holding its stream. */
  /** Accepted only for a request addressed to this host; anything else changes no job. */
  async onCrashReply(hostId: string, reply: { request_id: string; accepted: boolean; reason: string }): Promise<void> {
    const problems = crashReplyProblems(reply);
    if (problems.length > 0) {
      this.metrics.agentRejected.inc({ message: 'crash_reply', reason: 'invalid' });
      this.logger.warn({ hostId, reason: describeProblems(problems) }, 'CrashReply rejected: fields beyond what can be stored');
      return;
    }
    const job = await this.db.kdumpJobs.get(reply.request_id);
    if (!job || job.hostId !== hostId) {
      this.metrics.agentRejected.inc({ message: 'crash_reply', reason: 'other_host' });
      this.logger.warn({ hostId, requestId: reply.request_id, accepted: reply.accepted }, 'CrashReply for no kdump job of this host; ignored');
      return;
    }
    if (reply.accepted) {
      const row = await this.db.kdumpJobs.advance(job.id, ['triggering'], 'awaiting_reboot');
      if (row) {
        this.logger.info(this.logFields(row), 'kdump: the agent accepted the CrashRequest; awaiting reboot');
        this.continueJob(row);
      }
      return;
    }
    const reason = `host ${hostId} refused the CrashRequest: ${reply.reason || '(no reason given)'}`;
    const row = await this.db.kdumpJobs.advance(job.id, ['triggering'], 'denied', { reason });
    if (row) this.finished(row);
  }

  /** Loads the row; a job that is not the one for its state hands over to the right one. */
  private async step(definition: JobDefinition<KdumpJobPayload>, { hit_id }: KdumpJobPayload, run: (job: KdumpJobRow) => Promise<void>): Promise<void> {
    const job = await this.db.kdumpJobs.get(kdumpJobId(hit_id));
    if (!job) return;
    const expected = jobForState(job.state);
    if (expected === definition) return run(job);
    if (expected) this.continueJob(job);
  }

  private async trigger(job: KdumpJobRow, ctx: JobContext): Promise<void> {
    if (job.state === 'triggering') return this.awaitReply(job, ctx);
    const now = new Date();
    const outcome = await this.db.transaction(async (tx): Promise<{ row: KdumpJobRow | null; retryAt?: number }> => {
      await tx.lockKdumpBudget();
      const current = await tx.kdumpJobs.get(job.id);
      if (!current || !WAITING.includes(current.state)) return { row: null };
      const host = await tx.hosts.get(current.hostId, this.config.hostOfflineAfterMs);
      const problem = readinessProblem(current.hostId, host);
      if (problem) return { row: await tx.kdumpJobs.advance(job.id, WAITING, 'denied', { reason: problem }) };
      const verdict = checkBudget(this.config.kdump.budgets, host!, await tx.kdumpJobs.budgetUsage(BUDGET_WINDOW_MS), now);
      if (!verdict.room) {
        if (now >= current.deferUntil) {
          const reason = `deferred longer than KDUMP_DEFER_MAX_MS (${seconds(this.config.kdump.deferMaxMs)}): ${verdict.reason}`;
          return { row: await tx.kdumpJobs.advance(job.id, WAITING, 'expired', { reason }) };
        }
        const row = await tx.kdumpJobs.advance(job.id, WAITING, 'deferred', { reason: verdict.reason });
        return { row, retryAt: Math.min(now.getTime() + POLL_MS, current.deferUntil.getTime()) };
      }
      const row = await tx.kdumpJobs.advance(job.id, WAITING, 'triggering', { bootBefore: host!.bootId, reason: '' });
      await this.publishCrash(tx, row!);
      return { row, retryAt: now.getTime() + POLL_MS };
    });
    const row = outcome.row;
    if (!row) return;
    if (row.state === 'deferred') {
      if (job.state !== 'deferred' || job.reason !== row.reason) this.logger.info(this.logFields(row), 'kdump deferred');
      return ctx.retryAt(outcome.retryAt!);
    }
    if (row.state === 'triggering') {
      this.logger.info(this.logFields(row), 'kdump triggering: CrashRequest sent');
      return ctx.retryAt(outcome.retryAt!);
    }
    this.finished(row);
  }

  /** No CrashReply yet: a host back with a new boot id obeyed; else wait, re-send, or fail. */
  private async awaitReply(job: KdumpJobRow, ctx: JobContext): Promise<void> {
    const host = await this.db.hosts.get(job.hostId, this.config.hostOfflineAfterMs);
    if (host && host.bootId !== job.bootBefore) {
      const row = await this.db.kdumpJobs.advance(job.id, ['triggering'], 'awaiting_reboot');
      if (row) {
        this.logger.info({ ...this.logFields(row), bootId: host.bootId }, 'kdump: no CrashReply, but the host is back with a new boot id');
        this.continueJob(row);
      }
      return;
    }
    const waited = Date.now() - job.triggeredAt!.getTime();
    if (waited < this.config.kdump.replyTimeoutMs) return ctx.retryAt(Date.now() + POLL_MS);
    if (job.attempts < MAX_CRASH_REQUESTS) {
      const row = await this.db.transaction(async (tx) => {
        const resent = await tx.kdumpJobs.advance(job.id, ['triggering'], 'triggering');
        if (resent) await this.publishCrash(tx, resent);
        return resent;
      });
      if (row) this.logger.warn({ ...this.logFields(row), attempts: row.attempts }, 'kdump: no CrashReply in time; CrashRequest sent again');
      return ctx.retryAt(Date.now() + POLL_MS);
    }
    const seen = host ? `connected ${host.connected ? 'yes' : 'no'}, boot id ${host.bootId}, last seen ${host.lastSeenAt.toISOString()}` : 'host unknown';
    const reason = `host ${job.hostId} sent no CrashReply within KDUMP_REPLY_TIMEOUT_MS (${seconds(this.config.kdump.replyTimeoutMs)}) to any of ${job.attempts} CrashRequests (${seen})`;
    const row = await this.db.kdumpJobs.advance(job.id, ['triggering'], 'failed', { reason });
    if (row) this.finished(row);
  }

  private async awaitReboot(job: KdumpJobRow, ctx: JobContext): Promise<void> {
    const host = await this.db.hosts.get(job.hostId, this.config.hostOfflineAfterMs);
    if (host?.connected && host.bootId !== job.bootBefore) {
      const row = await this.db.kdumpJobs.advance(job.id, ['awaiting_reboot'], 'collecting', { bootAfter: host.bootId });
      if (row) {
        this.logger.info(this.logFields(row), 'kdump: host back with a new boot id; collecting the vmcore');
        this.continueJob(row);
      }
      return;
    }
    const waited = Date.now() - job.triggeredAt!.getTime();
    if (waited < this.config.kdump.rebootTimeoutMs) return ctx.retryAt(Date.now() + POLL_MS);
    const last = host ? `last boot id ${host.bootId}, last seen ${host.lastSeenAt.toISOString()}, connected ${host.connected ? 'yes' : 'no'}` : 'host unknown';
    const reason = `host ${job.hostId} did not come back with a new boot id within KDUMP_REBOOT_TIMEOUT_MS (${seconds(this.config.kdump.rebootTimeoutMs)}) of the CrashRequest (${last})`;
    const row = await this.db.kdumpJobs.advance(job.id, ['awaiting_reboot'], 'failed', { reason });
    if (row) this.finished(row);
  }

  private async collect(job: KdumpJobRow, ctx: JobContext): Promise<void> {
    const row = await this.db.transaction(async (tx) => {
      const vmcore = await tx.vmcores.findForJob(job.hostId, job.id, job.bootBefore);
      if (!vmcore) return undefined;
      await tx.vmcores.link(vmcore.id, { hitId: job.hitId, watchId: job.watchId, kdumpJobId: job.id });
      return tx.kdumpJobs.advance(job.id, ['collecting'], 'done', { vmcoreId: vmcore.id });
    });
    if (row) return this.finished(row);
    if (row === null) return;
    const waited = Date.now() - (job.rebootedAt ?? job.updatedAt).getTime();
    if (waited < this.config.kdump.collectTimeoutMs) return ctx.retryAt(Date.now() + POLL_MS);
    const reason =
      `no vmcore from host ${job.hostId} within KDUMP_COLLECT_TIMEOUT_MS (${seconds(this.config.kdump.collectTimeoutMs)}) of its reboot ` +
      `(boot ${job.bootBefore} -> ${job.bootAfter}): no VmcoreReport with crash_request_id ${job.id} or crashed_boot_id ${job.bootBefore}`;
    const failed = await this.db.kdumpJobs.advance(job.id, ['collecting'], 'failed', { reason });
    if (failed) this.finished(failed);
  }

  /** Sends the CrashRequest through the replica that holds the host's stream, on commit. */
  private async publishCrash(tx: Parameters<DesiredStateBus['publish']>[0], row: KdumpJobRow): Promise<void> {
    await this.bus.publish(tx, {
      kind: 'crash',
      hostId: row.hostId,
      request: { request_id: row.id, boot_id: row.bootBefore!, watch_id: row.watchId, hit_id: row.hitId },
    });
  }

  private finished(row: KdumpJobRow): void {
    this.metrics.kdumpJobsFinished.inc({ state: row.state });
    const fields = { ...this.logFields(row), reason: row.reason, vmcoreId: row.vmcoreId };
    if (row.state === 'done') this.logger.info(fields, 'kdump done: vmcore linked to the hit');
    else this.logger.warn(fields, `kdump ${row.state}`);
  }

  private logFields(row: KdumpJobRow): Record<string, unknown> {
    return { kdumpJobId: row.id, hostId: row.hostId, watchId: row.watchId, hitId: row.hitId, state: row.state, bootId: row.bootBefore, reason: row.reason || undefined };
  }
}
