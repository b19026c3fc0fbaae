/**
 * Sends a VmcoreReport for every dump in crashDir the orchestrator has not acked: on each
 * new stream and every `intervalMs` while connected, one report at a time. Acked paths go
 * to `stateDir/vmcores-acked.json` and are never sent again.
 */
import * as path from 'node:path';
import type { ControlMessage__Output } from '@physwatch/proto';
import type { Logger } from 'pino';
import { CoalescedRun } from '../coalesced-run';
import { findDumps, settledDumps, sizeAndMtime } from './dump-discovery';
import { readStateFile, writeStateFile } from './state-file';
import { describeDump, VmcoreReport } from './vmcore-report';

export type VmcoreAck = NonNullable<ControlMessage__Output['vmcore_ack']>;

export interface VmcoreReporterOptions {
  crashDir: string;
  stateDir: string;
  bootId: string;
  send: (report: VmcoreReport) => Promise<boolean>;
  connected: () => boolean;
  log: Logger;
  intervalMs?: number;
  /** How long a dump's size and mtime must hold still before it counts as written. */
  settleMs?: number;
}

const INTERVAL_MS = 60_000;
const SETTLE_MS = 1000;

export const ackedFile = (stateDir: string): string => path.join(stateDir, 'vmcores-acked.json');

export class VmcoreReporter {
  private readonly acked: Set<string>;
  /** Reports by path with the size:mtime they were made from: a dump is hashed once, not every minute. */
  private readonly made = new Map<string, { look: string; report: VmcoreReport }>();
  private timer: NodeJS.Timeout | undefined;
  private readonly scanning = new CoalescedRun(() =>
    this.reportUnacked().catch((err: unknown) => this.options.log.error({ err }, 'vmcore scan failed')),
  );
  private stopped = false;

  constructor(private readonly options: VmcoreReporterOptions) {
    const stored = readStateFile(ackedFile(options.stateDir));
    this.acked = new Set(Array.isArray(stored) ? stored.filter((p): p is string => typeof p === 'string') : []);
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.options.connected()) void this.scanning.run();
    }, this.options.intervalMs ?? INTERVAL_MS);
  }

  streamOpened(): void {
    void this.scanning.run();
  }

  /** Stored, or rejected (rejected_reason: it never will be): either way the report is not sent again. */
  acknowledged(ack: VmcoreAck): void {
    if (this.acked.has(ack.path)) return;
    this.acked.add(ack.path);
    this.made.delete(ack.path);
    try {
      writeStateFile(ackedFile(this.options.stateDir), [...this.acked]);
    } catch (err) {
      // Kept in memory; after a restart the report goes out once more and is acked again.
      this.options.log.error({ err, path: ack.path }, 'cannot save the vmcore ack');
    }
    if (ack.rejected_reason) this.options.log.warn({ path: ack.path, reason: ack.rejected_reason }, 'vmcore report rejected by the orchestrator; not sent again');
    else this.options.log.info({ path: ack.path, vmcoreId: ack.vmcore_id }, 'vmcore acked');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.scanning.idle();
  }

  private async reportUnacked(): Promise<void> {
    const { options } = this;
    if (this.stopped) return;
    const unacked = findDumps(options.crashDir).filter((d) => !this.acked.has(d.path));
    if (unacked.length === 0) return;
    const ready = await settledDumps(unacked, options.settleMs ?? SETTLE_MS);
    for (const skipped of unacked.filter((d) => !ready.includes(d))) options.log.info({ path: skipped.path }, 'vmcore still being written; next scan');
    for (const dump of ready) {
      if (this.stopped || !options.connected() || this.acked.has(dump.path)) return;
      const look = sizeAndMtime(dump.path);
      if (look === null) continue;
      let made = this.made.get(dump.path);
      if (made?.look !== look) {
        made = { look, report: await describeDump(dump, options.stateDir, options.bootId) };
        this.made.set(dump.path, made);
      }
      const { report } = made;
      if (!(await options.send(report))) return;
      options.log.info(
        { path: report.path, format: report.format, crashedBootId: report.crashed_boot_id, recoveredHits: report.recovered_hits?.length ?? 0 },
        'vmcore reported',
      );
    }
  }
}
