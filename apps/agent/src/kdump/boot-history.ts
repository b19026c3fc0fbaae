/**
 * `stateDir/boots.json`: every boot the agent has run in, with when it first saw it. A dump
 * found after a reboot says when it crashed; this list says which boot that was.
 */
import * as path from 'node:path';
import { readStateFile, writeStateFile } from './state-file';

export interface BootRecord {
  bootId: string;
  firstSeenMs: number;
}

/** Enough to attribute any dump still lying in crashDir; older boots are dropped. */
const KEPT_BOOTS = 32;

export const bootsFile = (stateDir: string): string => path.join(stateDir, 'boots.json');

export function readBoots(stateDir: string): BootRecord[] {
  const value = readStateFile(bootsFile(stateDir));
  if (!Array.isArray(value)) return [];
  return value.filter(
    (b): b is BootRecord => typeof b === 'object' && b !== null && typeof b.bootId === 'string' && Number.isFinite(b.firstSeenMs),
  );
}

/** Appends the current boot unless it is known already; returns the list as stored. */
export function recordBoot(stateDir: string, bootId: string, nowMs: number): BootRecord[] {
  const boots = readBoots(stateDir);
  if (boots.some((b) => b.bootId === bootId)) return boots;
  const updated = [...boots, { bootId, firstSeenMs: nowMs }].slice(-KEPT_BOOTS);
  writeStateFile(bootsFile(stateDir), updated);
  return updated;
}

/**
 * The boot a dump that crashed at `crashTimeMs` came from: the latest recorded boot first
 * seen before then. Never the current boot (a dump is only read after the reboot that
 * followed it); empty when no recorded boot qualifies.
 */
export function crashedBoot(boots: readonly BootRecord[], crashTimeMs: number, currentBootId: string): string {
  let best: BootRecord | undefined;
  for (const boot of boots) {
    if (boot.bootId === currentBootId || boot.firstSeenMs >= crashTimeMs) continue;
    if (!best || boot.firstSeenMs > best.firstSeenMs) best = boot;
  }
  return best?.bootId ?? '';
}
