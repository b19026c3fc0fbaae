import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every metric the orchestrator exports, on a registry of its own (no global state). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor() {
    // process_* and nodejs_* (CPU, memory, event loop lag, GC), as every Node service exports.
    collectDefaultMetrics({ register: this.registry });
  }

  readonly hitsReceived = this.counter('physwatch_hits_received_total', 'Hits received from agents, re-sent ones included');
  readonly hitsStored = this.counter('physwatch_hits_stored_total', 'Hits newly stored');
  readonly hitStoreLatency = new Histogram({
    name: 'physwatch_hit_store_latency_seconds',
    help: "From a hit's realtime_ns (the host's clock when its backend saw the change) to the commit of its batch here: spool, network and ingest together, host clock skew included",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly armLatency = new Histogram({
    name: 'physwatch_watch_arm_latency_seconds',
    help: 'From a watch placed on a host (its assignment pending) to the host reporting it armed: desired state out, backend armed, state back',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
    registers: [this.registry],
  });
  readonly hitsDuplicate = this.counter('physwatch_hits_duplicate_total', 'Re-sent hits that were already stored');
  readonly hitsUnknownWatch = this.counter('physwatch_hits_unknown_watch_total', 'Hits naming a watch that does not exist (acked, not stored)');
  readonly agentsConnected = new Gauge({ name: 'physwatch_agents_connected', help: 'Agent streams held by this replica', registers: [this.registry] });
  readonly desiredStatesSent = this.counter('physwatch_desired_states_sent_total', 'DesiredState messages written to agent streams');
  readonly drainWaits = this.counter('physwatch_grpc_drain_waits_total', 'Times a stream write returned false and the server waited for drain');
  readonly coalesced = new Counter({
    name: 'physwatch_grpc_coalesced_total',
    help: 'Outgoing messages replaced by a newer one while a stream waited for drain',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly agentRejected = new Counter({
    name: 'physwatch_agent_rejected_total',
    help:
      'Hits, vmcore reports and crash replies refused and never stored, by message and why: invalid (a field beyond what can be stored), ' +
      'unknown_boot (a boot the host never announced), not_placed (a watch never placed on the host), other_host (a request addressed to another host)',
    labelNames: ['message', 'reason'] as const,
    registers: [this.registry],
  });
  readonly vmcoresStored = this.counter('physwatch_vmcores_stored_total', 'Crash dumps newly stored from VmcoreReports');
  readonly crashRequestsSent = this.counter('physwatch_kdump_crash_requests_total', 'CrashRequests written to agent streams');
  readonly kdumpJobsFinished = new Counter({
    name: 'physwatch_kdump_jobs_finished_total',
    help: 'Kdump jobs that reached a final state, by state (done, denied, expired, failed)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly watchesEnded = new Counter({
    name: 'physwatch_watches_ended_total',
    help: 'Watches that ended, by final state',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly authRefused = new Counter({
    name: 'physwatch_http_auth_refused_total',
    help: 'Requests under /api/v1 refused before a token was accepted: unauthenticated (401) or rate_limited (429, a source past AUTH_FAILURE_LIMIT)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] });
  }

  /** Current value of a label-less counter or gauge (tests and logs read it). */
  async value(metric: Counter | Gauge): Promise<number> {
    const { values } = await metric.get();
    return values.reduce((sum, v) => sum + v.value, 0);
  }
}
