import { Inject, Injectable } from '@nestjs/common';
import type { HostView } from '@physwatch/core';
import { Database } from '@physwatch/db';
import type { AuditTrail } from '../auth/audit-entry';
import { NotFoundError } from '../common/errors';
import { CONFIG, OrchestratorConfig } from '../config/config';
import { Logger, LOGGER } from '../config/logger';
import { PlacementService } from '../watches/placement.service';
import { hostJson } from './host.view';

@Injectable()
export class HostsService {
  constructor(
    private readonly db: Database,
    private readonly placement: PlacementService,
    @Inject(CONFIG) private readonly config: OrchestratorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Replaces the host's operator labels and, in the same transaction, audits the change and
   * re-places the fleet's watches: a selector may now match the host, or no longer.
   */
  async setOperatorLabels(id: string, labels: Record<string, string>, audit: AuditTrail): Promise<HostView> {
    const changed = await this.db.transaction(async (tx) => {
      if (!(await tx.hosts.get(id, this.config.hostOfflineAfterMs))) throw new NotFoundError('host', id);
      await audit.record(tx, id);
      await tx.hosts.setOperatorLabels(id, labels);
      return this.placement.replan(tx);
    });
    this.logger.info({ hostId: id, operatorLabels: labels, watchesChanged: changed.length }, 'host operator labels set');
    const row = await this.db.hosts.get(id, this.config.hostOfflineAfterMs);
    if (!row) throw new NotFoundError('host', id);
    return hostJson(row, await this.db.assignments.listForHosts([id]));
  }
}
