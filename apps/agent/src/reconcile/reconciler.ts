/**
 * Level-triggered reconciliation: each DesiredState is the whole truth for this host.
 * Diff it against what the backend holds, disarm what left, arm what came, re-arm what
 * changed, then report the complete set of states for that generation.
 */
import { ArmSpec, toHex } from '@physwatch/core';
import { DesiredState__Output, fromWireWatch, WatchState, WatchStates } from '@physwatch/proto';
import type { Logger } from 'pino';
import type { WatchBackend } from '../backend/watch-backend';
import { toWireState, WatchOutcome } from '../relay/wire';

interface Entry {
  /** Canonical spec text; a different key means the watch changed and is re-armed. */
  key: string | null;
  outcome: WatchOutcome;
}

function specKey(spec: ArmSpec): string {
  return JSON.stringify(spec, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export class Reconciler {
  private entries = new Map<string, Entry>();
  private generation = '0';
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly backend: WatchBackend,
    private readonly report: (states: WatchStates) => void,
    private readonly log: Logger,
  ) {}

  get appliedGeneration(): string {
    return this.generation;
  }

  apply(desired: DesiredState__Output): Promise<void> {
    return this.enqueue(() => this.reconcile(desired));
  }

  /** The backend dropped a watch on its own (max_hits): keep it down and say so. */
  backendDisarmed(watchId: string, reason: string): Promise<void> {
    return this.enqueue(async () => {
      const entry = this.entries.get(watchId);
      if (!entry) return;
      entry.outcome = { phase: 'disarmed', reason };
      this.log.info({ watchId, reason }, 'watch disarmed by backend');
      this.sendStates();
    });
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work).catch((err: Error) => this.log.error({ err }, 'reconcile failed'));
    return this.queue;
  }

  private async reconcile(desired: DesiredState__Output): Promise<void> {
    const wanted = new Map<string, { key: string | null; spec: ArmSpec | null; error?: string }>();
    for (const wire of desired.watches) {
      try {
        const spec = fromWireWatch(wire);
        wanted.set(spec.watchId, { key: specKey(spec), spec });
      } catch (err) {
        wanted.set(wire.watch_id, { key: null, spec: null, error: `cannot decode watch: ${(err as Error).message}` });
      }
    }
    const held = new Map(this.backend.armed().map((w) => [w.spec.watchId, w]));

    for (const watchId of new Set([...held.keys(), ...this.entries.keys()])) {
      if (wanted.has(watchId)) continue;
      await this.backend.disarm(watchId);
      this.entries.delete(watchId);
      if (held.has(watchId)) this.log.info({ watchId, generation: desired.generation }, 'watch removed');
    }

    for (const [watchId, want] of wanted) {
      const armed = held.get(watchId);
      const previous = this.entries.get(watchId);
      if (!want.spec) {
        if (armed) await this.backend.disarm(watchId);
        this.entries.set(watchId, { key: null, outcome: { phase: 'failed', reason: want.error ?? 'undecodable' } });
        continue;
      }
      if (armed && specKey(armed.spec) === want.key) {
        this.entries.set(watchId, { key: want.key, outcome: { phase: 'armed', resolvedPaddr: armed.resolvedPaddr, memoryKind: armed.memoryKind, polling: armed.polling } });
        continue;
      }
      // Exhausted watches stay down until the spec changes; re-arming would reset max_hits.
      if (previous?.key === want.key && previous.outcome.phase === 'disarmed') continue;
      const outcome = await this.backend.arm(want.spec);
      this.entries.set(watchId, { key: want.key, outcome });
      if (outcome.phase === 'armed') {
        this.log.info({ watchId, paddr: toHex(outcome.resolvedPaddr), memoryKind: outcome.memoryKind, rearm: !!armed }, 'watch armed');
      } else {
        this.log.warn({ watchId, reason: outcome.reason }, 'watch failed to arm');
      }
    }

    this.generation = desired.generation;
    this.log.info({ generation: desired.generation, watches: wanted.size }, 'desired state applied');
    this.sendStates();
  }

  /** What the backend holds now, as the last WatchStates said. */
  states(): WatchState[] {
    return [...this.entries].map(([watchId, entry]) => toWireState(watchId, entry.outcome));
  }

  private sendStates(): void {
    this.report({ generation: this.generation, states: this.states() });
  }
}
