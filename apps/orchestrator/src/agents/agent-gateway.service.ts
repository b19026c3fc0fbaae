import { Inject, Injectable } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { describeProblems } from '@physwatch/core';
import { AssignmentsRepository, Database, HostsRepository } from '@physwatch/db';
import type { AgentMessage__Output, Hello__Output } from '@physwatch/proto';
import { Logger, LOGGER } from '../config/logger';
import type { DesiredEvent } from '../desired-state/desired-event';
import { DesiredStateBus } from '../desired-state/desired-state.bus';
import { HitIngestService } from '../hits/hit-ingest.service';
import { KdumpJobsHandler } from '../kdump/kdump-jobs.handler';
import { VmcoreIngestService } from '../kdump/vmcore-ingest.service';
import { MetricsService } from '../metrics/metrics.service';
import { PlacementService } from '../watches/placement.service';
import { AgentProtocolError } from '../common/errors';
import { AgentCall, AgentSession, errorStatus, SessionHandler } from './agent-session';
import { checkHeartbeat, checkHello, fromWireStates, storableStates } from './agent-wire';
import { AgentIdentityService } from '../enrollment/agent-identity.service';
import { EnrollmentService } from '../enrollment/enrollment.service';
import { DesiredStateService } from './desired-state.service';
import { StateRecorder } from './state-recorder';

const RESEND_CHUNK = 1000;

/** The AgentGateway.Connect flow for every stream this replica holds. */
@Injectable()
export class AgentGatewayService implements SessionHandler {
  private readonly byHost = new Map<string, AgentSession>();
  private readonly sessions = new Set<AgentSession>();
  private readonly closing = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Database,
    private readonly hosts: HostsRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly placement: PlacementService,
    private readonly desired: DesiredStateService,
    private readonly ingest: HitIngestService,
    private readonly bus: DesiredStateBus,
    private readonly metrics: MetricsService,
    private readonly states: StateRecorder,
    private readonly kdump: KdumpJobsHandler,
    private readonly vmcores: VmcoreIngestService,
    private readonly identity: AgentIdentityService,
    private readonly enrollment: EnrollmentService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    bus.subscribe((event) => this.track(this.onDesiredEvent(event)));
    bus.onResync(() => this.track(this.resend([...this.byHost.keys()])));
  }

  connect(call: AgentCall): void {
    const session = new AgentSession(call, this, {
      onDrainWait: () => this.metrics.drainWaits.inc(),
      onCoalesced: (kind) => this.metrics.coalesced.inc({ kind }),
    });
    this.sessions.add(session);
  }

  async onMessage(session: AgentSession, message: AgentMessage__Output): Promise<void> {
    if (session.hostId === null) {
      if (message.msg !== 'hello') throw new AgentProtocolError(`the first message must be Hello, got ${message.msg ?? 'an empty message'}`);
      return this.hello(session, checkHello(message.hello));
    }
    const hostId = session.hostId;
    switch (message.msg) {
      case 'heartbeat':
        await this.hosts.touchHeartbeat(hostId, checkHeartbeat(message.heartbeat).applied_generation);
        return;
      case 'watch_states': {
        const { generation, states, problems } = storableStates(message.watch_states);
        if (problems.length > 0) this.logger.warn({ hostId, generation, problems: describeProblems(problems) }, 'watch states dropped: fields beyond what can be stored');
        await this.states.record(hostId, generation, fromWireStates(states));
        this.logger.debug({ hostId, generation, states: states.length }, 'watch states recorded');
        return;
      }
      case 'hit_batch': {
        const batch = message.hit_batch!;
        const result = await this.ingest.ingest(hostId, batch);
        // Only now, after the insert committed, may the agent drop these hits.
        if (batch.hits.length > 0) session.sendAck(batch.boot_id, result.upToSeq, result.rejected);
        return;
      }
      case 'crash_reply':
        await this.kdump.onCrashReply(hostId, message.crash_reply!);
        return;
      case 'vmcore_report': {
        const report = message.vmcore_report!;
        const outcome = await this.vmcores.ingest(hostId, report);
        // A refused report is acked too, with why: the agent stops sending what will never be stored.
        if ('rejected' in outcome) {
          session.sendOnce({ vmcore_ack: { path: report.path, vmcore_id: '0', rejected_reason: outcome.rejected } });
          return;
        }
        // Only now, after the report committed, may the agent stop sending it.
        session.sendOnce({ vmcore_ack: { path: outcome.vmcore.path, vmcore_id: outcome.vmcore.id } });
        await this.ingest.exhaust(outcome.recoveredWatchIds);
        return;
      }
      case 'renew_certificate': {
        // The new certificate is for the identity this stream proved, whatever the CSR asks.
        const certificate = await this.enrollment.renew(hostId, message.renew_certificate!.csr_pem, session.peer);
        session.sendOnce({ certificate });
        return;
      }
      case 'hello':
        throw new AgentProtocolError('Hello was already received on this stream');
      default:
        throw new AgentProtocolError('empty AgentMessage');
    }
  }

  private async hello(session: AgentSession, hello: Hello__Output): Promise<void> {
    // Who this stream is comes from its verified certificate; a Hello naming another host is refused.
    const hostId = await this.identity.admit(session.peerCertificate, session.peer, hello);
    if (session.isClosed) return;
    session.hostId = hostId;
    session.bootId = hello.boot_id;
    const older = this.byHost.get(hostId);
    this.byHost.set(hostId, session);
    this.metrics.agentsConnected.inc();
    older?.fail(status.ABORTED, `superseded by a newer stream for host ${hostId}`);
    const placed = await this.db.transaction(async (tx) => {
      // Placement lock before the host row: a scheduler pass takes them in that order too.
      await tx.lockPlacement();
      // The lock is held through commit; not waiting for the WAL flush keeps thousands of
      // reconnecting agents from queueing behind one fsync each. A Hello lost in a Postgres
      // crash is repeated: the agent reconnects.
      await tx.commitWithoutFlush();
      const merged = await tx.hosts.upsertConnected(
        {
          id: hostId,
          hostname: hello.hostname,
          bootId: hello.boot_id,
          kernelRelease: hello.kernel_release,
          arch: hello.arch,
          agentVersion: hello.agent_version,
          labels: hello.labels,
          capabilities: { ...(hello.capabilities ?? {}) },
          kdump: hello.kdump ? { ...hello.kdump } : null,
          spooledBootIds: hello.spooled_boot_ids,
        },
        session.connectionId,
      );
      const placed = await this.placement.placeHost(tx, { id: hostId, labels: merged.labels, capabilities: { ...(hello.capabilities ?? {}) } });
      await this.bus.publish(tx, { kind: 'connected', hostId, connectionId: session.connectionId });
      return placed;
    });
    this.logger.info({ hostId, bootId: hello.boot_id, peer: session.peer, labels: hello.labels, watches: placed.length }, 'agent connected');
    await this.resend([hostId]);
  }

  onError(session: AgentSession, err: unknown): void {
    const { code, details } = errorStatus(err);
    const log = { hostId: session.hostId, bootId: session.bootId, peer: session.peer, details };
    if (code === status.INVALID_ARGUMENT || code === status.PERMISSION_DENIED || code === status.UNAUTHENTICATED) this.logger.warn(log, 'agent stream rejected');
    else this.logger.error({ ...log, err }, 'agent message failed');
    session.fail(code, details);
  }

  onClosed(session: AgentSession): void {
    this.sessions.delete(session);
    const hostId = session.hostId;
    if (hostId === null) return;
    this.metrics.agentsConnected.dec();
    if (this.byHost.get(hostId) === session) this.byHost.delete(hostId);
    this.track(
      this.hosts.markDisconnected(hostId, session.connectionId).then((marked) => {
        this.logger.info({ hostId, bootId: session.bootId, marked }, 'agent disconnected');
      }),
    );
  }

  private async onDesiredEvent(event: DesiredEvent): Promise<void> {
    if (event.kind === 'revoked') {
      const local = this.byHost.get(event.hostId);
      if (local) {
        local.fail(status.PERMISSION_DENIED, `host "${event.hostId}" was revoked: it cannot connect until it is enrolled again`);
        this.logger.warn({ hostId: event.hostId, peer: local.peer }, 'revoked host: stream closed');
      }
      return;
    }
    if (event.kind === 'connected') {
      const local = this.byHost.get(event.hostId);
      if (local && local.connectionId !== event.connectionId) local.fail(status.ABORTED, `superseded by a newer stream for host ${event.hostId}`);
      return;
    }
    if (event.kind === 'crash') {
      // Only the replica holding the stream sends; a request no one sends is re-sent by the trigger job.
      const local = this.byHost.get(event.hostId);
      if (local?.sendOnce({ crash_request: event.request })) {
        this.metrics.crashRequestsSent.inc();
        this.logger.info({ hostId: event.hostId, bootId: event.request.boot_id, kdumpJobId: event.request.request_id, watchId: event.request.watch_id, hitId: event.request.hit_id }, 'CrashRequest sent');
      }
      return;
    }
    const hostIds = event.kind === 'hosts' ? event.hostIds : await this.assignments.hostsOfWatch(event.watchId);
    await this.resend(hostIds.filter((id) => this.byHost.has(id)));
  }

  /** Sends each host's full desired set if it is newer than what its stream last got. */
  private async resend(hostIds: string[]): Promise<void> {
    const local = hostIds.filter((id) => this.byHost.has(id));
    // Read in chunks: a watch placed on thousands of hosts is a few queries, not one per host.
    for (let i = 0; i < local.length; i += RESEND_CHUNK) {
      const chunk = local.slice(i, i + RESEND_CHUNK);
      const sessions = new Map(chunk.map((id) => [id, this.byHost.get(id)]));
      const states = await this.desired.forHosts(chunk);
      for (const [hostId, session] of sessions) {
        const state = states.get(hostId);
        if (session && state && this.byHost.get(hostId) === session && session.sendDesired(state)) {
          this.metrics.desiredStatesSent.inc();
          this.logger.info({ hostId, generation: state.generation, watches: state.watches?.length ?? 0 }, 'desired state sent');
        }
      }
    }
  }

  /** Background work the shutdown must wait for (disconnect writes, resends). */
  private track(work: Promise<unknown>): void {
    const tracked = work.catch((err) => this.logger.error({ err }, 'agent gateway background work failed')).finally(() => this.closing.delete(tracked));
    this.closing.add(tracked);
  }

  /** Ends every stream (the agents reconnect elsewhere) and waits for their bookkeeping. */
  async closeAll(): Promise<void> {
    const sessions = [...this.sessions];
    for (const session of sessions) session.fail(status.UNAVAILABLE, 'orchestrator is shutting down');
    await Promise.allSettled(sessions.map((session) => session.idle()));
    while (this.closing.size > 0) await Promise.allSettled([...this.closing]);
  }
}
