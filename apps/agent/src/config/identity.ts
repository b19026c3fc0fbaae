/**
 * Who this host is (stable across reboots and reinstalls) and which boot it is in
 * (hit sequence numbers restart per boot, so getting this wrong would merge two boots).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface IdentitySources {
  machineIdPath: string;
  bootIdPath: string;
}

export const LINUX_IDENTITY_SOURCES: IdentitySources = {
  machineIdPath: '/etc/machine-id',
  bootIdPath: '/proc/sys/kernel/random/boot_id',
};

function readTrimmed(file: string): string | null {
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    return text === '' ? null : text;
  } catch {
    return null;
  }
}

/** Config, else /etc/machine-id, else an id made once and kept in stateDir. */
export function resolveHostId(configured: string | undefined, stateDir: string, sources: IdentitySources): string {
  if (configured) return configured;
  const machineId = readTrimmed(sources.machineIdPath);
  if (machineId) return machineId;
  const persisted = path.join(stateDir, 'host-id');
  const existing = readTrimmed(persisted);
  if (existing) return existing;
  const id = randomUUID();
  fs.mkdirSync(stateDir, { recursive: true });
  // Write-then-rename so a crash never leaves an empty id that a restart would replace.
  const tmp = `${persisted}.tmp`;
  fs.writeFileSync(tmp, `${id}\n`, { flush: true });
  fs.renameSync(tmp, persisted);
  return id;
}

export function resolveBootId(configured: string | undefined, sources: IdentitySources): string | null {
  return configured ?? readTrimmed(sources.bootIdPath);
}
