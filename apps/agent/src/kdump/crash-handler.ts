/**
 * The orchestrator's CrashRequest: crash this host with sysrq 'c' so kdump saves a vmcore.
 * Obeyed only when this host's own config allows it, a crash kernel is there to catch the
 * crash, and the request is for the boot we are in (one that outlived a reboot is stale).
 * Every refusal names its cause and the file behind it.
 */
import * as fs from 'node:fs';
import type { AgentMessage, ControlMessage__Output } from '@physwatch/proto';
import type { Logger } from 'pino';
import type { KdumpConfig } from '../config/schema';
import { untilDeadline } from '../deadline';
import { readCrashKernel } from './crash-kernel';
import { crashRecordFile, removeCrashRecord, writeCrashRecord } from './crash-record';

export type CrashRequest = NonNullable<ControlMessage__Output['crash_request']>;
export type CrashReply = NonNullable<AgentMessage['crash_reply']>;

export interface CrashHandlerOptions {
  kdump: KdumpConfig;
  configPath: string;
  bootId: string;
  stateDir: string;
  reply: (reply: CrashReply) => Promise<boolean>;
  /** Makes every hit seen so far durable: whatever the spool does not hold dies with the host. */
  flushSpool: () => Promise<void>;
  log: Logger;
  /** Upper bound on the time the accepted reply and the flush get before the crash. */
  graceMs?: number;
}

const GRACE_MS = 500;
/** After the reply is handed to the stream: time for it to leave the socket. */
const SEND_SETTLE_MS = 100;

const errno = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

export class CrashHandler {
  /** The request being carried out; a duplicate of it is answered again, anything else refused. */
  private inFlight: string | null = null;

  constructor(private readonly options: CrashHandlerOptions) {}

  async handle(request: CrashRequest): Promise<void> {
    const { log } = this.options;
    const ids = { requestId: request.request_id, watchId: request.watch_id, hitId: request.hit_id, bootId: this.options.bootId };
    if (this.inFlight !== null) {
      if (this.inFlight === request.request_id) {
        await this.options.reply({ request_id: request.request_id, accepted: true, reason: '' });
      } else {
        await this.refuse(request, `a crash is already under way for request ${this.inFlight}`);
      }
      return;
    }
    const refusal = this.refusal(request);
    if (refusal) {
      await this.refuse(request, refusal);
      return;
    }
    const sysrq = this.options.kdump.sysrqTrigger;
    let fd: number;
    try {
      // Opened before accepting: the ways this fails (no sysrq, read-only /proc, no root)
      // must be a refusal the orchestrator hears, not an accepted crash that never comes.
      fd = fs.openSync(sysrq, fs.constants.O_WRONLY | fs.constants.O_TRUNC);
    } catch (err) {
      await this.refuse(request, `sysrq write failed: cannot open ${sysrq} (${errno(err)})`);
      return;
    }
    this.inFlight = request.request_id;
    try {
      try {
        writeCrashRecord(this.options.stateDir, {
          requestId: request.request_id,
          bootId: this.options.bootId,
          watchId: request.watch_id,
          hitId: request.hit_id,
          atMs: Date.now(),
        });
      } catch (err) {
        this.inFlight = null;
        await this.refuse(request, `cannot record the request in ${crashRecordFile(this.options.stateDir)} (${errno(err)})`);
        return;
      }
      log.warn(ids, 'crash request accepted');
      const deadline = Date.now() + (this.options.graceMs ?? GRACE_MS);
      await untilDeadline(
        Promise.all([this.options.reply({ request_id: request.request_id, accepted: true, reason: '' }), this.options.flushSpool()]),
        deadline,
      );
      await new Promise((resolve) => setTimeout(resolve, Math.min(SEND_SETTLE_MS, Math.max(0, deadline - Date.now()))));
      log.info({ ...ids, sysrq }, 'crash requested via sysrq');
      try {
        fs.writeSync(fd, 'c');
      } catch (err) {
        this.inFlight = null;
        removeCrashRecord(this.options.stateDir);
        await this.refuse(request, `sysrq write failed: cannot write "c" to ${sysrq} (${errno(err)})`);
        return;
      }
    } finally {
      fs.closeSync(fd);
    }
    // Only reached where the trigger is not the kernel's (tests, the simulated host).
    log.warn({ ...ids, sysrq }, 'sysrq write returned and this host is still up');
  }

  private refusal(request: CrashRequest): string | null {
    const { kdump, configPath, bootId } = this.options;
    if (!kdump.allowCrash) return `local policy forbids crashing this host: kdump.allowCrash is false in ${configPath}`;
    if (request.boot_id !== bootId) return `request is for boot ${request.boot_id}; this host is now in boot ${bootId}`;
    const crashKernel = readCrashKernel(kdump.crashKernelLoaded);
    return crashKernel.loaded ? null : crashKernel.reason;
  }

  private async refuse(request: CrashRequest, reason: string): Promise<void> {
    this.options.log.warn({ requestId: request.request_id, watchId: request.watch_id, reason }, 'crash request refused');
    await this.options.reply({ request_id: request.request_id, accepted: false, reason });
  }
}
