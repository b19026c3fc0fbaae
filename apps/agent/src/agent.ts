/**
 * The agent's lifecycle: wires config, spool, backend, reconciler, relay and the gateway
 * connection together, and takes them apart again in the right order when it drains.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { ControlMessage__Output, Hello } from '@physwatch/proto';
import type { Logger } from 'pino';
import type { WatchBackend } from './backend/watch-backend';
import type { AgentConfig } from './config/schema';
import { channelCredentials } from './connection/credentials';
import { GatewayConnection } from './connection/gateway-connection';
import { ensureIdentity, tlsChannelOptions } from './enrollment/enroll';
import { CertificateRenewer } from './enrollment/renewal';
import { untilDeadline } from './deadline';
import { mergeLabels, readHostFacts } from './facts/host-facts';
import { recordBoot } from './kdump/boot-history';
import { CrashHandler } from './kdump/crash-handler';
import { readCrashKernel } from './kdump/crash-kernel';
import { VmcoreReporter } from './kdump/vmcore-reporter';
import { renderAgentMetrics, writeTextfile } from './metrics/textfile';
import { openBackend } from './open-backend';
import { Reconciler } from './reconcile/reconciler';
import { HitRelay } from './relay/hit-relay';
import { toWireCapabilities } from './relay/wire';
import { Spool } from './spool/spool';
import { lockStateDir } from './state-lock';
import { AGENT_VERSION } from './version';

export type AgentState = 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

/** What a running agent is made of; set only once all of it is up. */
interface Parts {
  spool: Spool;
  backend: WatchBackend;
  relay: HitRelay;
  reconciler: Reconciler;
  connection: GatewayConnection;
  crashes: CrashHandler;
  vmcores: VmcoreReporter;
  renewer: CertificateRenewer | null;
}

const DRAIN_POLL_MS = 20;

export class Agent {
  private stateValue: AgentState = 'starting';
  private parts: Parts | undefined;
  /** Undo steps for whatever has been opened so far, run in reverse by teardown. */
  private readonly cleanups: Array<() => unknown> = [];
  private closeGraceMs: number | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatInFlight = false;
  private stopping: Promise<void> | undefined;
  private facts: Record<string, string> = {};

  private constructor(
    readonly config: AgentConfig,
    private readonly log: Logger,
  ) {}

  get state(): AgentState {
    return this.stateValue;
  }

  /** Hits written to the spool and not acked yet. */
  get unackedHits(): number {
    return this.parts?.spool.unackedCount() ?? 0;
  }

  static async start(config: AgentConfig, log: Logger): Promise<Agent> {
    const agent = new Agent(config, log);
    agent.setState('starting');
    try {
      await agent.assemble();
    } catch (err) {
      await agent.teardown().catch(() => undefined);
      agent.setState('failed');
      throw err;
    }
    agent.setState('running');
    return agent;
  }

  /** Drains within drainTimeoutMs: no new hits, spool flushed, unacked hits sent, then close. */
  stop(): Promise<void> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  private setState(state: AgentState): void {
    this.stateValue = state;
    this.log.info({ state, bootId: this.config.bootId }, `agent ${state}`);
  }

  private async assemble(): Promise<void> {
    const { config, log } = this;
    this.cleanups.push(lockStateDir(config.stateDir, config.bootId));
    // Before anything can crash this boot: a dump found after the reboot is dated against it.
    recordBoot(config.stateDir, config.bootId, Date.now());
    const opened = await Spool.open(path.join(config.stateDir, 'spool'), config.bootId, {
      memory: { hits: config.spool.memoryHits, bytes: config.spool.memoryBytes },
    });
    const spool = opened.spool;
    this.cleanups.push(() => spool.close());
    if (opened.skippedLines > 0) log.warn({ skippedLines: opened.skippedLines }, 'spool had torn or damaged lines; skipped');
    log.info({ bootId: config.bootId, ...spool.backlog(), nextSeq: spool.nextSeq().toString() }, 'spool open');

    // Read once: facts that change (microcode, firmware) change with a reboot or a restart.
    this.facts = config.facts.enabled ? readHostFacts(config.facts) : {};
    log.info({ facts: this.facts }, 'host facts');
    const backend = await openBackend(config.backend, log);
    this.cleanups.push(() => backend.close());
    // Before the first stream: it is mutual TLS with this host's enrolled certificate.
    const identity = await ensureIdentity(config, log, () => this.stopping !== undefined);
    let credentials = channelCredentials(config, identity, log);
    const renewer = identity
      ? new CertificateRenewer({
          identity,
          hostId: config.hostId,
          stateDir: config.stateDir,
          send: (message) => connection.send(message),
          connected: () => connection.connected,
          onRenewed: (renewed) => {
            credentials = channelCredentials(config, renewed, log);
          },
          log,
        })
      : null;
    if (renewer) this.cleanups.push(() => renewer.stop());
    const connection = new GatewayConnection({
      server: config.server,
      credentials: () => (config.insecure ? channelCredentials(config, null, log) : credentials),
      channelOptions: tlsChannelOptions(config),
      reconnect: config.reconnect,
      hello: () => this.hello(backend, spool),
      metadata: { 'x-physwatch-host-id': config.hostId },
      log,
      onConnected: () => {
        renewer?.streamOpened();
        relay.streamOpened();
        vmcores.streamOpened();
      },
      onMessage: (message) => this.onControl(message),
      onDisconnected: () => undefined,
    });
    const relay = new HitRelay(spool, connection, config.batch, log);
    this.cleanups.push(() => {
      relay.stop();
      return relay.idle();
    });
    this.cleanups.push(() => connection.close(this.closeGraceMs));
    const crashes = new CrashHandler({
      kdump: config.kdump,
      configPath: config.configPath,
      bootId: config.bootId,
      stateDir: config.stateDir,
      reply: (reply) => connection.send({ crash_reply: reply }),
      flushSpool: () => relay.flush(),
      log,
    });
    const vmcores = new VmcoreReporter({
      crashDir: config.kdump.crashDir,
      stateDir: config.stateDir,
      bootId: config.bootId,
      send: (report) => connection.send({ vmcore_report: report }),
      connected: () => connection.connected,
      log,
    });
    // Pushed after the connection's close, so it runs before it: no report is half-sent.
    this.cleanups.push(() => vmcores.stop());
    const reconciler = new Reconciler(backend, (states) => void connection.send({ watch_states: states }), log);
    this.cleanups.push(
      backend.onEvent((event) => {
        if (event.kind === 'hit') relay.add(event.hit);
        else void reconciler.backendDisarmed(event.watchId, event.reason);
      }),
    );
    this.parts = { spool, backend, relay, reconciler, connection, crashes, vmcores, renewer };
    vmcores.start();
    renewer?.start();

    this.heartbeatTimer = setInterval(() => void this.heartbeat(), config.heartbeatIntervalMs);
    this.cleanups.push(() => clearInterval(this.heartbeatTimer));
    if (config.metrics.textfile) {
      const textfile = config.metrics.textfile;
      this.writeMetrics(textfile);
      const metricsTimer = setInterval(() => this.writeMetrics(textfile), config.metrics.intervalMs);
      this.cleanups.push(() => clearInterval(metricsTimer));
    }
    connection.start();
  }

  private hello(backend: WatchBackend, spool: Spool): Hello {
    const { config } = this;
    return {
      host_id: config.hostId,
      boot_id: config.bootId,
      hostname: config.hostname,
      kernel_release: os.release(),
      arch: os.machine(),
      agent_version: AGENT_VERSION,
      labels: mergeLabels({ ...this.facts, ...backend.statusLabels?.() }, config.labels),
      capabilities: toWireCapabilities(backend.capabilities),
      kdump: {
        crash_kernel_loaded: readCrashKernel(config.kdump.crashKernelLoaded).loaded,
        crash_allowed: config.kdump.allowCrash,
        policy_source: config.configPath,
      },
      spooled_boot_ids: spool.earlierBoots(),
    };
  }

  private onControl(message: ControlMessage__Output): void {
    const parts = this.parts;
    if (!parts) return;
    if (message.desired_state) {
      if (this.stateValue !== 'running') return;
      this.log.info({ generation: message.desired_state.generation, watches: message.desired_state.watches.length }, 'desired state received');
      void parts.reconciler.apply(message.desired_state);
    } else if (message.hit_ack) {
      parts.relay.acked(message.hit_ack);
    } else if (message.crash_request) {
      const request = message.crash_request;
      parts.crashes.handle(request).catch((err: unknown) => this.log.error({ err, requestId: request.request_id }, 'crash request failed'));
    } else if (message.vmcore_ack) {
      parts.vmcores.acknowledged(message.vmcore_ack);
    } else if (message.certificate) {
      parts.renewer?.received(message.certificate);
    }
  }

  private async heartbeat(): Promise<void> {
    const parts = this.parts;
    if (!parts || this.heartbeatInFlight || !parts.connection.connected) return;
    this.heartbeatInFlight = true;
    try {
      await parts.connection.send({
        heartbeat: {
          sent_at_unix_ms: String(Date.now()),
          applied_generation: parts.reconciler.appliedGeneration,
          unacked_hits: String(parts.spool.unackedCount()),
          module_lost_events: String(parts.backend.undelivered?.().lost ?? 0n),
          module_suppressed_hits: String(parts.backend.undelivered?.().suppressed ?? 0n),
        },
      });
    } finally {
      this.heartbeatInFlight = false;
    }
  }

  /** Also while disconnected: that is when the spool grows and someone should see it. */
  private writeMetrics(file: string): void {
    const parts = this.parts;
    if (!parts) return;
    const undelivered = parts.backend.undelivered?.() ?? { lost: 0n, suppressed: 0n };
    const backlog = parts.spool.backlog();
    try {
      writeTextfile(
        file,
        renderAgentMetrics({
          connected: parts.connection.connected,
          unackedHits: backlog.unacked,
          onDiskHits: backlog.onDisk,
          moduleLostEvents: undelivered.lost,
          moduleSuppressedHits: undelivered.suppressed,
          states: parts.reconciler.states(),
        }),
      );
    } catch (err) {
      this.log.warn({ err: (err as Error).message, file }, 'metrics textfile not written');
    }
  }

  private async drain(): Promise<void> {
    if (this.stateValue !== 'running') {
      await this.teardown();
      this.setState('stopped');
      return;
    }
    this.setState('draining');
    const deadline = Date.now() + this.config.drainTimeoutMs;
    try {
      const parts = this.parts!;
      clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = undefined;
      // Backend first: after this no new hit can arrive, so the flush below is the last.
      await parts.backend.close();
      // The flush makes every hit durable first; only the sending part may be cut short.
      await untilDeadline(parts.relay.flush(), deadline);
      while (parts.spool.unackedCount() > 0 && parts.connection.connected && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
      }
      const unacked = parts.spool.unackedCount();
      if (unacked > 0) this.log.warn({ unacked }, 'drain ended with unacked hits; they stay in the spool for the next start');
      await this.teardown(Math.max(0, deadline - Date.now()));
      this.setState('stopped');
    } catch (err) {
      this.log.error({ err }, 'drain failed');
      await this.teardown().catch(() => undefined);
      this.setState('failed');
      throw err;
    }
  }

  /** Releases whatever was opened, in reverse order; safe on a half-built agent. */
  private async teardown(closeGraceMs?: number): Promise<void> {
    this.closeGraceMs = closeGraceMs;
    this.parts = undefined;
    // Every step runs even if one fails, so a bad close never leaves the lock or a socket.
    let failure: unknown;
    while (this.cleanups.length > 0) {
      try {
        await this.cleanups.pop()!();
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure) throw failure;
  }
}
