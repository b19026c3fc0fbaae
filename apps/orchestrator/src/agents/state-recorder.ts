import { Inject, Injectable } from '@nestjs/common';
import { AssignmentsRepository, ReportedState } from '@physwatch/db';
import { Logger, LOGGER } from '../config/logger';
import { MetricsService } from '../metrics/metrics.service';

type Report = ReportedState & { hostId: string; generation: string };

/**
 * Watch states from every stream of this replica, written in one statement per batch:
 * a watch placed on thousands of hosts brings thousands of reports at once, and one
 * UPDATE each would queue the pool behind them. While a write is in flight the next
 * batch gathers; of several reports for the same (host, watch), the newest generation wins.
 */
@Injectable()
export class StateRecorder {
  private pending = new Map<string, Report>();
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly assignments: AssignmentsRepository,
    private readonly metrics: MetricsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Resolves once the reports are stored (or failed, which is logged: the agent reports again on its next desired state). */
  record(hostId: string, generation: string, states: readonly ReportedState[]): Promise<void> {
    for (const state of states) {
      const key = `${hostId}/${state.watchId}`;
      const old = this.pending.get(key);
      if (!old || BigInt(old.generation) <= BigInt(generation)) this.pending.set(key, { ...state, hostId, generation });
    }
    return this.flush();
  }

  private flush(): Promise<void> {
    if (!this.flushing) {
      this.flushing = (async () => {
        while (this.pending.size > 0) {
          const batch = [...this.pending.values()];
          this.pending = new Map();
          await this.assignments.recordManyStates(batch).then(
            ({ armedAfterSeconds }) => armedAfterSeconds.forEach((s) => this.metrics.armLatency.observe(s)),
            (err: Error) => this.logger.error({ err: err.message, reports: batch.length }, 'watch states not recorded'),
          );
        }
      })().finally(() => (this.flushing = null));
    }
    return this.flushing;
  }
}
