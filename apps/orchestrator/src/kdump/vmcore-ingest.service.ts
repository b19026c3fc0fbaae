import { Inject, Injectable } from '@nestjs/common';
import { Database, NewVmcore, Repositories, VmcoreRow } from '@physwatch/db';
import type { AgentMessage__Output } from '@physwatch/proto';
import { AgentProtocolError } from '../common/errors';
import { Logger, LOGGER } from '../config/logger';
import { fromWireHit } from '../hits/hit-wire';
import { MetricsService } from '../metrics/metrics.service';

export type VmcoreReport = NonNullable<AgentMessage__Output['vmcore_report']>;

const POSITIVE = /^[1-9][0-9]*$/;

/** Why a report cannot be stored, or null when it can. */
export function vmcoreReportProblem(report: VmcoreReport): string | null {
  if (!report.path) return 'VmcoreReport.path is empty';
  if (!/^[0-9]+$/.test(report.size_bytes)) return `VmcoreReport.size_bytes ${report.size_bytes} is not a size`;
  const bad = report.recovered_hits.findIndex((h) => !POSITIVE.test(h.watch_id) || !POSITIVE.test(h.module_seq));
  if (bad >= 0) {
    const hit = report.recovered_hits[bad];
    return `VmcoreReport.recovered_hits[${bad}] has watch_id ${hit.watch_id} and module_seq ${hit.module_seq}; both must be > 0`;
  }
  return null;
}

export function fromWireVmcore(hostId: string, report: VmcoreReport): NewVmcore {
  const crashMs = Number(report.crash_time_unix_ms);
  return {
    hostId,
    crashedBootId: report.crashed_boot_id,
    path: report.path,
    layout: report.layout,
    format: report.format,
    sizeBytes: report.size_bytes,
    sha256: report.sha256,
    dumpLevel: report.dump_level,
    crashTime: crashMs > 0 ? new Date(crashMs) : null,
    kernelRelease: report.kernel_release,
    dmesgPath: report.dmesg_path,
    dmesgExcerpt: report.dmesg_excerpt,
    crashRequestId: report.crash_request_id || null,
  };
}

/**
 * A VmcoreReport, stored in one transaction: the hits recovered from the dump's dmesg
 * (through the one hit insert path, so a hit already sent live stays one row), the vmcore
 * row (once per host and path), and its link to the hit it is about.
 */
@Injectable()
export class VmcoreIngestService {
  constructor(
    private readonly db: Database,
    private readonly metrics: MetricsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Resolves after commit with the stored row (the caller acks it) and the watches that got recovered hits. */
  async ingest(hostId: string, report: VmcoreReport): Promise<{ vmcore: VmcoreRow; recoveredWatchIds: string[] }> {
    const problem = vmcoreReportProblem(report);
    if (problem) throw new AgentProtocolError(problem);
    const bootId = report.crashed_boot_id;
    const hits = report.recovered_hits.map(fromWireHit);
    const { row, created, recovered } = await this.db.transaction(async (tx) => {
      // Without the crashed boot a recovered hit has no identity (boot, module_seq) to store under.
      const recovered = bootId && hits.length > 0 ? await tx.hits.insertBatch(hostId, bootId, hits, 'vmcore') : null;
      const stored = await tx.vmcores.insert(fromWireVmcore(hostId, report));
      const row = stored.row.hitId === null ? await this.link(tx, hostId, stored.row, report) : stored.row;
      return { row, created: stored.created, recovered };
    });
    if (created) this.metrics.vmcoresStored.inc();
    if (recovered) {
      this.metrics.hitsStored.inc(recovered.inserted);
      this.metrics.hitsUnknownWatch.inc(recovered.unknownWatch);
    }
    this.logger.info(
      {
        hostId, bootId, vmcoreId: row.id, path: row.path, created, watchId: row.watchId, hitId: row.hitId, kdumpJobId: row.kdumpJobId,
        recoveredHits: hits.length, recoveredStored: recovered?.inserted ?? 0, recoveredUnknownWatch: recovered?.unknownWatch ?? 0,
      },
      created ? 'vmcore stored' : 'vmcore report repeated; already stored',
    );
    if (hits.length > 0 && !bootId) this.logger.warn({ hostId, path: row.path, recoveredHits: hits.length }, 'recovered hits dropped: the dump names no crashed boot');
    return { vmcore: row, recoveredWatchIds: [...(recovered?.insertedByWatch.keys() ?? [])] };
  }

  /**
   * The kdump job that asked for this crash (its id came back as crash_request_id), else
   * the last panic/hang hit recovered from the dump, found by (host, boot, module_seq)
   * whichever path stored it. Unlinked when neither exists.
   */
  private async link(tx: Repositories, hostId: string, row: VmcoreRow, report: VmcoreReport): Promise<VmcoreRow> {
    const job = report.crash_request_id ? await tx.kdumpJobs.get(report.crash_request_id) : null;
    if (job && job.hostId === hostId) return tx.vmcores.link(row.id, { hitId: job.hitId, watchId: job.watchId, kdumpJobId: job.id });
    const stoppers = report.recovered_hits.filter((h) => h.action === 'ACTION_PANIC' || h.action === 'ACTION_HANG').map((h) => h.module_seq);
    if (!report.crashed_boot_id || stoppers.length === 0) return row;
    const found = await tx.hits.findByModuleSeq(hostId, report.crashed_boot_id, stoppers);
    const last = found[found.length - 1];
    return last ? tx.vmcores.link(row.id, { hitId: last.id, watchId: last.watchId, kdumpJobId: null }) : row;
  }
}
