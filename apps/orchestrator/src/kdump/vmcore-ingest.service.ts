import { Inject, Injectable } from '@nestjs/common';
import { describeProblems, hitProblems, vmcoreReportProblems } from '@physwatch/core';
import { Database, NewVmcore, Repositories, VmcoreRow } from '@physwatch/db';
import type { AgentMessage__Output, Hit__Output } from '@physwatch/proto';
import { OncePerKey } from '../common/once-per-key';
import { Logger, LOGGER } from '../config/logger';
import type { RejectKind } from '../hit-intake/hit-admission';
import { fromWireHit } from '../hit-intake/hit-wire';
import { MetricsService } from '../metrics/metrics.service';

export type VmcoreReport = NonNullable<AgentMessage__Output['vmcore_report']>;

/** Stored (the agent is acked with the row's id), or refused with why (acked with rejected_reason; never stored). */
export type VmcoreOutcome = { vmcore: VmcoreRow; recoveredWatchIds: string[] } | { rejected: string };

/** Recovered hits that can be stored: fields storable, under a boot the host announced, of a watch ever placed on it. */
interface RecoveredSplit {
  storable: Hit__Output[];
  dropped: Array<{ watchId: string; kind: RejectKind; reason: string }>;
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
  private readonly rejectionLogged = new OncePerKey();

  constructor(
    private readonly db: Database,
    private readonly metrics: MetricsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Resolves after commit with the stored row (the caller acks it) and the watches that got
   * recovered hits; or with why the report is refused: a field beyond what can be stored, or
   * a crash_request_id naming a kdump job of another host.
   */
  async ingest(hostId: string, report: VmcoreReport): Promise<VmcoreOutcome> {
    const problems = vmcoreReportProblems(report);
    if (problems.length > 0) return this.refuse(hostId, report, 'invalid', describeProblems(problems));
    if (report.crash_request_id) {
      const job = await this.db.kdumpJobs.get(report.crash_request_id);
      if (job && job.hostId !== hostId) {
        return this.refuse(hostId, report, 'other_host', `VmcoreReport.crash_request_id: ${report.crash_request_id} was addressed to another host, not ${hostId}`);
      }
    }
    const bootId = report.crashed_boot_id;
    const split = await this.splitRecovered(hostId, report);
    this.reportDropped(hostId, bootId, split.dropped);
    const hits = split.storable.map(fromWireHit);
    const { row, created, recovered } = await this.db.transaction(async (tx) => {
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
        recoveredHits: report.recovered_hits.length, recoveredStored: recovered?.inserted ?? 0, recoveredDropped: split.dropped.length,
      },
      created ? 'vmcore stored' : 'vmcore report repeated; already stored',
    );
    return { vmcore: row, recoveredWatchIds: [...(recovered?.insertedByWatch.keys() ?? [])] };
  }

  private refuse(hostId: string, report: VmcoreReport, kind: 'invalid' | 'other_host', reason: string): VmcoreOutcome {
    this.metrics.agentRejected.inc({ message: 'vmcore_report', reason: kind });
    if (this.rejectionLogged.first(`${hostId}\u0000${report.path}`)) {
      this.logger.warn({ hostId, path: report.path.slice(0, 256), kind, reason }, 'vmcore report rejected: never stored (logged once per host and path)');
    }
    return { rejected: reason };
  }

  private async splitRecovered(hostId: string, report: VmcoreReport): Promise<RecoveredSplit> {
    const split: RecoveredSplit = { storable: [], dropped: [] };
    // Without the crashed boot a recovered hit has no identity (boot, module_seq) to store under.
    if (!report.crashed_boot_id) {
      for (const hit of report.recovered_hits) split.dropped.push({ watchId: hit.watch_id, kind: 'unknown_boot', reason: 'VmcoreReport.crashed_boot_id is empty: a recovered hit has no boot to be stored under' });
      return split;
    }
    const valid: Hit__Output[] = [];
    report.recovered_hits.forEach((hit, i) => {
      const problems = hitProblems(hit, `VmcoreReport.recovered_hits[${i}]`, { recovered: true });
      if (problems.length === 0) valid.push(hit);
      else split.dropped.push({ watchId: hit.watch_id, kind: 'invalid', reason: describeProblems(problems) });
    });
    if (valid.length === 0) return split;
    const [announced, placed] = await Promise.all([
      this.db.hosts.announcedBoots(hostId, [report.crashed_boot_id]),
      this.db.assignments.everPlaced(hostId, [...new Set(valid.map((h) => h.watch_id))]),
    ]);
    for (const hit of valid) {
      if (!announced.has(report.crashed_boot_id)) split.dropped.push({ watchId: hit.watch_id, kind: 'unknown_boot', reason: `VmcoreReport.crashed_boot_id: boot ${JSON.stringify(report.crashed_boot_id)} was never announced by host ${hostId}` });
      else if (!placed.has(hit.watch_id)) split.dropped.push({ watchId: hit.watch_id, kind: 'not_placed', reason: `recovered hit: watch ${hit.watch_id} was never placed on host ${hostId}` });
      else split.storable.push(hit);
    }
    return split;
  }

  private reportDropped(hostId: string, bootId: string, dropped: RecoveredSplit['dropped']): void {
    for (const d of dropped) {
      this.metrics.agentRejected.inc({ message: 'recovered_hit', reason: d.kind });
      if (this.rejectionLogged.first(`${hostId}\u0000${d.watchId}\u0000${d.kind}`)) {
        this.logger.warn({ hostId, bootId, watchId: d.watchId, reason: d.reason }, 'recovered hit dropped: never stored (logged once per host and watch)');
      }
    }
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
