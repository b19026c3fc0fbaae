import { Inject, Injectable } from '@nestjs/common';
import { ASSIGNMENT_PHASES, Database, FleetStates, StatsRepository, WATCH_STATES } from '@physwatch/db';
import { Gauge } from 'prom-client';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import { MetricsService } from './metrics.service';

/**
 * Fleet-wide gauges, counted in Postgres when /metrics is scraped: every replica exports the
 * same values (aggregate them with max, not sum). One query serves the three gauges of a
 * scrape; when it fails the gauges keep their last values and physwatch_fleet_gauges_up is 0.
 */
@Injectable()
export class FleetGauges {
  private readonly stats: StatsRepository;
  private pending: Promise<FleetStates | null> | null = null;

  constructor(
    metrics: MetricsService,
    db: Database,
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.stats = new StatsRepository(db.queryable);
    const registers = [metrics.registry];
    const read = () => this.read();
    new Gauge({
      name: 'physwatch_fleet_gauges_up',
      help: 'Whether this scrape could count hosts, watches and assignments in Postgres (1) or not (0)',
      registers,
      async collect() {
        this.set((await read()) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'physwatch_hosts',
      help: `Hosts by state: online (connected and seen within HOST_OFFLINE_AFTER_MS) or offline; the same on every replica`,
      labelNames: ['state'] as const,
      registers,
      async collect() {
        const states = await read();
        if (states) for (const state of ['online', 'offline'] as const) this.set({ state }, states.hosts[state]);
      },
    });
    new Gauge({
      name: 'physwatch_watches',
      help: 'Watches by state; the same on every replica',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        const states = await read();
        if (states) for (const state of WATCH_STATES) this.set({ state }, states.watches[state] ?? 0);
      },
    });
    new Gauge({
      name: 'physwatch_assignments',
      help: "Watches placed on hosts, by phase (pending, armed, failed, disarmed; 'removed' ones are history); the same on every replica",
      labelNames: ['phase'] as const,
      registers,
      async collect() {
        const states = await read();
        if (states) for (const phase of ASSIGNMENT_PHASES.filter((p) => p !== 'removed')) this.set({ phase }, states.assignments[phase] ?? 0);
      },
    });
  }

  /** The counts of this scrape: the gauges' collect() calls run together and share one query. */
  private read(): Promise<FleetStates | null> {
    this.pending ??= this.stats
      .fleetStates(this.config.hostOfflineAfterMs)
      .catch((err: Error) => {
        this.logger.warn({ err: err.message }, 'fleet gauges not counted');
        return null;
      })
      .finally(() => setImmediate(() => (this.pending = null)));
    return this.pending;
  }
}
