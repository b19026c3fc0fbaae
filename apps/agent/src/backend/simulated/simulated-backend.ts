/** The simulated WatchBackend: watches over a memory file, plus the scripted corruptor. */
import * as fs from 'node:fs';
import { ArmSpec, MAX_REGION_LEN } from '@physwatch/core';
import type { Logger } from 'pino';
import type { SimulatedBackendConfig } from '../../config/schema';
import { BackendEventListener, BackendEventListeners } from '../backend-events';
import type { ArmedWatch, ArmResult, BackendCapabilities, WatchBackend } from '../watch-backend';
import { Corruptor } from './corruptor';
import { openMemoryFile } from './memory-file';
import { beyondPhysBits } from '../phys-bits';
import { RateWindow } from './rate-window';
import { resolveTarget } from './resolve-target';
import { HitContext, WordPoller } from './word-poller';

// Node timers have millisecond resolution; anything finer would be a lie.
const MIN_INTERVAL_MS = 1;
const MAX_WATCHES = 1024;

function processComm(): string {
  try {
    return fs.readFileSync('/proc/self/comm', 'utf8').trim();
  } catch {
    return process.title;
  }
}

export class SimulatedBackend implements WatchBackend {
  readonly capabilities: BackendCapabilities;
  /** Hits over a watch's rate, counted and not reported (the module's `suppressed`). */
  private suppressed = 0n;

  private readonly pollers = new Map<string, WordPoller>();
  private readonly events = new BackendEventListeners();
  private readonly context: HitContext;
  private closed = false;

  private constructor(
    private readonly config: SimulatedBackendConfig,
    private readonly memory: fs.promises.FileHandle,
    private readonly corruptor: Corruptor,
    private readonly log: Logger,
  ) {
    this.capabilities = {
      backend: 'simulated',
      maxWatches: MAX_WATCHES,
      minIntervalUs: MIN_INTERVAL_MS * 1000,
      targetKinds: ['paddr', 'symbol'],
      // A simulation cannot panic or freeze the host, nor trace kernel functions; saying so beats pretending.
      actions: ['report', 'stack'],
      maxRegionLen: MAX_REGION_LEN,
      modes: ['timer'],
      physAddrBits: config.physAddrBits,
    };
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    this.context = { pid: process.pid, comm: processComm(), realtimeOffsetNs: nowNs - process.hrtime.bigint() };
  }

  static async open(config: SimulatedBackendConfig, log: Logger): Promise<SimulatedBackend> {
    const memory = await openMemoryFile(config.memoryFile, config.memorySize);
    const backend = new SimulatedBackend(config, memory, new Corruptor(memory, config.corruption, log), log);
    backend.corruptor.start();
    log.info({ memoryFile: config.memoryFile, memorySize: config.memorySize, steps: config.corruption.length }, 'simulated backend open');
    return backend;
  }

  async arm(spec: ArmSpec): Promise<ArmResult> {
    if (this.closed) return { phase: 'failed', reason: 'backend is closed' };
    await this.disarm(spec.watchId);
    if (!this.capabilities.actions.includes(spec.action)) {
      return { phase: 'failed', reason: `action ${spec.action} is not possible on the simulated backend (use report or stack)` };
    }
    if (!this.capabilities.modes.includes(spec.mode)) {
      return { phase: 'failed', reason: `mode ${spec.mode}: the simulated backend has no function-entry checks (use mode timer)` };
    }
    const beyond = beyondPhysBits(spec, this.capabilities.physAddrBits, 'the simulated backend\'s physAddrBits');
    if (beyond) return { phase: 'failed', reason: beyond };
    if (this.pollers.size >= MAX_WATCHES) return { phase: 'failed', reason: `backend holds its maximum of ${MAX_WATCHES} watches` };
    const resolved = resolveTarget(spec, this.config.symbols, this.config.memorySize);
    if (!resolved.ok) return { phase: 'failed', reason: resolved.reason };

    const intervalMs = Math.max(MIN_INTERVAL_MS, Math.round(spec.intervalUs / 1000));
    const rate = spec.rate === null ? null : new RateWindow(spec.rate);
    const poller = new WordPoller(spec, resolved.paddr, this.memory, intervalMs, this.context, {
      hit: (hit) => {
        if (rate && !rate.admit(hit.boottimeNs)) this.suppressed++;
        else this.events.emit({ kind: 'hit', hit });
      },
      exhausted: (reason) => {
        this.pollers.delete(spec.watchId);
        this.events.emit({ kind: 'disarmed', watchId: spec.watchId, reason });
      },
      error: (err) => this.log.error({ watchId: spec.watchId, err }, 'simulated read failed'),
    });
    this.pollers.set(spec.watchId, poller);
    try {
      await poller.start();
    } catch (err) {
      poller.stop();
      this.pollers.delete(spec.watchId);
      return { phase: 'failed', reason: `cannot read simulated memory: ${(err as Error).message}` };
    }
    return { phase: 'armed', resolvedPaddr: resolved.paddr, memoryKind: 'ram' };
  }

  async disarm(watchId: string): Promise<void> {
    this.pollers.get(watchId)?.stop();
    this.pollers.delete(watchId);
  }

  armed(): ArmedWatch[] {
    return [...this.pollers.values()].map((p) => ({ spec: p.spec, resolvedPaddr: p.paddr, memoryKind: 'ram' }));
  }

  undelivered(): { lost: bigint; suppressed: bigint } {
    return { lost: 0n, suppressed: this.suppressed };
  }

  onEvent(listener: BackendEventListener): () => void {
    return this.events.add(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.events.close();
    this.corruptor.stop();
    for (const poller of this.pollers.values()) poller.stop();
    this.pollers.clear();
    await this.memory.close();
  }
}
